"""Lesson reminders: the studio's lead time, on the reader's own clock (also across DST),
exactly once per lesson and recipient, never for a cancelled lesson, naming the time a
lesson has when the reminder goes; by email and in the bell."""
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.messaging.models import Notification, OutboxEmail
from app.scheduling import services
from app.scheduling.services.reminders import remind_lesson
from tests.scheduling.conftest import Studio

WINTER_DAY = date(2030, 1, 15)  # a Tuesday: New York on EST (UTC-5), Berlin on CET (UTC+1)
MINUTE = timedelta(minutes=1)


def _lesson(s, day=WINTER_DAY, hour=9, **fields):
    return s.make.lesson(s.studio, s.teacher, fields.pop("students", [s.student]), start=s.at(day, hour),
                         **fields)


def _run(moment):
    """The reminder job as the worker runs it, at `moment`."""
    with time_machine.travel(moment, tick=False):
        return services.send_due_reminders()


def _emails():
    return {email.to_address: email for email in db.session.scalars(select(OutboxEmail))}


def _reminders():
    return db.session.scalars(select(Notification).where(
        Notification.notification_type == "lesson_reminder")).all()


@pytest.fixture()
def sched(make):
    s = Studio(make)
    s.student.email = "sam@example.test"
    return s


# ---------------------------------------------------------------- when


def test_the_reminder_goes_the_studios_lead_time_ahead(sched):
    sched.studio.reminder_lead_hours = 48
    lesson = _lesson(sched)

    assert _run(lesson.start_at - timedelta(hours=48) - MINUTE) == 0
    assert _run(lesson.start_at - timedelta(hours=48)) == 2
    assert lesson.reminder_sent_at == lesson.start_at - timedelta(hours=48)
    assert set(_emails()) == {"sam@example.test", sched.parent.email}


def test_the_default_lead_time_is_24_hours(sched):
    lesson = _lesson(sched)
    assert sched.studio.reminder_lead_hours == 24

    assert _run(lesson.start_at - timedelta(hours=30)) == 0
    assert _run(lesson.start_at - timedelta(hours=23)) == 2


def test_a_lead_time_of_zero_sends_no_reminders(sched):
    sched.studio.reminder_lead_hours = 0
    lesson = _lesson(sched)

    for hours in (48, 24, 1):
        assert _run(lesson.start_at - timedelta(hours=hours)) == 0
    assert _emails() == {} and _reminders() == [] and lesson.reminder_sent_at is None


def test_a_lesson_already_begun_is_not_reminded(sched):
    lesson = _lesson(sched)
    assert _run(lesson.start_at + MINUTE) == 0


# Lessons at 09:00 on the day the clocks change and the day after: the reminder goes 24 real
# hours ahead (08:00 or 10:00 on the eve when the change falls between) and names 09:00.
@pytest.mark.parametrize(("zone", "day", "zone_name", "eve_hour"), [
    ("America/New_York", date(2030, 3, 10), "Eastern Daylight Time", 8),
    ("America/New_York", date(2030, 3, 11), "Eastern Daylight Time", 9),
    ("America/New_York", date(2030, 11, 3), "Eastern Standard Time", 10),
    ("America/New_York", date(2030, 11, 4), "Eastern Standard Time", 9),
    ("Europe/London", date(2030, 3, 31), "British Summer Time", 8),
    ("Europe/London", date(2030, 4, 1), "British Summer Time", 9),
    ("Europe/London", date(2030, 10, 27), "Greenwich Mean Time", 10),
    ("Europe/London", date(2030, 10, 28), "Greenwich Mean Time", 9),
])
def test_reminders_across_dst_go_at_the_right_instant_and_name_the_local_time(
        make, zone, day, zone_name, eve_hour):
    s = Studio(make, zone)
    lesson = _lesson(s, day, 9)
    due = lesson.start_at - timedelta(hours=24)
    assert due.astimezone(s.tz).hour == eve_hour

    assert _run(due - MINUTE) == 0
    assert _run(due) == 1

    email = _emails()[s.parent.email]
    assert f"on {day:%A}, {day:%B} {day.day}, {day.year} at 9:00\u202fAM {zone_name}." in email.body_text
    assert f"Times are in the studio's timezone ({zone})." in email.body_text
    assert email.subject == f"Lesson reminder: {day:%b} {day.day}, {day.year}, 9:00\u202fAM"


