"""Lesson pages: list, today's agenda, booking, the lesson panel and its actions, series."""
from datetime import datetime

from flask import render_template, request, url_for
from flask_login import current_user, login_required

from app.core.errors import DomainError, PermissionDenied, ValidationFailed
from app.core.htmx import partial_or_page
from app.core.pagination import paginate
from app.core.permissions import can, requires
from app.core.tenancy import current_principal, current_studio, scoped
from app.extensions import db
from app.people.policies import own_teacher_profile
from app.scheduling import policies, services
from app.scheduling.forms import (
    AttendanceForm,
    LessonForm,
    ReviewForm,
)
from app.scheduling.models import LESSON_STATUSES, CancellationRequest, Lesson
from app.scheduling.services.common import day_bounds, local_today, to_local
from app.scheduling.views import scheduling_bp
from app.scheduling.views.helpers import (
    LESSONS_CHANGED,
    PANEL_CLOSE,
    colors_for,
    done,
    flash_forbidden,
    form_failed,
    lesson_start,
    lesson_when,
    render_form,
    room_choices,
    selected,
    student_choices,
    teacher_choices,
)

EVERY = {"weekly": "every week", "biweekly": "every 2 weeks", "monthly": "every month"}
PAGE_SIZE = 25


def _week_url(lesson):
    day = to_local(current_studio(), lesson.start_at).date()
    return url_for("scheduling.calendar", view="week", date=day.isoformat())


# ---------------------------------------------------------------- list and agenda

@scheduling_bp.route("/lessons")
@login_required
@requires("lessons.view")
def lessons():
    principal = current_principal()
    args = request.args
    filters = {name: selected(args.get(name)) for name in ("teacher", "student", "room")}
    filters = {k: v for k, v in filters.items() if v}
    status = args.get("status") if args.get("status") in LESSON_STATUSES else None
    start_date, end_date = _date_arg("start_date"), _date_arg("end_date")
    if start_date is None and end_date is None and not args.get("all"):
        start_date = local_today(principal.studio)
    stmt = services.lesson_query(principal, status=status, start_date=start_date, end_date=end_date,
                                 **filters)
    newest_first = args.get("order") == "newest"
    stmt = stmt.order_by(Lesson.start_at.desc() if newest_first else Lesson.start_at, Lesson.id)
    page_args = {"page": max(1, min(_int_arg("page", 1), 100000)), "page_size": PAGE_SIZE}
    page = paginate(stmt, page_args)
    requests = _pending_requests() if can("cancellation_requests.review") else []
    return partial_or_page(
        "scheduling/lessons.html", "scheduling/_lesson_results.html", page=page,
        page_number=page_args["page"],
        page_size=PAGE_SIZE, teachers=teacher_choices(for_booking=False), students=student_choices(),
        rooms=room_choices(blank=None), args=args, start_date=start_date, end_date=end_date,
        requests=requests, review_form=ReviewForm(), can_book=can("lessons.schedule"),
    )


def _date_arg(name):
    from datetime import date

    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _int_arg(name, default):
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default


def _pending_requests():
    principal = current_principal()
    stmt = policies.restrict_requests(scoped(CancellationRequest)).where(
        CancellationRequest.status == "pending")
    if principal.role == "teacher":
        own = own_teacher_profile(principal)
        stmt = stmt.join(CancellationRequest.lesson).where(Lesson.teacher_id == (own.id if own else None))
    return db.session.scalars(stmt.order_by(CancellationRequest.created_at).limit(50)).all()


def agenda_lessons(principal, teacher_id=None, day=None):
    """Lessons of one local day (today by default), for a teacher or the whole studio."""
    day = day or local_today(principal.studio)
    start, end = day_bounds(principal.studio, day, day)
    filters = {"teacher": teacher_id} if teacher_id else {}
    stmt = services.lesson_query(principal, start=start, end=end, **filters)
    return db.session.scalars(stmt.order_by(Lesson.start_at, Lesson.id)).unique().all()


