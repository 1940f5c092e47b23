"""Rooms, practice-room reservations and studio closures."""
import uuid
from datetime import timedelta

from sqlalchemy import exists, select

from app.core import audit, validation
from app.core.db import utcnow
from app.core.errors import Conflict, ValidationFailed
from app.core.timeutil import day_bounds
from app.extensions import db
from app.scheduling.models import Lesson, Room, RoomReservation, StudioClosure
from app.scheduling.services.common import lock_resources, resolve_room, validate_interval
from app.scheduling.services.conflicts import find_clashes, raise_if_clashes
from app.scheduling.services.lessons import cancel_lesson

ROOM_FIELDS = ("name", "capacity", "equipment", "description", "is_bookable", "is_active")
PAST_GRACE = timedelta(minutes=5)


# ---------------------------------------------------------------- rooms

def _clean_room_fields(studio, fields, room=None):
    errors = validation.FieldErrors()
    errors.clean(fields, "name", validation.text, max_length=80, required=True,
                 missing="Enter the room's name.")
    if "name" in fields and "name" not in errors.fields:
        same_name = select(Room.id).where(Room.studio_id == studio.id, Room.name == fields["name"])
        if room is not None:
            same_name = same_name.where(Room.id != room.id)
        if db.session.scalar(same_name):
            errors.add("name", "Another room has this name.")
    if fields.get("capacity") is not None and not 1 <= fields["capacity"] <= 10000:
        errors.add("capacity", "Enter a number of people from 1.")
    if "equipment" in fields:
        items = [str(item).strip() for item in fields["equipment"] or [] if str(item).strip()]
        if len(items) > 50 or any(len(item) > 80 for item in items):
            errors.add("equipment", "At most 50 items of 80 characters each.")
        fields["equipment"] = items
    errors.raise_if_any()
    return fields


def create_room(studio, actor, **fields):
    """A new room (admins)."""
    fields = _clean_room_fields(studio, {k: v for k, v in fields.items() if k in ROOM_FIELDS})
    if "name" not in fields:
        raise ValidationFailed(field_errors={"name": ["Enter the room's name."]})
    room = Room(id=uuid.uuid4(), studio_id=studio.id, **{"equipment": [], **fields})
    db.session.add(room)
    db.session.flush()
    return room


def update_room(studio, actor, room, **fields):
    fields = _clean_room_fields(studio, {k: v for k, v in fields.items() if k in ROOM_FIELDS}, room)
    for name, value in fields.items():
        setattr(room, name, value)
    db.session.flush()
    return room


def room_has_history(room):
    used_by_lessons = exists().where(Lesson.studio_id == room.studio_id, Lesson.room_id == room.id)
    used_by_reservations = exists().where(
        RoomReservation.studio_id == room.studio_id, RoomReservation.room_id == room.id
    )
    return db.session.scalar(select(used_by_lessons | used_by_reservations))


def delete_room(studio, actor, room):
    """Remove a room that was never used; a room with lessons or reservations is
    deactivated instead, so history keeps its name. Returns "deleted" or "deactivated"."""
    if room_has_history(room):
        room.is_active = False
        room.is_bookable = False
        audit.record(studio, actor, "room.deactivated", room, name=room.name)
        db.session.flush()
        return "deactivated"
    audit.record(studio, actor, "room.deleted", room, name=room.name)
    db.session.delete(room)
    db.session.flush()
    return "deleted"


# ---------------------------------------------------------------- reservations

def reserve_room(studio, actor, *, room, start, end, notes="", now=None):
    """Book a practice room. 409 when a lesson or another reservation holds the room."""
    room = resolve_room(studio, room)
    if not room.is_bookable:
        raise ValidationFailed(field_errors={"room": [f"{room.name} cannot be booked for practice."]})
    validate_interval(start, end, start_field="start_time", end_field="end_time", what="A reservation")
    if start < (now or utcnow()) - PAST_GRACE:
        raise ValidationFailed(field_errors={"start_time": ["Choose a time in the future."]})
    if len(notes or "") > 500:
        raise ValidationFailed(field_errors={"notes": ["Use at most 500 characters."]})
    lock_resources(studio, room_ids=[room.id])
    raise_if_clashes(find_clashes(studio, [(start, end, None)], room_id=room.id, buffered=False),
                     what="This reservation")
    reservation = RoomReservation(
        id=uuid.uuid4(), studio_id=studio.id, room_id=room.id, user_id=actor.id, start_at=start,
        end_at=end, notes=(notes or "").strip(), status="confirmed",
    )
    reservation.room, reservation.user = room, actor
    db.session.add(reservation)
    db.session.flush()
    return reservation


