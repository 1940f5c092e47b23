"""Small helpers every scheduling service uses: time zones, limits, references, locks."""
import hashlib
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select, text

from app.core.errors import ValidationFailed
from app.core.tenancy import parse_uuid
from app.extensions import db
from app.people.models import Student, TeacherProfile
from app.scheduling import recurrence
from app.scheduling.models import MAX_DURATION, MIN_DURATION, Room, StudioClosure

CENT = Decimal("0.01")
MAX_RANGE_DAYS = 62  # calendar and feed queries cover at most about two months at a time


def studio_zone(studio):
    return recurrence.zone(studio.timezone)


def local_today(studio, now=None):
    return recurrence.local_today(studio_zone(studio), now)


def to_local(studio, moment):
    return moment.astimezone(studio_zone(studio))


def day_bounds(studio, first_day, last_day):
    """UTC [start, end) of the local dates first_day..last_day, inclusive."""
    tz = studio_zone(studio)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


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


def validate_interval(start, end, *, start_field="scheduled_start", end_field="scheduled_end",
                      what="A lesson"):
    """End after start, at least 5 minutes, at most 12 hours."""
    if start is None or end is None:
        raise ValidationFailed(field_errors={
            name: ["This field is required."]
            for name, value in ((start_field, start), (end_field, end)) if value is None
        })
    if end <= start:
        raise ValidationFailed("The end must be after the start.",
                               field_errors={end_field: ["Must be after the start."]})
    if end - start < MIN_DURATION:
        raise ValidationFailed(f"{what} lasts at least 5 minutes.",
                               field_errors={end_field: ["Must be at least 5 minutes after the start."]})
    if end - start > MAX_DURATION:
        raise ValidationFailed(f"{what} lasts at most 12 hours.",
                               field_errors={end_field: ["Must be at most 12 hours after the start."]})


def validate_duration_minutes(minutes, field="duration_minutes"):
    if minutes is None or isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValidationFailed(field_errors={field: ["Enter a whole number of minutes."]})
    if minutes < 5 or minutes > 720:
        raise ValidationFailed(
            "A lesson lasts between 5 minutes and 12 hours.",
            field_errors={field: ["Must be between 5 and 720 minutes."]},
        )


def money(value):
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def default_rate(teacher, students, minutes):
    """A single student's default lesson rate, else the teacher's hourly rate pro rata."""
    if len(students) == 1 and students[0].default_lesson_rate is not None:
        return money(students[0].default_lesson_rate)
    if len(students) == 1 and teacher.hourly_rate is not None:
        return money(Decimal(teacher.hourly_rate) * minutes / 60)
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
