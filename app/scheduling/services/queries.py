"""Reading lessons: filtered, role-restricted SELECTs shared by the pages, the API and feeds."""
import uuid
from collections import namedtuple
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from itertools import chain, groupby
from operator import attrgetter

from sqlalchemy import DateTime, TypeDecorator, Uuid, bindparam, case, func, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql.functions import FunctionElement

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.core.timeutil import day_bounds, local_today
from app.extensions import db
from app.people.models import Student, TeacherProfile
from app.scheduling.models import Lesson, LessonAttendee, Room
from app.scheduling.policies import restrict_lessons
from app.scheduling.services.common import MAX_RANGE_DAYS


def lesson_query(principal, **filters):
    """SELECT of the lessons `principal` may see, filtered. Dates are inclusive local dates;
    `start`/`end` are UTC instants (lessons overlapping [start, end))."""
    return filter_lessons(select(Lesson), principal, **filters).options(selectinload(Lesson.attendees))


def filter_lessons(stmt, principal, *, teacher=None, student=None, room=None, status=None,
                   start_date=None, end_date=None, start=None, end=None, lesson_type=None, series=None):
    """`stmt` (a SELECT from lessons, of whole lessons or some columns) limited to the lessons
    `principal` may see and filtered as `lesson_query` describes."""
    studio = principal.studio
    stmt = restrict_lessons(stmt.where(Lesson.studio_id == studio.id), principal)
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
    return stmt


def lessons_per_day(principal, first_day, last_day, **filters):
    """{local date: how many lessons start that day} for first_day..last_day."""
    start, end = day_bounds(principal.studio, first_day, last_day)
    stmt = filter_lessons(select(Lesson.id), principal, start=start, end=end, **filters)
    return _starts_per_day(stmt, principal.studio, first_day, last_day)


def _starts_per_day(stmt, studio, first_day, last_day):
    """{local date: how many of the lessons `stmt` selects start that day} for first_day..
    last_day, counted by the database in one row: a column per midnight counts the lessons
    starting before it."""
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    midnights = [day_bounds(studio, day, day)[0] for day in days]
    midnights.append(day_bounds(studio, last_day, last_day)[1])
    before = [func.count(case((Lesson.start_at < moment, Lesson.id))) for moment in midnights]
    totals = db.session.execute(stmt.with_only_columns(*before).order_by(None)).one()
    return {day: totals[n + 1] - totals[n] for n, day in enumerate(days)}


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


class IdText(TypeDecorator):
    """An id read as the text the API shows (8-4-4-4-12 lowercase hex digits), without a
    UUID object per value: for thousands of lessons those cost more than the query.
    PostgreSQL writes that text itself (`_IdAsText`); SQLite stores Uuid's 32 hex digits."""

    impl = Uuid
    cache_ok = True

    def result_processor(self, dialect, coltype):
        return None if dialect.supports_native_uuid else _hyphenated


def _hyphenated(digits):
    if digits is None:
        return None
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


class _IdAsText(FunctionElement):
    """A uuid column read as IdText: cast to text by PostgreSQL, as stored elsewhere."""

    type = IdText()
    name = "id_as_text"
    inherit_cache = True


