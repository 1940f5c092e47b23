"""Small helpers every scheduling service uses: time zones, limits, references, locks."""
import hashlib
from datetime import date, timedelta

from sqlalchemy import func, select, text

from app.core import validation
from app.core.errors import ValidationFailed
from app.core.money import prorate
from app.core.tenancy import parse_uuid
from app.core.timeutil import studio_zone
from app.core.validation import Invalid
from app.extensions import db
from app.people.models import Student, TeacherProfile
from app.scheduling import recurrence
from app.scheduling.models import MAX_DURATION, MIN_DURATION, Room, StudioClosure

MAX_RANGE_DAYS = 62  # calendar and feed queries cover at most about two months at a time


def local_moment(studio, day, wall_time, field="start_time"):
    """A local date and time as UTC; a time inside a DST gap is a clear 400."""
    try:
        return recurrence.local_to_utc(day, wall_time, studio_zone(studio))
    except recurrence.NonexistentLocalTime as exc:
        raise ValidationFailed(
            f"{wall_time:%H:%M} does not exist on {day:%Y-%m-%d} in {studio.timezone}: "
            "the clocks move forward that night. Pick another time.",
            field_errors={field: [f"{wall_time:%H:%M} does not exist on {day:%Y-%m-%d} "
                                  "(daylight saving time starts)."]},
        ) from exc


def booking_end(end, *, start, what="A lesson"):
    """An end after `start` by 5 minutes to 12 hours (a lesson's, a reservation's)."""
    if end <= start:
        raise Invalid("Must be after the start.", detail="The end must be after the start.")
    if end - start < MIN_DURATION:
        raise Invalid("Must be at least 5 minutes after the start.",
                      detail=f"{what} lasts at least 5 minutes.")
    if end - start > MAX_DURATION:
        raise Invalid("Must be at most 12 hours after the start.",
                      detail=f"{what} lasts at most 12 hours.")
    return end


def default_end(start, students):
    """The end of a lesson booked without one: the first student's default lesson length."""
    if start is None or not students:
        return None
    return start + timedelta(minutes=students[0].default_lesson_minutes)


def validate_interval(start, end, *, start_field="scheduled_start", end_field="scheduled_end",
                      what="A lesson"):
    """Both given; the end after the start by 5 minutes to 12 hours."""
    errors = validation.FieldErrors()
    errors.check(start_field, validation.required, start)
    errors.check(end_field, validation.required, end)
    errors.raise_if_any()
    validation.field(end_field, booking_end, end, start=start, what=what)


def validate_duration_minutes(minutes, field="duration_minutes"):
    validation.field(field, validation.whole_number, minutes, minimum=5, maximum=720,
                     invalid="Enter a whole number of minutes.",
                     detail="A lesson lasts between 5 minutes and 12 hours.")


def money(value):
    """A lesson or series rate as sent (core/validation.money, to the cent); below zero is
    a 400 on `rate` (the database refuses it)."""
    if value is None:
        return None
    return validation.field("rate", validation.money, value, minimum=0)


def default_rate(teacher, students, minutes):
    """The studio's pricing rule, pro rata by minutes: a single student's default lesson rate
    is for their default lesson length (45 minutes at 45.00 makes 30 minutes 30.00); without
    one, the teacher's hourly rate. Rounded half-up to the cent."""
    if len(students) == 1 and students[0].default_lesson_rate is not None:
        student = students[0]
        return prorate(student.default_lesson_rate, minutes, per_minutes=student.default_lesson_minutes)
    if len(students) == 1 and teacher.hourly_rate is not None:
        return prorate(teacher.hourly_rate, minutes)
    return None


# ---------------------------------------------------------------- references by id

def _by_id(studio, model, value):
    parsed = parse_uuid(value)
    if parsed is None:
        return None
    return db.session.scalar(select(model).where(model.studio_id == studio.id, model.id == parsed))


def resolve_teacher(studio, value, field="teacher"):
    teacher = value if isinstance(value, TeacherProfile) else _by_id(studio, TeacherProfile, value)
    if teacher is None or teacher.studio_id != studio.id:
        raise ValidationFailed(field_errors={field: ["Unknown teacher."]})
    if not teacher.is_active:
        raise ValidationFailed(field_errors={field: ["This teacher is archived."]})
    return teacher


def resolve_student(studio, value, field="student"):
    student = value if isinstance(value, Student) else _by_id(studio, Student, value)
    if student is None or student.studio_id != studio.id:
        raise ValidationFailed(field_errors={field: ["Unknown student."]})
    if not student.is_active:
        raise ValidationFailed(field_errors={field: [f"{student.full_name} is archived."]})
    return student


def resolve_students(studio, values, field="students"):
    students, seen = [], set()
    for value in values or []:
        student = resolve_student(studio, value, field)
        if student.id not in seen:
            seen.add(student.id)
            students.append(student)
    return students


def resolve_room(studio, value, field="room"):
    if value is None or value == "":
        return None
    room = value if isinstance(value, Room) else _by_id(studio, Room, value)
    if room is None or room.studio_id != studio.id:
        raise ValidationFailed(field_errors={field: ["Unknown room."]})
    if not room.is_active:
        raise ValidationFailed(field_errors={field: [f"{room.name} is no longer in use."]})
    return room


def room_named(studio, name):
    """The active room called `name` (case-insensitive): the reference's clients send
    `"location": "Room 101"`, which should book that room, conflicts included."""
    name = (name or "").strip().lower()
    if not name:
        return None
    return db.session.scalar(select(Room).where(
        Room.studio_id == studio.id, Room.is_active.is_(True), func.lower(Room.name) == name,
    ))


# ---------------------------------------------------------------- closures

def closures_between(studio, first_day, last_day):
    return db.session.scalars(select(StudioClosure).where(
        StudioClosure.studio_id == studio.id,
        StudioClosure.start_date <= last_day, StudioClosure.end_date >= first_day,
    ).order_by(StudioClosure.start_date)).all()


def closed_checker(studio, first_day, last_day):
    """A function day -> the closure covering it (or None), with one query."""
    closures = closures_between(studio, first_day, last_day)

    def closure_on(day: date):
        return next((c for c in closures if c.covers(day)), None)

    return closure_on


# ---------------------------------------------------------------- concurrency

def _lock_key(kind, value):
    digest = hashlib.blake2b(f"cadenza:{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_resources(studio, *, teacher_ids=(), student_ids=(), room_ids=()):
    """Serialize bookings of the same teacher, student or room until the transaction ends.

    On PostgreSQL this takes transaction-level advisory locks (in a fixed order, so two
    bookings never wait on each other); the conflict check that follows then sees every
    booking committed before. SQLite serializes writers on its own.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    keys = {_lock_key("teacher", v) for v in teacher_ids if v}
    keys |= {_lock_key("student", v) for v in student_ids if v}
    keys |= {_lock_key("room", v) for v in room_ids if v}
    for key in sorted(keys):
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
