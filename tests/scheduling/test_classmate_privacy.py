"""Group lessons: parents and students see other families' children by first name only (or
not at all, per the studio's setting), never their last names or attendance; staff see all."""
from datetime import datetime, timedelta, timezone

import icalendar
import pytest
from sqlalchemy import select

from app.extensions import db
from app.messaging.models import OutboxEmail
from app.scheduling.services.reminders import remind_lesson
from tests.conftest import web_login

LAST_NAME = "Okafor"


@pytest.fixture()
def group(world, make):
    """A group lesson of Sam Bennett (the parent's child, the student's login) and Zoë
    Okafor of another family, with Zoë's attendance taken."""
    world.other_parent = make.member(world.studio, "parent", email="okafor-parent@example.test")
    other_family = make.family(world.studio, guardians=[world.other_parent], name="Okafor family")
    world.classmate = make.student(world.studio, other_family, first_name="Zoë", last_name=LAST_NAME)
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(days=2)
    lesson = make.lesson(world.studio, world.teacher, [world.student, world.classmate],
                         start=start, lesson_type="group")
    next(a for a in lesson.attendees if a.student_id == world.classmate.id).attendance = "excused"
    db.session.commit()
    return lesson


def _hide_classmates(world):
    world.studio.classmate_names = "hidden"
    db.session.commit()


def _students(payload):
    return {student["first_name"]: student for student in payload["students"]}


@pytest.mark.parametrize("role", ["parent", "student"])
def test_families_see_a_classmate_by_first_name_in_the_api(client, world, group, tokens, role):
    for payload in (client.get(f"/api/v1/lessons/{group.id}", headers=tokens[role]).json,
                    client.get("/api/v1/lessons", headers=tokens[role]).json["results"][0]):
        students = _students(payload)
        assert students["Sam"]["last_name"] == "Bennett" and students["Sam"]["attendance"] == "pending"
        assert students["Zoë"] == {"id": None, "first_name": "Zoë", "last_name": "", "full_name": "Zoë",
                                   "attendance": None}
        assert LAST_NAME not in str(payload) and str(world.classmate.id) not in str(payload)


@pytest.mark.parametrize("role", ["parent", "student"])
def test_families_calendar_events_name_classmates_by_first_name(client, world, group, tokens, role):
    day = group.start_at.astimezone(world.tz).date().isoformat()
    events = client.get(f"/api/v1/lessons/calendar?start={day}&end={day}", headers=tokens[role]).json
    assert [event["title"] for event in events] == ["Sam Bennett, Zoë"]
    assert LAST_NAME not in str(events) and "excused" not in str(events)


def test_staff_see_every_attendee_in_full(client, world, group, tokens):
    for role in ("admin", "teacher"):
        students = _students(client.get(f"/api/v1/lessons/{group.id}", headers=tokens[role]).json)
        assert students["Zoë"]["last_name"] == LAST_NAME and students["Zoë"]["attendance"] == "excused"
        assert students["Zoë"]["id"] == str(world.classmate.id)


def test_a_studio_can_hide_classmates_altogether(client, world, group, tokens):
    _hide_classmates(world)
    payload = client.get(f"/api/v1/lessons/{group.id}", headers=tokens["parent"]).json
    assert list(_students(payload)) == ["Sam"]
    day = group.start_at.astimezone(world.tz).date().isoformat()
    events = client.get(f"/api/v1/lessons/calendar?start={day}&end={day}", headers=tokens["student"]).json
    assert events[0]["title"] == "Sam Bennett" and "Zoë" not in str(events)
    staff = client.get(f"/api/v1/lessons/{group.id}", headers=tokens["admin"]).json
    assert set(_students(staff)) == {"Sam", "Zoë"}


def test_a_kept_lesson_list_follows_the_setting(client, world, group, tokens):
    assert "Zoë" in str(client.get("/api/v1/lessons", headers=tokens["parent"]).json)
    _hide_classmates(world)
    assert "Zoë" not in str(client.get("/api/v1/lessons", headers=tokens["parent"]).json)


@pytest.mark.parametrize("role", ["parent", "student"])
def test_the_lesson_page_and_calendar_show_classmates_first_names(client, world, group, role):
    web_login(client, world.users()[role].email)
    page = client.get(f"/lessons/{group.id}").get_data(as_text=True)
    assert "Zoë" in page and LAST_NAME not in page and "excused" not in page
    day = group.start_at.astimezone(world.tz).date().isoformat()
    for view in ("day", "week", "month"):
        calendar = client.get(f"/calendar?view={view}&date={day}").get_data(as_text=True)
        assert "Sam Bennett, Zoë" in calendar and LAST_NAME not in calendar
    home = client.get("/").get_data(as_text=True)
    assert LAST_NAME not in home


def test_the_lesson_page_hides_classmates_when_the_studio_says_so(client, world, group):
    _hide_classmates(world)
    web_login(client, world.parent.email)
    page = client.get(f"/lessons/{group.id}").get_data(as_text=True)
    assert "Sam Bennett" in page and "Zoë" not in page


def test_the_lesson_page_names_everyone_for_the_teacher(client, world, group):
    web_login(client, world.teacher_user.email)
    page = client.get(f"/lessons/{group.id}").get_data(as_text=True)
    assert f"Zoë {LAST_NAME}" in page and "excused" in page


def _feed_events(client, headers):
    url = client.post("/api/v1/calendar-feed", headers=headers).json["url"]
    feed = client.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    return [event for event in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")]


def test_a_parents_ical_feed_names_classmates_by_first_name(client, world, group, tokens):
    [event] = _feed_events(client, tokens["parent"])
    assert "Sam Bennett, Zoë" in str(event["SUMMARY"])
    assert LAST_NAME not in str(event["SUMMARY"]) + str(event["DESCRIPTION"])
    _hide_classmates(world)
    [event] = _feed_events(client, tokens["student"])
    assert "Zoë" not in str(event["SUMMARY"]) + str(event["DESCRIPTION"])


def test_each_familys_reminder_names_only_its_own_children_in_full(world, group):
    remind_lesson(world.studio, group)
    bodies = {email.to_address: email.body_text for email in db.session.scalars(select(OutboxEmail))}
    assert "Sam Bennett, Zoë has a lesson" in bodies[world.parent.email]
    assert LAST_NAME not in bodies[world.parent.email]
    assert "Sam, Zoë Okafor has a lesson" in bodies[world.other_parent.email]
    assert "Bennett" not in bodies[world.other_parent.email]