@compiles(_IdAsText)
def _as_stored(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_IdAsText, "postgresql")
def _cast_to_text(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


def _text(uuid_column, name=None):
    """The id column, read as text."""
    return _IdAsText(uuid_column).label(name or uuid_column.key)


def _moment(column):
    """As stored: naive values are UTC (see core.db.UTCDateTime), which is how the API's
    UTCDateTime field reads them; skipping the per-value conversion saves thousands."""
    return type_coerce(column, DateTime(timezone=True)).label(column.key)


# What LessonSchema shows of a lesson and of its attendees, as plain columns.
_ATTENDEE = aliased(Student)
LESSON_COLUMNS = (
    _text(Lesson.id), _text(Lesson.teacher_id), _text(Lesson.student_id), _text(Lesson.room_id),
    Lesson.location, Lesson.online_url, _moment(Lesson.start_at), _moment(Lesson.end_at),
    Lesson.lesson_type, Lesson.status, Lesson.rate, Lesson.notes, _text(Lesson.series_id),
    Lesson.occurrence_date, _text(Lesson.rescheduled_from_id), Lesson.cancellation_reason,
    _moment(Lesson.cancelled_at), _text(Lesson.cancelled_by_id), Lesson.cancellation_outcome,
    _moment(Lesson.attendance_taken_at), Lesson.billed_line_item_id.is_not(None).label("is_billed"),
    _moment(Lesson.created_at), _moment(Lesson.updated_at),
    User.first_name.label("teacher_first_name"), User.last_name.label("teacher_last_name"),
    User.email.label("teacher_email"), TeacherProfile.calendar_color.label("teacher_color"),
    Room.name.label("room_name"), Student.first_name.label("student_first_name"),
    Student.last_name.label("student_last_name"), Student.instrument.label("student_instrument"),
    _text(LessonAttendee.student_id, "attendee_id"), LessonAttendee.attendance,
    _ATTENDEE.first_name.label("attendee_first_name"), _ATTENDEE.last_name.label("attendee_last_name"),
)
# Reading a named tuple's fields is many times quicker than reading a result row's.
LessonRow = namedtuple("LessonRow", [column.key for column in LESSON_COLUMNS])


def _lesson_rows_select():
    return (
        select(*LESSON_COLUMNS)
        .join(TeacherProfile, TeacherProfile.id == Lesson.teacher_id)
        .join(User, User.id == TeacherProfile.user_id)
        .outerjoin(Room, Room.id == Lesson.room_id)
        .outerjoin(Student, Student.id == Lesson.student_id)
        .outerjoin(LessonAttendee, LessonAttendee.lesson_id == Lesson.id)
        .outerjoin(_ATTENDEE, _ATTENDEE.id == LessonAttendee.student_id)
    )


@cache
def _rows_of_ids():
    """Built once: a page of lessons by id (the statement's cache key is computed once too)."""
    return _lesson_rows_select().where(
        Lesson.studio_id == bindparam("studio_id"), Lesson.id.in_(bindparam("ids", expanding=True)),
    ).order_by(Lesson.id, LessonAttendee.created_at, LessonAttendee.id)


def lesson_rows_statement():
    """The statement `lesson_rows` runs (what it reads, for results kept by `versions.kept`)."""
    return _rows_of_ids()


def lesson_rows(studio, lesson_ids):
    """(lesson, attendees) rows, as `lesson_rows_between` gives them, of the lessons with these
    ids (a page of a list, already chosen and ordered), in the order of `lesson_ids`."""
    if not lesson_ids:
        return []
    rows = db.session.connection().execute(_rows_of_ids(), {"studio_id": studio.id, "ids": list(lesson_ids)})
    found = {lesson.id: (lesson, attendees) for lesson, attendees in _by_lesson(map(LessonRow._make, rows))}
    return [found[str(lesson_id)] for lesson_id in lesson_ids if str(lesson_id) in found]


def lesson_rows_between(principal, first_day, last_day, **filters):
    """What `lessons_between` finds, as plain rows for showing thousands at once.

    Yields (lesson, attendees) in order: the lesson's row carries its teacher's name, email
    and colour, its room's name and its one student's; each attendee's row (the lesson's row
    again, once per attendee) adds the attendee's id, attendance and name. Rows are read as
    they are needed, so read them all within the request."""
    return lesson_rows_of(lesson_rows_between_statement(principal, first_day, last_day, **filters))


def lesson_rows_between_statement(principal, first_day, last_day, **filters):
    """The statement of `lesson_rows_between`, to run with `lesson_rows_of`."""
    check_range(first_day, last_day)
    start, end = day_bounds(principal.studio, first_day, last_day)
    stmt = _lesson_rows_select().order_by(Lesson.start_at, Lesson.id, LessonAttendee.created_at,
                                          LessonAttendee.id)
    return filter_lessons(stmt, principal, start=start, end=end, **filters)


def lesson_rows_of(stmt):
    # Executed on the connection, rows come a few hundred at a time (the ORM would hold them all).
    rows = chain.from_iterable(db.session.connection().execute(stmt).partitions(500))
    return _by_lesson(map(LessonRow._make, rows))


def _by_lesson(rows):
    for _id, group in groupby(rows, key=attrgetter("id")):
        group = list(group)
        yield group[0], [row for row in group if row.attendee_first_name is not None]


def upcoming_lessons(principal, now, limit=5, **filters):
    stmt = lesson_query(principal, start=now, status="scheduled", **filters)
    return db.session.scalars(stmt.order_by(Lesson.start_at).limit(limit)).unique().all()


def agenda_lessons(principal, teacher_id=None, day=None, *, limit=None, now=None):
    """Lessons of one local day (today by default), for a teacher or the whole studio, in time
    order. With `limit`, at most that many around `now`: the lessons not over yet from the
    earliest on and, when fewer are left, the latest of those over (at the end of the day)."""
    stmt = _of_day(select(Lesson), principal, teacher_id, day)
    if limit is not None:  # chosen by id first: only those shown are joined to their people
        over = Lesson.end_at <= (now or utcnow())
        window = _of_day(select(Lesson.id), principal, teacher_id, day).order_by(
            case((over, 1), else_=0), case((~over, Lesson.start_at)), Lesson.start_at.desc(), Lesson.id)
        stmt = select(Lesson).where(Lesson.id.in_(window.limit(limit)))
    stmt = stmt.options(selectinload(Lesson.attendees)).order_by(Lesson.start_at, Lesson.id)
    return db.session.scalars(stmt).unique().all()


def count_agenda_lessons(principal, teacher_id=None, day=None):
    """How many lessons `agenda_lessons` finds without a limit."""
    return db.session.scalar(_of_day(select(func.count(Lesson.id)), principal, teacher_id, day))


def _of_day(stmt, principal, teacher_id, day):
    day = day or local_today(principal.studio)
    start, end = day_bounds(principal.studio, day, day)
    filters = {"teacher": teacher_id} if teacher_id else {}
    return filter_lessons(stmt, principal, start=start, end=end, **filters)


def _attendance_missing(principal, until, teacher_id=None):
    """Lessons that had ended by `until` with their attendance still to take (and takeable:
    not billed). Found by ix_lesson_studio_status_start_id: the scheduled lessons that
    started before `until` (which every lesson ended by then did) are the few past ones."""
    filters = {"teacher": teacher_id} if teacher_id else {}
    return filter_lessons(select(Lesson), principal, status="scheduled", **filters).where(
        Lesson.start_at < until, Lesson.end_at <= until, Lesson.billed_line_item_id.is_(None))


def _attendance_since(studio, now, days):
    first_day = local_today(studio, now) - timedelta(days=days - 1)
    return first_day, day_bounds(studio, first_day, first_day)[0]


def missing_attendance(principal, now, *, teacher_id=None, days=14, limit=None):
    """Lessons of the last `days` local days (today included) that have ended and still
    wait for attendance, by start (with `limit`, only the latest so many), and how many
    older ones wait too."""
    since = _attendance_since(principal.studio, now, days)[1]
    stmt = _attendance_missing(principal, now, teacher_id)
    recent = stmt.where(Lesson.start_at >= since).options(selectinload(Lesson.attendees))
    if limit is None:
        lessons = db.session.scalars(recent.order_by(Lesson.start_at, Lesson.id)).unique().all()
    else:
        latest = recent.order_by(Lesson.start_at.desc(), Lesson.id.desc()).limit(limit)
        lessons = db.session.scalars(latest).unique().all()[::-1]
    older = db.session.scalar(stmt.where(Lesson.start_at < since).with_only_columns(
        func.count(Lesson.id)).order_by(None))
    return lessons, older


def missing_attendance_per_day(principal, now, *, teacher_id=None, days=14):
    """{local date: how many of its lessons wait for attendance} over the days of
    `missing_attendance`, counted in one query however many lessons wait."""
    first_day, since = _attendance_since(principal.studio, now, days)
    stmt = _attendance_missing(principal, now, teacher_id).where(Lesson.start_at >= since)
    return _starts_per_day(stmt, principal.studio, first_day, local_today(principal.studio, now))


def lesson_ids_missing_attendance(principal, day, until, *, teacher_id=None):
    """Ids of the lessons of local `day` (of one teacher when given) that had ended by `until`
    and still wait for attendance: what the dashboard counted for that day at `until`."""
    start, end = day_bounds(principal.studio, day, day)
    stmt = _attendance_missing(principal, until, teacher_id).where(
        Lesson.start_at >= start, Lesson.start_at < end)
    return db.session.scalars(stmt.with_only_columns(Lesson.id).order_by(Lesson.start_at, Lesson.id)).all()


@dataclass(frozen=True, slots=True)
class TeacherChoice:
    """What pickers, legends and colours need of a teacher."""

    id: uuid.UUID
    full_name: str
    calendar_color: str
    is_active: bool


def studio_teachers(studio, active_only=True):
    """The studio's teachers by name, read as columns (no profile or user objects)."""
    stmt = select(TeacherProfile.id, User.first_name, User.last_name, User.email,
                  TeacherProfile.calendar_color, TeacherProfile.is_active).join(
        User, User.id == TeacherProfile.user_id).where(TeacherProfile.studio_id == studio.id)
    if active_only:
        stmt = stmt.where(TeacherProfile.is_active.is_(True))
    rows = db.session.execute(stmt.order_by(User.first_name, User.last_name, TeacherProfile.id))
    return [TeacherChoice(id_, f"{first} {last}".strip() or email, color, active)
            for id_, first, last, email, color, active in rows]