def update_reservation(studio, actor, reservation, *, start=None, end=None, notes=None, now=None):
    """Move a confirmed reservation or change its notes; the room must be free then."""
    if reservation.status != "confirmed":
        raise Conflict("This reservation is cancelled.")
    new_start, new_end = start or reservation.start_at, end or reservation.end_at
    if start is not None and end is None:
        new_end = new_start + (reservation.end_at - reservation.start_at)
    if (new_start, new_end) != (reservation.start_at, reservation.end_at):
        validate_interval(new_start, new_end, start_field="start_time", end_field="end_time",
                          what="A reservation")
        if new_start < (now or utcnow()) - PAST_GRACE:
            raise ValidationFailed(field_errors={"start_time": ["Choose a time in the future."]})
        lock_resources(studio, room_ids=[reservation.room_id])
        raise_if_clashes(find_clashes(
            studio, [(new_start, new_end, None)], room_id=reservation.room_id, buffered=False,
            exclude_reservations=[reservation.id],
        ), what="This reservation")
        reservation.start_at, reservation.end_at = new_start, new_end
    if notes is not None:
        if len(notes) > 500:
            raise ValidationFailed(field_errors={"notes": ["Use at most 500 characters."]})
        reservation.notes = notes.strip()
    db.session.flush()
    return reservation


def cancel_reservation(studio, actor, reservation):
    if reservation.status == "cancelled":
        raise Conflict("This reservation is already cancelled.")
    reservation.status = "cancelled"
    reservation.cancelled_at = utcnow()
    reservation.cancelled_by_id = actor.id
    db.session.flush()
    return reservation


# ---------------------------------------------------------------- closures

def _clean_closure(name, start_date, end_date):
    errors = validation.FieldErrors()
    name = errors.check("name", validation.text, name, max_length=120, required=True,
                        missing="Name the closure, like “Winter break”.")
    if start_date is None:
        errors.add("start_date", "Enter the first closed day.")
    if end_date is None:
        errors.add("end_date", "Enter the last closed day.")
    elif start_date is not None and end_date < start_date:
        errors.add("end_date", "Must be on or after the first closed day.")
    elif start_date is not None and (end_date - start_date).days > 366:
        errors.add("end_date", "A closure lasts at most a year.")
    errors.raise_if_any()
    return name


def create_closure(studio, actor, *, name, start_date, end_date, cancel_lessons=True):
    """Close the studio on these dates. Future occurrences of series skip them; with
    `cancel_lessons`, scheduled lessons already on those days are cancelled (no charge)."""
    name = _clean_closure(name, start_date, end_date)
    closure = StudioClosure(id=uuid.uuid4(), studio_id=studio.id, name=name,
                            start_date=start_date, end_date=end_date)
    db.session.add(closure)
    cancelled = cancel_lessons_during(studio, actor, closure) if cancel_lessons else []
    db.session.flush()
    return closure, cancelled


def cancel_lessons_during(studio, actor, closure):
    start, end = day_bounds(studio, closure.start_date, closure.end_date)
    lessons = db.session.scalars(select(Lesson).where(
        Lesson.studio_id == studio.id, Lesson.status == "scheduled",
        Lesson.start_at >= start, Lesson.start_at < end, Lesson.billed_line_item_id.is_(None),
    )).all()
    for lesson in lessons:
        cancel_lesson(studio, actor, lesson, f"Studio closed: {closure.name}", initiated_by="studio")
    return lessons


def update_closure(studio, actor, closure, *, name, start_date, end_date):
    closure.name = _clean_closure(name, start_date, end_date)
    closure.start_date, closure.end_date = start_date, end_date
    db.session.flush()
    return closure


def delete_closure(studio, actor, closure):
    """Reopen those days. Lessons the closure cancelled stay cancelled."""
    db.session.delete(closure)
    db.session.flush()
