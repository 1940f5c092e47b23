"""Teacher availability: warnings when a booking falls outside it, and free slots.

Availability windows (People's TeacherAvailability) are weekly wall-clock times in the
studio's timezone. Booking outside them is allowed: staff get a warning they may override.
"""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.core.timeutil import studio_zone, to_local
from app.extensions import db
from app.people.models import TeacherAvailability
from app.scheduling.models import WEEKDAYS, Lesson
from app.scheduling.services.common import closed_checker

MAX_SLOT_RANGE_DAYS = 31
# When a teacher has not set up availability, free slots are searched in these hours.
DEFAULT_WINDOW = (time(9, 0), time(21, 0))


def _windows(teacher):
    return db.session.scalars(select(TeacherAvailability).where(
        TeacherAvailability.studio_id == teacher.studio_id,
        TeacherAvailability.teacher_id == teacher.id,
    ).order_by(TeacherAvailability.weekday, TeacherAvailability.start_time)).all()


def _fmt(t):
    return t.strftime("%H:%M")


def availability_warning(studio, teacher, start, end):
    """A sentence when [start, end) is not inside one of the teacher's windows, else None."""
    windows = _windows(teacher)
    if not windows:
        return None  # availability not set up: nothing to warn about
    local_start, local_end = to_local(studio, start), to_local(studio, end)
    day = local_start.date()
    todays = [w for w in windows if w.weekday == day.weekday()]
    if local_end.date() == day or local_end.time() == time(0):
        end_time = local_end.time() if local_end.date() == day else time(23, 59, 59)
        if any(w.start_time <= local_start.time() and end_time <= w.end_time for w in todays):
            return None
    name = teacher.full_name
    if not todays:
        return f"{name} is not available on {WEEKDAYS[day.weekday()].capitalize()}s."
    hours = ", ".join(f"{_fmt(w.start_time)}–{_fmt(w.end_time)}" for w in todays)
    return (f"{local_start:%H:%M}–{local_end:%H:%M} is outside {name}'s availability on "
            f"{WEEKDAYS[day.weekday()].capitalize()}s ({hours}).")


def booking_warnings(studio, teacher, start, end, *, room=None, student_count=1):
    """Things staff should know before booking, none of which forbids it."""
    warnings = []
    availability = availability_warning(studio, teacher, start, end)
    if availability:
        warnings.append(availability)
    local_day = to_local(studio, start).date()
    closure = closed_checker(studio, local_day, local_day)(local_day)
    if closure is not None:
        warnings.append(f"The studio is closed on {local_day:%Y-%m-%d} ({closure.name}).")
    if room is not None and room.capacity and student_count + 1 > room.capacity:
        warnings.append(f"{room.name} holds {room.capacity} people; this lesson has "
                        f"{student_count + 1} with the teacher.")
    return warnings


def _busy_intervals(studio, teacher, start, end):
    pad = timedelta(minutes=studio.lesson_buffer_minutes or 0)
    rows = db.session.execute(select(Lesson.start_at, Lesson.end_at).where(
        Lesson.studio_id == studio.id, Lesson.teacher_id == teacher.id,
        Lesson.status != "cancelled", Lesson.start_at < end + pad,
        Lesson.start_at > start - pad - timedelta(hours=12),
    ).order_by(Lesson.start_at))
    return [(row.start_at - pad, row.end_at + pad) for row in rows]


def _local_window(studio, day, start_time, end_time):
    """A local window as UTC (comparisons and arithmetic stay absolute across DST)."""
    tz = studio_zone(studio)
    start = datetime.combine(day, start_time, tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(day, end_time, tzinfo=tz).astimezone(timezone.utc)
    return start, end


def free_slots(studio, teacher, start_date: date, end_date: date, duration_minutes, *,
               step_minutes=30, now=None):
    """Start/end pairs of `duration_minutes` inside the teacher's availability that clash with
    none of their lessons (buffer included), on open studio days, from now on."""
    if end_date < start_date:
        raise ValidationFailed(field_errors={"end_date": ["Must be on or after start_date."]})
    if (end_date - start_date).days >= MAX_SLOT_RANGE_DAYS:
        raise ValidationFailed(field_errors={"end_date": [
            f"Search at most {MAX_SLOT_RANGE_DAYS} days at a time."]})
    windows = _windows(teacher)
    by_weekday = {}
    for w in windows:
        by_weekday.setdefault(w.weekday, []).append((w.start_time, w.end_time))
    closed = closed_checker(studio, start_date, end_date)
    duration, step = timedelta(minutes=duration_minutes), timedelta(minutes=step_minutes)
    range_start, _ = _local_window(studio, start_date, time(0), time(0))
    range_end, _ = _local_window(studio, end_date + timedelta(days=1), time(0), time(0))
    busy = _busy_intervals(studio, teacher, range_start, range_end)
    slots = []
    day = start_date
    while day <= end_date:
        day_windows = by_weekday.get(day.weekday(), []) if windows else [DEFAULT_WINDOW]
        if closed(day) is None:
            for start_time, end_time in day_windows:
                slots.extend(_slots_in(studio, day, start_time, end_time, duration, step, busy, now))
        day += timedelta(days=1)
    return slots


def _slots_in(studio, day, start_time, end_time, duration, step, busy, now):
    window_start, window_end = _local_window(studio, day, start_time, end_time)
    result = []
    candidate = window_start
    while candidate + duration <= window_end:
        end = candidate + duration
        clash = next((b for b in busy if b[0] < end and b[1] > candidate), None)
        if clash is not None:
            candidate = _next_step(window_start, clash[1], step)
            continue
        if now is None or candidate > now:
            result.append((candidate, end))
        candidate += step
    return result


def _next_step(window_start, after, step):
    """The first step-aligned time in the window at or after `after`."""
    elapsed = after - window_start
    steps = -(-elapsed // step)  # ceiling division of timedeltas
    return window_start + steps * step