@scheduling_bp.route("/lessons/today")
@login_required
@requires("lessons.manage")
def today():
    principal = current_principal()
    own = own_teacher_profile(principal) if principal.role == "teacher" else None
    teacher_id = own.id if own else selected(request.args.get("teacher"))
    items = agenda_lessons(principal, teacher_id)
    return render_template("scheduling/today.html", lessons=items, attendance_form=AttendanceForm(),
                           teachers=teacher_choices(for_booking=False), teacher_id=teacher_id,
                           day=local_today(principal.studio), colors=colors_for())


# ---------------------------------------------------------------- booking

def _booking_form():
    form = LessonForm()
    form.teacher.choices = [("", "Choose a teacher")] + teacher_choices()
    students = student_choices()
    form.student.choices = [("", "Choose a student")] + students
    form.extra_students.choices = students
    form.room.choices = room_choices()
    credits = services.available_credits(current_studio())
    form.makeup_credit.choices = [("", "No")] + [
        (str(c.id), f"{c.student.full_name} — expires {c.expires_at:%b %-d}") for c in credits]
    if not can("lessons.set_rate"):
        del form.rate
    return form


def _prefill(form):
    if request.method != "GET":
        return
    args = request.args
    for name in ("teacher", "student", "room"):
        if args.get(name):
            getattr(form, name).data = args[name]
    if len(form.teacher.choices) == 2:  # a teacher books for themself
        form.teacher.data = form.teacher.choices[1][0]
    form.date.data = _date_arg("date") or local_today(current_studio())
    try:
        form.start_time.data = datetime.strptime(args.get("time", ""), "%H:%M").time()
    except ValueError:
        pass


def _book(form):
    studio = current_studio()
    start, end = lesson_start(form)
    rate = form.rate.data if "rate" in form else None
    credit = form.makeup_credit.data or None
    if form.repeats.data:
        if form.extra_students.data:
            raise ValidationFailed(field_errors={"extra_students": [
                "Recurring lessons have one student; book group lessons one at a time."]})
        local = to_local(studio, start)
        series, lessons = services.create_series(
            studio, current_user, teacher=selected(form.teacher.data), student=selected(form.student.data),
            frequency=form.repeats.data, day_of_week=local.weekday(),
            start_time=local.time().replace(tzinfo=None),
            duration_minutes=form.duration_minutes.data, start_date=form.date.data, end_date=form.until.data,
            room=selected(form.room.data), lesson_type=form.lesson_type.data,
            location=form.location.data or "",
            online_url=form.online_url.data or "", rate=rate, notes=form.notes.data or "",
            confirm_warnings=form.confirm.data,
        )
        every = EVERY[form.repeats.data]
        first = f" from {lesson_when(lessons[0])}" if lessons else ""
        return lessons[0] if lessons else None, f"Booked {every}{first} ({len(lessons)} lessons)."
    students = [form.student.data] + [s for s in form.extra_students.data if s != form.student.data]
    booking = services.schedule_lesson(
        studio, current_user, teacher=selected(form.teacher.data), students=[selected(s) for s in students],
        start=start, end=end, lesson_type="makeup" if credit else form.lesson_type.data,
        room=selected(form.room.data), location=form.location.data or "",
        online_url=form.online_url.data or "", rate=rate, notes=form.notes.data or "",
        makeup_credit=credit, confirm_warnings=form.confirm.data,
    )
    return booking.lesson, f"Lesson booked for {lesson_when(booking.lesson)}."


@scheduling_bp.route("/lessons/new", methods=["GET", "POST"])
@login_required
@requires("lessons.schedule")
@flash_forbidden
def new_lesson():
    form = _booking_form()
    _prefill(form)
    context = {"form": form, "warnings": [], "clashes": []}
    if form.validate_on_submit():
        try:
            teacher = services.resolve_teacher(current_studio(), selected(form.teacher.data))
            policies.ensure_may_teach(teacher)
            lesson, message = _book(form)
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form_failed(form, exc, context)
        else:
            target = _week_url(lesson) if lesson else url_for("scheduling.calendar")
            return done(message, target, LESSONS_CHANGED, PANEL_CLOSE)
    status = 422 if request.method == "POST" else 200
    return render_form("scheduling/lesson_form.html", "scheduling/_lesson_form.html", status, **context)
