"""Reading lessons: filtered, role-restricted SELECTs shared by the pages, the API and feeds."""
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.errors import ValidationFailed
from app.extensions import db
from app.scheduling.models import Lesson, LessonAttendee
from app.scheduling.policies import restrict_lessons
from app.scheduling.services.common import MAX_RANGE_DAYS, day_bounds


def lesson_query(principal, *, teacher=None, student=None, room=None, status=None,
                 start_date=None, end_date=None, start=None, end=None, lesson_type=None, series=None):
    """SELECT of the lessons `principal` may see, filtered. Dates are inclusive local dates;
    `start`/`end` are UTC instants (lessons overlapping [start, end))."""
    studio = principal.studio
    stmt = restrict_lessons(select(Lesson).where(Lesson.studio_id == studio.id), principal)
    if teacher is not None:
        stmt = stmt.where(Lesson.teacher_id == teacher)
    if room is not None:
        stmt = stmt.where(Lesson.room_id == room)
    if student is not None:
        stmt = stmt.where(Lesson.id.in_(select(LessonAttendee.lesson_id).where(
            LessonAttendee.studio_id == studio.id, LessonAttendee.student_id == student)))
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        stmt = stmt.where(Lesson.status.in_(statuses))
    if lesson_type:
        stmt = stmt.where(Lesson.lesson_type == lesson_type)
    if series is not None:
        stmt = stmt.where(Lesson.series_id == series)
    if start_date is not None:
        stmt = stmt.where(Lesson.start_at >= day_bounds(studio, start_date, start_date)[0])
    if end_date is not None:
        stmt = stmt.where(Lesson.start_at < day_bounds(studio, end_date, end_date)[1])
    if start is not None:
        stmt = stmt.where(Lesson.end_at > start, Lesson.start_at > start - timedelta(hours=12))
    if end is not None:
        stmt = stmt.where(Lesson.start_at < end)
    return stmt.options(selectinload(Lesson.attendees))


def check_range(first_day, last_day, limit=MAX_RANGE_DAYS, names=("start", "end")):
    if last_day < first_day:
        raise ValidationFailed(field_errors={names[1]: [f"Must be on or after {names[0]}."]})
    if (last_day - first_day).days >= limit:
        raise ValidationFailed(field_errors={names[1]: [f"Ask for at most {limit} days at a time."]})


def lessons_between(principal, first_day, last_day, **filters):
    """Lessons on the local dates first_day..last_day (at most ~two months), by start."""
    check_range(first_day, last_day)
    start, end = day_bounds(principal.studio, first_day, last_day)
    stmt = lesson_query(principal, start=start, end=end, **filters)
    return db.session.scalars(stmt.order_by(Lesson.start_at, Lesson.id)).unique().all()


def upcoming_lessons(principal, now, limit=5, **filters):
    stmt = lesson_query(principal, start=now, status="scheduled", **filters)
    return db.session.scalars(stmt.order_by(Lesson.start_at).limit(limit)).unique().all()
