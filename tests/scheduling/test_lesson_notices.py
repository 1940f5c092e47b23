"""Families hear when the studio cancels or moves their lesson: an email per address through
the outbox, in the transaction of the change, from the services that pages and API share."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.scheduling import services
from app.scheduling.models import CancellationRequest
from tests.conftest import api_login, bearer, csrf_token, web_login

EASTERN = "Eastern (Standard|Daylight) Time"  # the lessons are a week ahead, whatever the season


def outbox():
    return {email.to_address: email for email in db.session.scalars(select(OutboxEmail))}


def committed_outbox():
    db.session.rollback()
    return outbox()


@pytest.fixture()
def lesson(sched, make):
    """Sam's lesson with Theo next week at 16:00 New York time; the Bennetts have a second
    guardian with an email (no login) and a third with none."""
    make.guardian(sched.family, email="grandma@example.test", first_name="Ruth")
    make.guardian(sched.family, email="", first_name="Ned")
    day = sched.future_day(weekday=1)
    sched.day = day
    return make.lesson(sched.studio, sched.teacher, [sched.student], start=sched.at(day, 16))


def test_a_studio_cancellation_emails_every_guardian_with_an_email(sched, lesson):
    services.cancel_lesson(sched.studio, sched.admin, lesson, "Teacher is ill", initiated_by="studio")

    emails = outbox()
    assert set(emails) == {sched.parent.email, "grandma@example.test"}
    email = emails["grandma@example.test"]
    local_day = f"{sched.day:%A, %B} {sched.day.day}, {sched.day.year}"
    assert email.subject.startswith("Lesson cancelled: ")
    assert email.studio_id == sched.studio.id
    assert re.search(f"has cancelled the lesson of Sam Bennett with Theo Marsh on {local_day} at "
                     f"4:00\u202fPM {EASTERN}\\.", email.body_text)
    assert "Reason: Teacher is ill" in email.body_text
    assert "Your schedule: http://localhost/" in email.body_text


def test_a_late_cancellation_says_what_it_costs(sched, make):
    soon = make.lesson(sched.studio, sched.teacher, [sched.student],
                       start=utcnow().replace(microsecond=0) + timedelta(hours=3))

    services.cancel_lesson(sched.studio, sched.admin, soon, "Sick", initiated_by="family")

    assert "you get a make-up credit for another lesson" in outbox()[sched.parent.email].body_text


def test_a_past_lesson_cancelled_afterwards_is_not_announced(sched, make):
    past = make.lesson(sched.studio, sched.teacher, [sched.student],
                       start=utcnow().replace(microsecond=0) - timedelta(days=2))

    services.cancel_lesson(sched.studio, sched.admin, past, "Recorded late", initiated_by="studio")

    assert outbox() == {}


def test_a_granted_request_is_confirmed_to_the_family_that_asked(sched, make, lesson):
    other_parent = make.member(sched.studio, "parent")
    other_family = make.family(sched.studio, guardians=[other_parent], name="Okafor")
    classmate = make.student(sched.studio, other_family, first_name="Ada", last_name="Okafor")
    group = make.lesson(sched.studio, sched.teacher, [sched.student, classmate],
                        start=sched.at(sched.day, 18), lesson_type="group")
    request = services.request_cancellation(sched.studio, sched.parent, group, "Concert")

    services.approve_request(sched.studio, sched.admin, request)

    emails = outbox()
    mine, theirs = emails[sched.parent.email], emails[other_parent.email]
    assert mine.subject.startswith("Cancellation confirmed: ")
    assert "as you asked" in mine.body_text
    assert "Sam Bennett" in mine.body_text and "Okafor" not in mine.body_text
    assert theirs.subject.startswith("Lesson cancelled: ")
    assert "Ada Okafor" in theirs.body_text and "Bennett" not in theirs.body_text
    assert db.session.get(CancellationRequest, request.id).status == "approved"


def test_a_move_emails_the_old_and_new_time_once(sched, lesson):
    booking = services.reschedule_lesson(sched.studio, sched.admin, lesson,
                                         start=sched.at(sched.day, 17, 30),
                                         teacher=sched.other_teacher.id)

    emails = outbox()
    assert set(emails) == {sched.parent.email, "grandma@example.test"}
    email = emails[sched.parent.email]
    assert email.subject.startswith("Lesson moved to ")
    assert "has moved the lesson of Sam Bennett with Theo Marsh." in email.body_text
    local_day = f"{sched.day:%A, %B} {sched.day.day}, {sched.day.year}"
    assert re.search(f"Was: {local_day} at 4:00\u202fPM {EASTERN}\n", email.body_text)
    assert re.search(f"Now: {local_day} at 5:30\u202fPM {EASTERN}\n", email.body_text)
    assert "Teacher: Clara Weiss" in email.body_text
    assert booking.lesson.rescheduled_from_id == lesson.id


def test_ending_a_series_sends_no_email_per_lesson(sched):
    day = sched.future_day(weekday=2)
    series, _lessons = services.create_series(
        sched.studio, sched.admin, services.Placement(teacher=sched.teacher, students=(sched.student,)),
        services.Pattern(day_of_week=2, start_time=sched.at(day, 16).astimezone(sched.tz).time()
                         .replace(tzinfo=None), duration_minutes=30, start_date=day,
                         end_date=day + timedelta(weeks=4)))

    services.end_series(sched.studio, sched.admin, series)

    assert outbox() == {}


def test_a_refused_cancellation_queues_nothing(app, sched, lesson):
    lesson.status = "completed"
    db.session.commit()
    tokens = api_login(app.test_client(), sched.admin.email)

    response = app.test_client().post(f"/api/v1/lessons/{lesson.id}/cancel", headers=bearer(tokens),
                                      json={"reason": "Snow"})

    assert response.status_code == 409
    assert committed_outbox() == {}


def test_the_api_cancel_and_reschedule_email_the_family(app, sched, lesson):
    moved_too = sched.make.lesson(sched.studio, sched.teacher, [sched.sibling],
                                  start=sched.at(sched.day, 15))
    db.session.commit()
    client = app.test_client()
    tokens = api_login(client, sched.admin.email)

    cancelled = client.post(f"/api/v1/lessons/{lesson.id}/cancel", headers=bearer(tokens),
                            json={"reason": "Snow"})
    moved = client.post(f"/api/v1/lessons/{moved_too.id}/reschedule", headers=bearer(tokens),
                        json={"scheduled_start": sched.at(sched.day, 19).isoformat()})

    assert (cancelled.status_code, moved.status_code) == (200, 201)
    db.session.rollback()
    subjects = sorted(email.subject for email in db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.to_address == sched.parent.email)))
    assert [subject.split(" ")[1] for subject in subjects] == ["cancelled:", "moved"]


def test_the_calendar_panel_cancel_emails_the_family(app, sched, lesson):
    db.session.commit()
    client = app.test_client()
    web_login(client, sched.admin.email)

    response = client.post(f"/lessons/{lesson.id}/cancel", data={
        "csrf_token": csrf_token(client, f"/lessons/{lesson.id}/cancel"), "reason": "Snow",
        "initiated_by": "studio"})

    assert response.status_code in (200, 302)
    assert "Reason: Snow" in committed_outbox()[sched.parent.email].body_text
