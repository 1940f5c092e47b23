"""Recurring series: creation, closures, DST, clashes, edits, ending, the horizon job."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.scheduling import services
from app.scheduling.models import Lesson, RecurringSeries
from app.scheduling.recurrence import HORIZON_WEEKS

TUESDAY = 1


def _series(s, **fields):
    fields = {
        "teacher": s.teacher,
        "student": s.student,
        "frequency": "weekly",
        "day_of_week": TUESDAY,
        "start_time": time(16),
        "duration_minutes": 30,
        "start_date": date(2025, 1, 6),
        "today": date(2025, 1, 6),
        **fields,
    }
    placed = {name: fields.pop(name) for name in ("lesson_type", "room", "location", "online_url", "rate",
                                                  "notes") if name in fields}
    placement = services.Placement(teacher=fields.pop("teacher"), students=(fields.pop("student"),), **placed)
    options = {name: fields.pop(name) for name in ("today", "confirm_warnings") if name in fields}
    return services.create_series(s.studio, s.admin, placement, services.Pattern(**fields), **options)


def _lessons(series):
    return db.session.scalars(
        select(Lesson).where(Lesson.series_id == series.id).order_by(Lesson.start_at)
    ).all()


def test_a_series_with_an_end_date_creates_every_occurrence(sched):
    series, lessons = _series(sched, end_date=date(2025, 7, 1))
    assert len(lessons) == 26
    assert series.generated_until == date(2025, 7, 1)
    assert {lesson.start_at.astimezone(sched.tz).time() for lesson in lessons} == {time(16)}
    assert all(lesson.student_id == sched.student.id and lesson.occurrence_date for lesson in lessons)


def test_a_series_without_an_end_date_fills_the_rolling_horizon(sched):
    series, lessons = _series(sched)
    assert len(lessons) == HORIZON_WEEKS
    assert series.generated_until == date(2025, 1, 6) + timedelta(weeks=HORIZON_WEEKS)


def test_dst_changes_keep_the_local_time_in_new_york(sched):
    _series_obj, lessons = _series(sched, end_date=date(2025, 12, 31))
    assert {lesson.start_at.astimezone(sched.tz).strftime("%H:%M") for lesson in lessons} == {"16:00"}
    offsets = {lesson.start_at.astimezone(sched.tz).utcoffset() for lesson in lessons}
    assert offsets == {timedelta(hours=-5), timedelta(hours=-4)}


def test_closures_are_skipped(sched):
    sched.make.closure(sched.studio, date(2025, 1, 14), date(2025, 1, 21), name="Winter break")
    _series_obj, lessons = _series(sched, end_date=date(2025, 2, 4))
    assert [lesson.occurrence_date for lesson in lessons] == [
        date(2025, 1, 7),
        date(2025, 1, 28),
        date(2025, 2, 4),
    ]


def test_a_series_whose_time_falls_into_a_dst_gap_is_a_clear_400(sched):
    with pytest.raises(ValidationFailed) as caught:
        _series(sched, day_of_week=6, start_time=time(2, 30), end_date=date(2025, 4, 1))
    assert "2025-03-09" in caught.value.detail
    assert "time" in caught.value.field_errors


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"day_of_week": None}, "day_of_week"),
        ({"day_of_week": 7}, "day_of_week"),
        ({"frequency": "daily"}, "frequency"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": -30}, "duration_minutes"),
        ({"duration_minutes": 24 * 60}, "duration_minutes"),
        ({"end_date": date(2024, 12, 1)}, "end_date"),
        ({"end_date": date(2030, 1, 1)}, "end_date"),
        ({"start_date": None}, "start_date"),
    ],
)
def test_bad_series_input_is_a_400(sched, fields, field):
    with pytest.raises(ValidationFailed) as caught:
        _series(sched, **fields)
    assert field in caught.value.field_errors


def test_every_clash_is_reported_and_nothing_is_created(sched):
    first = sched.at(date(2025, 1, 14), 16)
    sched.make.lesson(sched.studio, sched.teacher, [sched.sibling], start=first)
    sched.make.lesson(
        sched.studio, sched.other_teacher, [sched.student], start=first + timedelta(weeks=2, minutes=15)
    )
    with pytest.raises(Conflict) as caught:
        _series(sched, end_date=date(2025, 3, 1))
    conflicts = caught.value.extra["conflicts"]
    assert {(c["type"], c["date"]) for c in conflicts} == {
        ("teacher", "2025-01-14"),
        ("student", "2025-01-28"),
    }
    assert db.session.scalar(select(RecurringSeries.id)) is None


def test_editing_the_series_moves_untouched_future_lessons_only(sched):
    series, lessons = _series(sched, end_date=date(2025, 3, 25))
    lessons[0].status = "completed"
    lessons[1].billed_line_item_id = lessons[1].id
    services.cancel_lesson(sched.studio, sched.admin, lessons[2], "Sick")
    services.update_lesson(
        sched.studio, sched.admin, lessons[3],
        services.LessonChanges(start=lessons[3].start_at + timedelta(hours=1)),
    )
    services.update_series(
        sched.studio,
        sched.admin,
        series,
        start_time=time(17),
        effective_from=date(2025, 1, 6),
        today=date(2025, 1, 6),
    )
    after = _lessons(series)
    local = {
        lesson.occurrence_date: lesson.start_at.astimezone(sched.tz).strftime("%H:%M")
        for lesson in after
        if lesson.status != "cancelled"
    }
    assert local[date(2025, 1, 7)] == "16:00"  # completed
    assert local[date(2025, 1, 14)] == "16:00"  # billed
    assert local[date(2025, 1, 28)] == "17:00"  # changed on its own (16:00 + 1h), left alone
    assert local[date(2025, 2, 4)] == "17:00" and local[date(2025, 3, 25)] == "17:00"
    assert {lesson.id for lesson in after} >= {lesson.id for lesson in lessons}  # moved in place, same ids
    assert series.start_time == time(17)


def test_changing_the_weekday_replaces_untouched_lessons(sched):
    series, lessons = _series(sched, end_date=date(2025, 2, 4))
    services.update_series(
        sched.studio,
        sched.admin,
        series,
        day_of_week=3,
        effective_from=date(2025, 1, 20),
        today=date(2025, 1, 6),
    )
    days = [lesson.occurrence_date for lesson in _lessons(series)]
    assert days == [date(2025, 1, 7), date(2025, 1, 14), date(2025, 1, 23), date(2025, 1, 30)]


def test_editing_a_series_refuses_clashes_and_changes_nothing(sched):
    series, lessons = _series(sched, end_date=date(2025, 2, 4))
    sched.make.lesson(sched.studio, sched.teacher, [sched.sibling], start=sched.at(date(2025, 1, 28), 17))
    with pytest.raises(Conflict) as caught:
        services.update_series(
            sched.studio,
            sched.admin,
            series,
            start_time=time(17),
            effective_from=date(2025, 1, 6),
            today=date(2025, 1, 6),
        )
    assert [c["date"] for c in caught.value.extra["conflicts"]] == ["2025-01-28"]
    db.session.rollback()


def test_this_and_following_changes_the_pattern_from_that_lesson(sched):
    series, lessons = _series(sched, end_date=date(2025, 2, 25))
    booking = services.update_following(
        sched.studio, sched.admin, lessons[2],
        services.LessonChanges(start=lessons[2].start_at + timedelta(hours=2)),
    )
    times = [lesson.start_at.astimezone(sched.tz).strftime("%H:%M") for lesson in _lessons(series)]
    assert times == ["16:00", "16:00", "18:00", "18:00", "18:00", "18:00", "18:00", "18:00"]
    assert booking.lesson.id == lessons[2].id


def test_ending_a_series_cancels_future_lessons_and_keeps_the_past(sched):
    series, lessons = _series(sched, start_date=date(2025, 1, 6), end_date=date(2025, 3, 1))
    now = sched.at(date(2025, 1, 20), 12)
    lessons[0].status = "completed"
    services.end_series(sched.studio, sched.admin, series, now=now)
    statuses = [lesson.status for lesson in _lessons(series)]
    assert statuses[:2] == ["completed", "scheduled"]
    assert set(statuses[2:]) == {"cancelled"}
    assert all(
        lesson.cancellation_reason == "Series ended" and lesson.cancellation_outcome == "no_charge"
        for lesson in _lessons(series)[2:]
    )
    assert not series.is_active and series.end_date == date(2025, 1, 20)


def test_the_horizon_job_extends_open_series_and_skips_clashes(sched):
    series, lessons = _series(sched)
    later = date(2025, 1, 6) + timedelta(weeks=4)
    clash_day = series.generated_until + timedelta(days=(TUESDAY - series.generated_until.weekday()) % 7 or 7)
    sched.make.lesson(sched.studio, sched.teacher, [sched.sibling], start=sched.at(clash_day, 16))
    created = services.series.extend_series(sched.studio, series, today=later)
    assert len(created) == 3  # four new weeks, one of them taken by another lesson
    assert series.generated_until == later + timedelta(weeks=HORIZON_WEEKS)
    assert services.series.extend_series(sched.studio, series, today=later) == []


def _pattern(s, teacher, student, room=None, start=date(2025, 1, 6), end=date(2025, 3, 31)):
    series = RecurringSeries(studio_id=s.studio.id, teacher_id=teacher.id, student_id=student.id,
                             room_id=room.id if room else None, frequency="weekly", day_of_week=TUESDAY,
                             start_time=time(16), duration_minutes=30, start_date=start, end_date=end,
                             lesson_type="private", rate=Decimal("40.00"))
    db.session.add(series)
    db.session.flush()
    return series


def test_generating_many_patterns_at_once_checks_them_against_each_other(sched):
    first = _pattern(sched, sched.teacher, sched.student, sched.room)
    same_teacher = _pattern(sched, sched.teacher, sched.sibling)
    same_room = _pattern(sched, sched.other_teacher, sched.sibling, sched.room)
    free = _pattern(sched, sched.other_teacher, sched.sibling, start=date(2025, 1, 8))
    free.day_of_week = 3
    created = services.series.extend_many(sched.studio, [first, same_teacher, same_room, free],
                                          today=date(2025, 1, 6))
    weeks = len(_lessons(first))
    assert weeks == 12 and len(created) == 2 * weeks
    assert _lessons(same_teacher) == [] and _lessons(same_room) == []
    lesson = _lessons(first)[0]
    assert lesson.student_ids == [sched.student.id] and lesson.attendees[0].attendance == "pending"
    assert lesson.rate == Decimal("40.00") and lesson.room_id == sched.room.id
    assert lesson.start_at.astimezone(sched.tz).time() == time(16)
    assert {s.generated_until for s in (first, same_teacher, same_room, free)} == {date(2025, 3, 31)}
    assert services.series.extend_many(sched.studio, [first, free], today=date(2025, 1, 6)) == []


def test_lessons_generated_together_get_ids_in_the_order_of_their_start(sched):
    # Two patterns a day apart, made in the opposite order: ids follow the calendar, so the
    # bulk insert adds to every index at its end.
    thursday = _pattern(sched, sched.teacher, sched.student, start=date(2025, 1, 9))
    thursday.day_of_week = 3
    tuesday = _pattern(sched, sched.other_teacher, sched.sibling)
    created = services.series.extend_many(sched.studio, [thursday, tuesday], today=date(2025, 1, 6))
    lessons = _lessons(thursday) + _lessons(tuesday)
    assert len(created) == len(lessons) == 24
    by_start = [lesson.id for lesson in sorted(lessons, key=lambda lesson: lesson.start_at)]
    assert by_start == sorted(by_start) == created
    assert {lesson.id.version for lesson in lessons} == {7}
    assert {a.id.version for lesson in lessons for a in lesson.attendees} == {7}


def test_generation_skips_a_student_busy_elsewhere_and_a_booked_room(sched):
    day = date(2025, 1, 14)
    sched.make.lesson(sched.studio, sched.other_teacher, [sched.student], start=sched.at(day, 16))
    series = _pattern(sched, sched.teacher, sched.student)
    created = services.series.extend_many(sched.studio, [series], today=date(2025, 1, 6))
    assert day not in {lesson.occurrence_date for lesson in _lessons(series)}
    assert len(created) == 11


def test_generation_skips_what_a_long_lesson_begun_hours_earlier_still_covers(sched):
    # A three-hour workshop from 13:30 still runs at 16:00 and takes that week's slot; an
    # hour from 15:00 ends as the slot begins and leaves it free.
    workshop_day, short_day = date(2025, 1, 14), date(2025, 1, 21)
    sched.make.lesson(sched.studio, sched.teacher, [sched.sibling], start=sched.at(workshop_day, 13, 30),
                      minutes=180)
    sched.make.lesson(sched.studio, sched.teacher, [sched.sibling], start=sched.at(short_day, 15),
                      minutes=60)
    series = _pattern(sched, sched.teacher, sched.student)
    services.series.extend_many(sched.studio, [series], today=date(2025, 1, 6))
    days = {lesson.occurrence_date for lesson in _lessons(series)}
    assert workshop_day not in days and short_day in days


def test_the_rate_defaults_to_the_students_rate(sched):
    sched.student.default_lesson_rate = Decimal("42.50")
    series, lessons = _series(sched, end_date=date(2025, 1, 31))
    assert series.rate == Decimal("42.50") and {lesson.rate for lesson in lessons} == {Decimal("42.50")}


def test_the_jobs_extend_horizons_and_send_reminders_and_commit(app, sched):
    from app import jobs
    from app.core.timeutil import local_today

    today = local_today(sched.studio)
    series, lessons = _series(sched, start_date=today, today=today - timedelta(weeks=2))
    sched.student.email = "sam@example.test"
    db.session.commit()
    assert jobs.extend_lesson_horizons.call_local() == 2
    assert jobs.send_lesson_reminders.call_local() >= 0
    db.session.rollback()
    assert db.session.get(RecurringSeries, series.id).generated_until == today + timedelta(weeks=26)


def test_shortening_the_end_date_cancels_the_lessons_after_it(sched):
    series, lessons = _series(sched, end_date=date(2025, 2, 25))
    lessons[-1].billed_line_item_id = lessons[-1].id  # billed in advance: never touched
    services.update_series(
        sched.studio, sched.admin, series, end_date=date(2025, 2, 5), today=date(2025, 1, 6)
    )
    statuses = {lesson.occurrence_date: lesson.status for lesson in _lessons(series)}
    assert [statuses[d] for d in sorted(statuses)] == ["scheduled"] * 5 + [
        "cancelled",
        "cancelled",
        "scheduled",
    ]


def test_a_monthly_series_keeps_its_weekday_of_the_month(sched):
    _series_obj, lessons = _series(
        sched, frequency="monthly", start_date=date(2025, 1, 8), end_date=date(2025, 4, 30)
    )
    assert [lesson.occurrence_date for lesson in lessons] == [
        date(2025, 1, 14),
        date(2025, 2, 11),
        date(2025, 3, 11),
        date(2025, 4, 8),
    ]