# ---------------------------------------------------------------- whose clock


def test_each_reader_sees_the_time_in_their_own_timezone(sched):
    sched.parent.preferences = {"timezone": "Europe/Berlin"}
    _lesson(sched)

    _run(sched.at(WINTER_DAY, 8))

    emails = _emails()
    parent, student = emails[sched.parent.email], emails["sam@example.test"]
    assert "Tuesday, January 15, 2030 at 3:00\u202fPM Central European Standard Time" in parent.body_text
    assert "Times are in your timezone (Europe/Berlin)." in parent.body_text
    assert "3:00\u202fPM Central European Standard Time" in parent.body_html
    assert parent.subject == "Lesson reminder: Jan 15, 2030, 3:00\u202fPM"
    # The student's address has no account: the studio's clock, said so.
    assert "at 9:00\u202fAM Eastern Standard Time" in student.body_text
    assert "Times are in the studio's timezone (America/New_York)." in student.body_text
    [notification] = _reminders()
    assert "3:00\u202fPM Central European Standard Time" in notification.message


def test_an_account_without_a_timezone_reads_the_studios(sched):
    sched.parent.preferences = {"timezone": None}
    _lesson(sched)
    _run(sched.at(WINTER_DAY, 8))
    assert "9:00\u202fAM Eastern Standard Time" in _emails()[sched.parent.email].body_text


# ---------------------------------------------------------------- what it says


def test_the_reminder_says_who_with_whom_where_how_to_join_and_how_to_cancel(sched):
    lesson = _lesson(sched, room=sched.room, online_url="https://meet.example.test/sam")

    _run(sched.at(WINTER_DAY, 8))

    email = _emails()[sched.parent.email]
    for text in (email.body_text, email.body_html):
        assert "Sam Bennett has a lesson with Theo Marsh" in text
        assert "Room A" in text and "https://meet.example.test/sam" in text
        assert f"/lessons/{lesson.id}" in text
        assert "cancellation request" in text
        assert sched.studio.name in text
    assert email.body_html.startswith("<!doctype html>")


def test_the_reminder_of_a_moved_lesson_names_its_new_time(sched):
    lesson = _lesson(sched)
    with time_machine.travel(sched.at(WINTER_DAY - timedelta(days=3), 12), tick=False):
        moved = services.reschedule_lesson(sched.studio, sched.admin, lesson,
                                           start=sched.at(WINTER_DAY, 17)).lesson
    db.session.query(OutboxEmail).delete()  # the move notice

    assert _run(sched.at(WINTER_DAY, 8)) == 2
    assert "at 5:00\u202fPM Eastern Standard Time" in _emails()[sched.parent.email].body_text
    assert lesson.reminder_sent_at is None and moved.reminder_sent_at is not None


def test_a_lesson_moved_after_its_reminder_gets_one_reminder_of_its_new_time(sched):
    lesson = _lesson(sched)
    assert _run(lesson.start_at - timedelta(hours=24)) == 2  # names 9:00 on the 15th
    with time_machine.travel(lesson.start_at - timedelta(hours=20), tick=False):
        moved = services.reschedule_lesson(sched.studio, sched.admin, lesson,
                                           start=sched.at(WINTER_DAY + timedelta(days=2), 9)).lesson
    db.session.query(OutboxEmail).delete()  # the reminder of the 15th and the move notice

    assert _run(lesson.start_at - timedelta(hours=1)) == 0  # the old lesson is not reminded again
    assert _run(moved.start_at - timedelta(hours=24)) == 2
    assert "Thursday, January 17, 2030 at 9:00\u202fAM" in _emails()[sched.parent.email].body_text
    assert len(_reminders()) == 2  # one per lesson


def test_a_cancelled_lesson_gets_no_reminder(sched):
    lesson = _lesson(sched)
    with time_machine.travel(sched.at(WINTER_DAY, 8) - timedelta(days=2), tick=False):
        services.cancel_lesson(sched.studio, sched.admin, lesson, "Teacher ill", initiated_by="studio")
    db.session.query(OutboxEmail).delete()  # the cancellation notice

    assert _run(sched.at(WINTER_DAY, 8)) == 0
    assert _emails() == {} and _reminders() == []


