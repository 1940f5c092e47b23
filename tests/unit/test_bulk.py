"""core.bulk.bulk_insert writes what an ORM insert would, on SQLite and on PostgreSQL."""
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from app.core import bulk
from app.extensions import db
from app.scheduling.models import Lesson


@pytest.fixture()
def place(make):
    studio = make.studio()
    teacher = make.teacher(studio)
    student = make.student(studio)
    db.session.flush()
    return studio, teacher, student


def test_rows_read_back_as_written_with_shared_values_and_defaults(ctx, place):
    studio, teacher, student = place
    start = datetime(2031, 5, 6, 14, 30, tzinfo=timezone.utc)
    rate = Decimal("42.50")  # one object shared by every row, as a series' template shares it
    rows = [{"studio_id": studio.id, "teacher_id": teacher.id, "student_id": student.id if n % 2 else None,
             "start_at": start + timedelta(days=7 * n), "end_at": start + timedelta(days=7 * n, minutes=45),
             "occurrence_date": date(2031, 5, 6) + timedelta(days=7 * n), "rate": rate,
             "lesson_type": "private", "status": "scheduled", "location": "", "online_url": "", "notes": "",
             "room_id": None}  # NULL in every row: left out of the insert
            for n in range(7)]
    bulk.bulk_insert(Lesson, rows, chunk=3)  # three batches
    lessons = db.session.scalars(select(Lesson).where(Lesson.studio_id == studio.id)
                                 .order_by(Lesson.start_at)).all()
    assert [(lesson.start_at, lesson.end_at, lesson.occurrence_date, lesson.rate, lesson.student_id)
            for lesson in lessons] == [(r["start_at"], r["end_at"], r["occurrence_date"], r["rate"],
                                        r["student_id"]) for r in rows]
    assert len({lesson.id for lesson in lessons}) == 7 and {lesson.room_id for lesson in lessons} == {None}
    assert all(isinstance(lesson.id, uuid.UUID) for lesson in lessons)
    assert all(lesson.created_at.tzinfo is not None and lesson.is_exception is False for lesson in lessons)
    assert all(lesson.cancellation_reason == "" for lesson in lessons)  # a scalar default filled in


def test_a_big_copy_on_postgresql_first_refreshes_its_parents_statistics(ctx, place, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("planner statistics and COPY are PostgreSQL's")
    studio, teacher, student = place  # inserted in this transaction: the planner sees no rows
    monkeypatch.setattr(bulk, "ANALYZE_FROM", 1)
    start = datetime(2031, 5, 6, 14, tzinfo=timezone.utc)
    bulk.bulk_insert(Lesson, [{"studio_id": studio.id, "teacher_id": teacher.id, "start_at": start,
                               "end_at": start + timedelta(hours=1), "lesson_type": "private",
                               "status": "scheduled", "location": "", "online_url": "", "notes": ""}])
    reltuples = db.session.execute(text(
        "SELECT relname, reltuples FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
        "AND relname IN ('teacher_profile', 'studio')")).all()
    assert dict(reltuples) == {"teacher_profile": 1, "studio": 1}


def test_uuid7s_ascend_carry_the_time_and_never_repeat():
    from app.core.db import uuid7s

    before = datetime.now(timezone.utc)
    ids = uuid7s(20_000) + uuid7s(3)
    assert ids[:20_000] == sorted(ids[:20_000]) and len(set(ids)) == len(ids)
    assert {u.version for u in ids} == {7} and {u.variant for u in ids} == {uuid.RFC_4122}
    made = datetime.fromtimestamp((ids[0].int >> 80) / 1000, timezone.utc)
    assert before - timedelta(seconds=1) <= made <= datetime.now(timezone.utc)
    assert uuid7s(0) == []


def _lesson_rows(place, count, day=0):
    studio, teacher, _student = place
    start = datetime(2031, 5, 6, 14, tzinfo=timezone.utc) + timedelta(days=day)
    return [{"studio_id": studio.id, "teacher_id": teacher.id, "start_at": start + timedelta(hours=n),
             "end_at": start + timedelta(hours=n, minutes=30), "lesson_type": "private",
             "status": "scheduled", "location": "", "online_url": "", "notes": ""} for n in range(count)]


def _studio_lessons(studio):
    return db.session.scalars(select(Lesson.start_at).where(Lesson.studio_id == studio.id)
                              .order_by(Lesson.start_at)).all()


def test_write_batches_writes_every_batch_in_order(ctx, place):
    # On PostgreSQL the batches are made on a thread of their own; elsewhere in turn.
    def batches():
        for day in range(4):
            yield Lesson, _lesson_rows(place, 3, day)

    bulk.write_batches(batches())
    assert len(_studio_lessons(place[0])) == 12


def test_a_batch_that_fails_to_be_made_fails_the_write_and_stops(ctx, place):
    made = []

    def batches():
        yield Lesson, _lesson_rows(place, 2)
        made.append("second")
        raise ValueError("no third batch")

    with pytest.raises(ValueError, match="no third batch"):
        bulk.write_batches(batches())
    assert made == ["second"]


def test_a_batch_the_database_refuses_stops_the_making_of_the_rest(ctx, place):
    made = []

    def batches():
        for day in range(50):
            made.append(day)
            rows = _lesson_rows(place, 2, day)
            if day == 1:
                rows[0]["end_at"] = rows[0]["start_at"]  # breaks ends_after_start
            yield Lesson, rows

    with pytest.raises(Exception, match="ends_after_start"):
        bulk.write_batches(batches())
    assert len(made) < 5  # made at most a batch or two ahead of the writes, then stopped
