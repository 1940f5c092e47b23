"""Attendance, retention and utilisation by month: the service's SQL against figures worked
out here, one lesson at a time, from the rows a seeded random studio holds. Lessons sit
close to midnight at month ends, so a month taken in UTC rather than the studio's time
would show; the range spans both DST changes of New York."""
import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone

import pytest

from app.billing.services import activity_reports as reports
from app.core.timeutil import add_months, month_start, months_between, zone
from app.extensions import db
from app.people.models import TeacherAvailability
from app.scheduling.models import Lesson

START, END = date(2025, 2, 10), date(2025, 11, 20)  # both ends inside a month
STATUSES = ("completed", "completed", "completed", "no_show", "cancelled", "scheduled")


def _local_month(studio, moment):
    return moment.astimezone(zone(studio.timezone)).date().replace(day=1)


def _local(studio, day, hour, minute):
    return datetime.combine(day, time(hour, minute), tzinfo=zone(studio.timezone)).astimezone(timezone.utc)


@pytest.fixture()
def random_studio(make):
    rng = random.Random(15)  # nosec B311 - a repeatable test studio, not a secret
    studio = make.studio(name="Oracle Studio", timezone="America/New_York")
    teachers = [make.teacher(studio, first_name=name, last_name="Teacher") for name in ("Ana", "Ben", "Cy")]
    students = [make.student(studio, first_name=f"S{i}") for i in range(12)]
    joined = {s.id: date(2024, 12, 1) + timedelta(days=rng.randrange(0, 300)) for s in students}
    left = {s.id: joined[s.id] + timedelta(days=rng.randrange(40, 400)) for s in students}
    for teacher in teachers[:2]:
        for _ in range(3):
            hour = rng.randrange(8, 18)
            db.session.add(TeacherAvailability(studio_id=studio.id, teacher_id=teacher.id,
                                               weekday=rng.randrange(7), start_time=time(hour),
                                               end_time=time(hour + rng.randrange(1, 5), 30)))
    make.closure(studio, date(2025, 7, 1), date(2025, 7, 10))
    day = date(2024, 12, 1)
    while day <= date(2025, 12, 31):
        for _ in range(rng.randrange(0, 3)):
            hour, minute = rng.choice([(0, 10), (23, 40), (16, 0), (12, 30)])
            enrolled = [s for s in students if joined[s.id] <= day <= left[s.id]]
            if not enrolled:
                continue
            group = rng.sample(enrolled, min(len(enrolled), rng.choice((1, 1, 1, 2, 3))))
            status = rng.choice(STATUSES)
            lesson = make.lesson(studio, rng.choice(teachers), group, start=_local(studio, day, hour, minute),
                                 minutes=rng.choice((30, 45, 60)), status=status,
                                 lesson_type="group" if len(group) > 1 else "private")
            for attendee in lesson.attendees:
                attendee.attendance = {"completed": rng.choice(("present", "present", "absent", "excused")),
                                       "no_show": "absent", "cancelled": "excused"}.get(status, "pending")
        day += timedelta(days=rng.choice((1, 2, 5)))
    db.session.flush()
    return studio


def _lessons(studio):
    return db.session.scalars(db.select(Lesson).where(Lesson.studio_id == studio.id)).all()


def _in_range(studio, lesson, first=START, last=END):
    return first <= lesson.start_at.astimezone(zone(studio.timezone)).date() <= last


def test_attendance_by_month_matches_the_attendee_rows(random_studio):
    studio = random_studio
    expected = defaultdict(Counter)
    for lesson in _lessons(studio):
        if lesson.status in ("completed", "no_show") and _in_range(studio, lesson):
            for attendee in lesson.attendees:
                kind = "no_show" if lesson.status == "no_show" else attendee.attendance
                expected[_local_month(studio, lesson.start_at)][kind] += 1

    rows = reports.attendance_by_month(studio, START, END)

    assert [r.month for r in rows] == list(months_between(START, END))
    for row in rows:
        counts = expected[row.month]
        assert (row.present, row.absent, row.excused, row.no_show) == (
            counts["present"], counts["absent"], counts["excused"], counts["no_show"]), row.month
        expected_total = counts["present"] + counts["absent"] + counts["no_show"]
        if expected_total:
            assert abs(float(row.rate) - 100 * counts["present"] / expected_total) <= 0.051
        else:
            assert row.rate is None
    assert sum(r.recorded for r in rows) > 50


