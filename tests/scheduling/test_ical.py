"""Private iCal feeds, parsed back with the icalendar package."""

from datetime import datetime, timedelta, timezone

import icalendar
from sqlalchemy import select

from app.accounts.models import Membership
from app.extensions import db
from app.scheduling import services


def _feed_path(client, headers):
    url = client.post("/api/v1/calendar-feed", headers=headers).json["url"]
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _events(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _lessons(world, make):
    soon = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(days=3)
    ours = make.lesson(world.studio, world.teacher, [world.student], start=soon, room=world.room)
    sibling = make.lesson(world.studio, world.teacher, [world.sibling], start=soon + timedelta(hours=1))
    other = make.lesson(world.studio, world.other_teacher, [make.student(world.studio)], start=soon)
    services.cancel_lesson(world.studio, world.admin, sibling, "Sick")
    db.session.commit()
    return ours, sibling, other


def test_a_parents_feed_is_valid_rfc5545_with_their_childrens_lessons(client, world, make, tokens):
    ours, sibling, other = _lessons(world, make)
    calendar, events = _events(client, _feed_path(client, tokens["parent"]))
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    assert set(events) == {f"{ours.id}@localhost", f"{sibling.id}@localhost"}
    event = events[f"{ours.id}@localhost"]
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == ours.start_at
    assert event.decoded("DTEND") == ours.end_at
    assert str(event["SUMMARY"]) == "Lesson: Sam Bennett with Theo Marsh"
    assert str(event["LOCATION"]) == "Room A" and str(event["STATUS"]) == "CONFIRMED"
    assert str(events[f"{sibling.id}@localhost"]["STATUS"]) == "CANCELLED"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]


def test_uids_are_stable_across_refreshes(client, world, make, tokens):
    _lessons(world, make)
    path = _feed_path(client, tokens["admin"])
    first = set(_events(client, path)[1])
    assert first == set(_events(client, path)[1]) and len(first) == 3


def test_each_role_sees_its_own_lessons(client, world, make, tokens):
    ours, sibling, other = _lessons(world, make)
    expected = {
        "teacher": {ours.id, sibling.id},
        "student": {ours.id},
        "admin": {ours.id, sibling.id, other.id},
    }
    for role, ids in expected.items():
        _calendar, events = _events(client, _feed_path(client, tokens[role]))
        assert set(events) == {f"{i}@localhost" for i in ids}, role


def test_revoked_rotated_or_unknown_links_are_404(client, world, make, tokens):
    _lessons(world, make)
    old = _feed_path(client, tokens["parent"])
    new = _feed_path(client, tokens["parent"])
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get(new.replace(".ics", "x.ics")).status_code == 404
    assert client.get("/calendar/nonsense.ics").status_code == 404
    membership = db.session.scalar(select(Membership).where(Membership.user_id == world.parent.id))
    membership.is_active = False
    db.session.commit()
    assert client.get(new).status_code == 404
