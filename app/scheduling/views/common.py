"""Pieces the scheduling pages share: loaders, form choices and errors, clash sentences,
htmx answers."""
from datetime import timedelta

from flask import flash, make_response, redirect, render_template, url_for
from sqlalchemy import select

from app.core import htmx
from app.core.formatting import date_filter, datetime_filter, time_filter
from app.core.tenancy import current_principal, current_studio, parse_uuid
from app.core.views import form_failed
from app.extensions import db
from app.people.models import Student
from app.people.services import own_teacher_profile, visible_students
from app.scheduling import services
from app.scheduling.calendar import teacher_colors
from app.scheduling.models import Lesson, Room, RoomReservation
from app.scheduling.services.common import local_moment

# Service field names -> form field names, so errors land next to the right input.
FIELD_ALIASES = {
    "scheduled_start": "start_time", "scheduled_end": "duration_minutes", "time": "start_time",
    "students": "extra_students", "end_date": "until", "start_date": "date",
    "end_time": "end_time", "initiated_by": "initiated_by",
}
STUDENT_CHOICE_LIMIT = 500
LESSONS_CHANGED, PANEL_CLOSE = "lessons-changed", "panel-close"  # htmx events our answers trigger


def studio_teachers(active_only=True):
    return services.studio_teachers(current_studio(), active_only=active_only)


def colors_for(teachers=None):
    return teacher_colors(teachers if teachers is not None else studio_teachers(active_only=False))


def teacher_choices(for_booking=True):
    """Everyone for managers; a teacher books only their own lessons."""
    principal = current_principal()
    if for_booking and principal.role == "teacher":
        own = own_teacher_profile(principal)
        return [(str(own.id), own.full_name)] if own else []
    return [(str(t.id), t.full_name) for t in studio_teachers()]


def student_choices(limit=STUDENT_CHOICE_LIMIT):
    """(id, name) of active students for a select: their names only, not whole students."""
    stmt = visible_students().where(Student.is_active.is_(True)).with_only_columns(
        Student.id, Student.first_name, Student.last_name).order_by(
        Student.first_name, Student.last_name).limit(limit)
    return [(str(id_), f"{first} {last}".strip()) for id_, first, last in db.session.execute(stmt)]


def visible_student_or_none(student_id):
    """An active student the current user may see, or None."""
    if student_id is None:
        return None
    return db.session.scalar(visible_students().where(
        Student.id == student_id, Student.is_active.is_(True)))


def room_choices(blank="No room", bookable_only=False):
    stmt = select(Room).where(Room.studio_id == current_studio().id, Room.is_active.is_(True))
    if bookable_only:
        stmt = stmt.where(Room.is_bookable.is_(True))
    rooms = db.session.scalars(stmt.order_by(Room.name)).all()
    return ([("", blank)] if blank is not None else []) + [(str(r.id), r.name) for r in rooms]


def selected(value):
    """A select's value as a UUID, or None for the blank choice."""
    return parse_uuid(value) if value else None


def _when(lesson_or_reservation):
    start, end = lesson_or_reservation.start_at, lesson_or_reservation.end_at
    return f"{date_filter(start, 'EEE, MMM d')}, {time_filter(start)}–{time_filter(end)}"


def describe_clashes(clashes):
    """Sentences for a 409's clashes, to show on the form."""
    lesson_ids = {c.lesson_id for c in clashes if c.lesson_id}
    reservation_ids = {c.reservation_id for c in clashes if c.reservation_id}
    lessons = {lesson.id: lesson for lesson in db.session.scalars(
        select(Lesson).where(Lesson.id.in_(lesson_ids)))} if lesson_ids else {}
    reservations = {r.id: r for r in db.session.scalars(
        select(RoomReservation).where(RoomReservation.id.in_(reservation_ids)))} if reservation_ids else {}
    sentences = []
    for clash in clashes:
        lesson = lessons.get(clash.lesson_id)
        if clash.reservation_id in reservations:
            r = reservations[clash.reservation_id]
            sentences.append(f"{r.room.name} is reserved by {r.user.full_name} ({_when(r)}).")
        elif lesson is not None and clash.type == "teacher":
            sentences.append(f"{lesson.teacher.full_name} teaches {lesson.title} then ({_when(lesson)}).")
        elif lesson is not None and clash.type == "student":
            names = [s.full_name for s in lesson.students if s.id == clash.student_id] or [lesson.title]
            teacher = lesson.teacher.full_name
            sentences.append(f"{names[0]} has a lesson with {teacher} then ({_when(lesson)}).")
        elif lesson is not None:
            sentences.append(f"{lesson.place} is booked for {lesson.title} then ({_when(lesson)}).")
    return list(dict.fromkeys(sentences))


def done(message, redirect_to, *events, category="success"):
    """Answer a successful action: htmx gets the flash out-of-band plus events (the calendar
    refreshes itself, the panel closes); a plain form post is redirected with a flash."""
    if htmx.is_htmx():
        response = make_response(render_template(
            "scheduling/_oob_flash.html", message=message, category=category))
        return htmx.hx_trigger(response, *events)
    flash(message, category)
    return redirect(redirect_to)


# ---------------------------------------------------------------- lesson views

def back_to_lesson(lesson_id=None, **_):
    """Where a refused lesson action goes back to: the lesson, else the calendar (SPEC §1)."""
    return url_for("scheduling.lesson", lesson_id=lesson_id) if lesson_id else url_for("scheduling.calendar")


def lesson_when(lesson):
    return datetime_filter(lesson.start_at, "EEE, MMM d 'at' h:mm a")


def booking_failed(form, exc, context):
    """Put a service error on a booking form: a confirmation to ask for, the clashes as a
    list, or (core.views.form_failed) field errors by the fields."""
    if isinstance(exc, services.NeedsConfirmation):
        context["warnings"] = exc.warnings
        form.confirm.errors = []
    elif isinstance(exc, services.BookingConflict):
        context["clashes"] = describe_clashes(exc.clashes)
        form.form_errors.append(exc.detail)
    else:
        form_failed(form, exc, FIELD_ALIASES)


def lesson_start(form):
    start = local_moment(current_studio(), form.date.data, form.start_time.data)
    return start, start + timedelta(minutes=form.duration_minutes.data)