def test_retention_by_month_matches_each_students_months(random_studio):
    studio = random_studio
    months_of = defaultdict(set)
    first_month = {}
    for lesson in _lessons(studio):
        if lesson.status == "cancelled":
            continue
        for attendee in lesson.attendees:
            month = _local_month(studio, lesson.start_at)
            months_of[attendee.student_id].add(month)
            first_month[attendee.student_id] = min(month, first_month.get(attendee.student_id, month))

    rows = reports.retention_by_month(studio, START, END)

    assert [r.month for r in rows] == list(months_between(START, END))
    for row in rows:
        before = add_months(row.month, -1)
        active = {s for s, months in months_of.items() if row.month in months}
        active_before = {s for s, months in months_of.items() if before in months}
        assert row.active == len(active), row.month
        assert row.active_before == len(active_before), row.month
        assert row.churned == len(active_before - active), row.month
        assert row.new == sum(1 for s in active if first_month[s] == row.month), row.month
        if active_before:
            churn = 100 * len(active_before - active) / len(active_before)
            assert abs(float(row.churn_rate) - churn) <= 0.051
    assert sum(r.churned for r in rows) > 0 and sum(r.new for r in rows) > 0


def _available(studio, teacher, first, last, closed):
    tz = zone(studio.timezone)
    minutes = 0
    day = first
    while day <= last:
        if day not in closed:
            for window in teacher.availability:
                if window.weekday == day.weekday():
                    begin = datetime.combine(day, window.start_time, tzinfo=tz).astimezone(timezone.utc)
                    end = datetime.combine(day, window.end_time, tzinfo=tz).astimezone(timezone.utc)
                    minutes += int((end - begin).total_seconds()) // 60
        day += timedelta(days=1)
    return minutes


def test_utilisation_matches_lessons_and_availability(random_studio):
    studio = random_studio
    closed = {date(2025, 7, 1) + timedelta(days=i) for i in range(10)}
    taught = defaultdict(lambda: [0, 0])
    for lesson in _lessons(studio):
        if lesson.status in ("completed", "no_show") and _in_range(studio, lesson):
            entry = taught[lesson.teacher_id, _local_month(studio, lesson.start_at)]
            entry[0] += 1
            entry[1] += int((lesson.end_at - lesson.start_at).total_seconds()) // 60

    rows = reports.teacher_utilisation(studio, START, END)

    assert [r.teacher.full_name for r in rows] == ["Ana Teacher", "Ben Teacher", "Cy Teacher"]
    for row in rows:
        assert [m.month for m in row.months] == list(months_between(START, END))
        for month in row.months:
            first = max(month.month, START)
            last = min(add_months(month.month, 1) - timedelta(days=1), END)
            assert [month.lessons, month.taught_minutes] == taught[row.teacher.id, month.month]
            available = _available(studio, row.teacher, first, last, closed)
            assert month.available_minutes == available, month.month
            if month.available_minutes:
                share = 100 * month.taught_minutes / month.available_minutes
                assert abs(float(month.utilisation) - share) <= 0.051
            else:
                assert month.utilisation is None
    cy = rows[2]
    assert cy.total.available_minutes == 0 and cy.total.lessons > 0
    only = reports.teacher_utilisation(studio, START, END, teacher_id=rows[0].teacher.id)
    assert [r.teacher.id for r in only] == [rows[0].teacher.id]


def test_reports_of_a_studio_leave_other_studios_out(make):
    ours, theirs = make.studio(name="Ours"), make.studio(name="Theirs")
    lessons = [make.lesson(studio, start=_local(studio, date(2025, 3, day), 16, 0), status="completed")
               for studio, day in ((ours, 3), (theirs, 4), (theirs, 5))]
    for lesson in lessons:
        lesson.attendees[0].attendance = "present"
    db.session.flush()
    march = (date(2025, 3, 1), date(2025, 3, 31))

    assert [r.present for r in reports.attendance_by_month(ours, *march)] == [1]
    assert [r.active for r in reports.retention_by_month(ours, *march)] == [1]
    assert [r.total.lessons for r in reports.teacher_utilisation(ours, *march)] == [1]
    assert [r.present for r in reports.attendance_by_month(theirs, *march)] == [2]


def test_empty_studio_gives_empty_months(make):
    studio = make.studio(name="Empty", timezone="Asia/Tokyo")
    rows = reports.attendance_by_month(studio, date(2025, 1, 1), date(2025, 3, 31))
    assert [(r.month, r.recorded, r.rate) for r in rows] == [
        (month_start(date(2025, m, 1)), 0, None) for m in (1, 2, 3)]
    retention = reports.retention_by_month(studio, date(2025, 1, 1), date(2025, 3, 31))
    assert [r.churn_rate for r in retention] == [None] * 3
    assert reports.teacher_utilisation(studio, date(2025, 1, 1), date(2025, 3, 31)) == []