# ---------------------------------------------------------------- once


def test_the_job_run_twice_reminds_once(app, sched):
    from app import jobs

    sched.student.user_id = sched.make.member(sched.studio, "student", email="sam@example.test").id
    _lesson(sched)
    db.session.commit()

    with time_machine.travel(sched.at(WINTER_DAY, 8), tick=False):
        assert jobs.send_lesson_reminders.call_local() == 2
        assert jobs.send_lesson_reminders.call_local() == 0
    db.session.rollback()
    assert len(_emails()) == len(db.session.scalars(select(OutboxEmail)).all()) == 2
    assert len(_reminders()) == 2


def test_reminding_a_lesson_again_queues_nothing_new(sched):
    lesson = _lesson(sched)
    assert remind_lesson(sched.studio, lesson) == 2
    assert remind_lesson(sched.studio, lesson) == 0
    assert len(db.session.scalars(select(OutboxEmail)).all()) == 2
    assert len(_reminders()) == 1


# ---------------------------------------------------------------- in the bell


def test_the_family_members_who_sign_in_are_notified_once_with_a_link(sched):
    sched.student.user_id = sched.make.member(sched.studio, "student", email="sam@example.test").id
    lesson = _lesson(sched)

    _run(sched.at(WINTER_DAY, 8))
    _run(sched.at(WINTER_DAY, 8, 30))

    notifications = _reminders()
    assert {n.user_id for n in notifications} == {sched.parent.id, sched.student.user_id}
    for notification in notifications:
        assert notification.link == f"/lessons/{lesson.id}"
        assert notification.dedupe_key == f"lesson-reminder:{lesson.id}"
        assert notification.title == "Lesson reminder: Sam Bennett, Jan 15, 2030, 9:00\u202fAM"
        assert "with Theo Marsh" in notification.message
    assert len({n.user_id for n in notifications}) == len(notifications)
    # The bell only: the reminder email is the one email.
    assert sorted(_emails()) == sorted(["sam@example.test", sched.parent.email])


def test_a_group_lessons_notifications_keep_classmates_private(sched, make):
    other_parent = make.member(sched.studio, "parent", email="okafor@example.test")
    other_family = make.family(sched.studio, guardians=[other_parent], name="Okafor")
    classmate = make.student(sched.studio, other_family, first_name="Zoë", last_name="Okafor")
    _lesson(sched, students=[sched.student, classmate], lesson_type="group")

    _run(sched.at(WINTER_DAY, 8))

    titles = {n.user_id: n.title for n in _reminders()}
    assert "Sam Bennett, Zoë," in titles[sched.parent.id] and "Okafor" not in titles[sched.parent.id]
    assert "Sam, Zoë Okafor," in titles[other_parent.id] and "Bennett" not in titles[other_parent.id]


@pytest.mark.parametrize("leaves", ["account", "membership"])
def test_a_deactivated_account_or_member_is_not_notified(sched, leaves):
    if leaves == "account":
        sched.parent.is_active = False
    else:
        sched.parent.membership_in(sched.studio.id).is_active = False
    _lesson(sched)
    _run(sched.at(WINTER_DAY, 8))
    assert _reminders() == []


def test_reminders_honour_each_studios_own_lead_time(sched, make):
    other = Studio(make, "Europe/London")
    other.studio.reminder_lead_hours = 2
    ours, theirs = _lesson(sched), _lesson(other, hour=14)  # both 14:00 UTC
    assert ours.start_at == theirs.start_at

    assert _run(ours.start_at - timedelta(hours=3)) == 2
    assert ours.reminder_sent_at is not None and theirs.reminder_sent_at is None
    assert _run(ours.start_at - timedelta(hours=2)) == 1


def test_a_reminder_sent_at_stays_utc_aware(sched):
    lesson = _lesson(sched)
    _run(sched.at(WINTER_DAY, 8))
    db.session.expire_all()
    assert lesson.reminder_sent_at == datetime(2030, 1, 15, 13, tzinfo=timezone.utc)
