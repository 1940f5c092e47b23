"""Pieces the scheduling pages share: loaders, form choices and errors, clash sentences,
htmx answers."""
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import flash, make_response, redirect, render_template, url_for
from sqlalchemy import select

from app.accounts.models import User
from app.core import htmx
from app.core.errors import Conflict, PermissionDenied, ValidationFailed
from app.core.formatting import date_filter, datetime_filter, time_filter
from app.core.forms import apply_errors
from app.core.htmx import partial_or_page
from app.core.tenancy import current_principal, current_studio, get_or_404, parse_uuid, scoped
from app.extensions import db
from app.people.models import Student, TeacherProfile
from app.people.policies import own_teacher_profile, visible_students
from app.scheduling import policies, services
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


@dataclass(frozen=True, slots=True)
class TeacherChoice:
    """What pickers, legends and colours need of a teacher."""

    id: uuid.UUID
    full_name: str
    calendar_color: str
    is_active: bool


def studio_teachers(active_only=True):
    """The studio's teachers by name, read as columns (no profile or user objects)."""
    stmt = select(TeacherProfile.id, User.first_name, User.last_name, User.email,
                  TeacherProfile.calendar_color, TeacherProfile.is_active).join(
        User, User.id == TeacherProfile.user_id).where(TeacherProfile.studio_id == current_studio().id)
    if active_only:
        stmt = stmt.where(TeacherProfile.is_active.is_(True))
    rows = db.session.execute(stmt.order_by(User.first_name, User.last_name, TeacherProfile.id))
    return [TeacherChoice(id_, f"{first} {last}".strip() or email, color, active)
            for id_, first, last, email, color, active in rows]


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


def clashes_from(error):
    """Rebuild Clash objects from a Conflict's `conflicts` body."""
    result = []
    for item in error.extra.get("conflicts", []):
        result.append(services.Clash(
            type=item["type"], start=datetime.fromisoformat(item["scheduled_start"].replace("Z", "+00:00")),
            end=datetime.fromisoformat(item["scheduled_end"].replace("Z", "+00:00")),
            lesson_id=parse_uuid(item.get("lesson_id")),
            reservation_id=parse_uuid(item.get("reservation_id")),
            student_id=parse_uuid(item.get("student_id")),
        ))
    return result


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

def visible_lesson(lesson_id):
    return get_or_404(Lesson, lesson_id, stmt=policies.restrict_lessons(scoped(Lesson)))


def managed_lesson(lesson_id):
    lesson = visible_lesson(lesson_id)
    policies.ensure_may_manage(lesson)
    return lesson


def flash_forbidden(view):
    """Object-level refusals in the browser: a flash and back to the lesson (SPEC §1)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except PermissionDenied as exc:
            if htmx.is_htmx():
                raise
            flash(exc.detail, "error")
            lesson_id = kwargs.get("lesson_id")
            return redirect(url_for("scheduling.lesson", lesson_id=lesson_id) if lesson_id
                            else url_for("scheduling.calendar"))

    return wrapper


def lesson_when(lesson):
    return datetime_filter(lesson.start_at, "EEE, MMM d 'at' h:mm a")


def form_failed(form, exc, context):
    """Put a service error on the form: field errors by the field, clashes as a list."""
    if isinstance(exc, services.NeedsConfirmation):
        context["warnings"] = exc.warnings
        form.confirm.errors = []
    elif isinstance(exc, Conflict) and exc.extra.get("conflicts"):
        context["clashes"] = describe_clashes(clashes_from(exc))
        form.form_errors.append(exc.detail)
    elif isinstance(exc, ValidationFailed):
        apply_errors(form, exc, aliases=FIELD_ALIASES)
    else:
        form.form_errors.append(exc.detail)


def render_form(page, partial, status=200, **context):
    response = partial_or_page(page, partial, **context)
    response.status_code = status
    return response


def lesson_start(form):
    start = local_moment(current_studio(), form.date.data, form.start_time.data)
    return start, start + timedelta(minutes=form.duration_minutes.data)
