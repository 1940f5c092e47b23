"""Lesson pages: list, today's agenda, booking, the lesson panel and its actions, series."""
from datetime import datetime

from flask import render_template, request, url_for
from flask_login import current_user, login_required

from app.core.errors import DomainError, PermissionDenied, ValidationFailed
from app.core.formatting import date_filter, money_filter
from app.core.permissions import can, requires
from app.core.tenancy import current_principal, current_studio
from app.core.timeutil import local_today, to_local
from app.core.views import date_arg, denied_writes_redirect, html_page, render
from app.people.services import own_teacher_profile
from app.scheduling import policies, services
from app.scheduling.forms import (
    AttendanceForm,
    LessonForm,
    ReviewForm,
)
from app.scheduling.models import LESSON_STATUSES, Lesson
from app.scheduling.views import scheduling_bp
from app.scheduling.views.common import (
    LESSONS_CHANGED,
    PANEL_CLOSE,
    back_to_lesson,
    booking_failed,
    colors_for,
    done,
    lesson_start,
    lesson_when,
    room_choices,
    selected,
    student_choices,
    teacher_choices,
    visible_student_or_none,
)

EVERY = {"weekly": "every week", "biweekly": "every 2 weeks", "monthly": "every month"}


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
    start_date, end_date = date_arg("start_date"), date_arg("end_date")
    if start_date is None and end_date is None and not args.get("all"):
        start_date = local_today(principal.studio)
    stmt = services.lesson_query(principal, status=status, start_date=start_date, end_date=end_date,
                                 **filters)
    newest_first = args.get("order") == "newest"
    stmt = stmt.order_by(Lesson.start_at.desc() if newest_first else Lesson.start_at, Lesson.id)
    page = html_page(stmt)
    requests = _pending_requests() if can("cancellation_requests.review") else []
    return render(
        "scheduling/lessons.html", "scheduling/_lesson_results.html", page=page,
        teachers=teacher_choices(for_booking=False), students=student_choices(),
        rooms=room_choices(blank=None), args=args, start_date=start_date, end_date=end_date,
        requests=requests, review_form=ReviewForm(), can_book=can("lessons.schedule"),
    )


def _pending_requests():
    principal = current_principal()
    own = own_teacher_profile(principal) if principal.role == "teacher" else None
    if principal.role == "teacher" and own is None:
        return []
    return services.pending_requests(principal, own.id if own else None)[0]


@scheduling_bp.route("/lessons/today")
@login_required
@requires("lessons.manage")
def today():
    principal = current_principal()
    own = own_teacher_profile(principal) if principal.role == "teacher" else None
    teacher_id = own.id if own else selected(request.args.get("teacher"))
    items = services.agenda_lessons(principal, teacher_id)
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
    form.date.data = date_arg("date") or local_today(current_studio())
    try:
        form.start_time.data = datetime.strptime(args.get("time", ""), "%H:%M").time()
    except ValueError:
        pass
    _fill_student_defaults(form)


def _fill_student_defaults(form):
    """The chosen student's usual lesson: their length in the form, their rate as the
    placeholder of the rate (left empty, so another length is priced pro rata)."""
    student = visible_student_or_none(selected(form.student.data))
    if student is None:
        return
    form.duration_minutes.data, form.duration_minutes.raw_data = student.default_lesson_minutes, None
    form.lesson_type.data, form.lesson_type.raw_data = student.default_lesson_type, None
    usual = f"Usual lesson: {student.default_lesson_minutes} min"
    if "rate" in form and student.default_lesson_rate is not None:
        form.rate.render_kw = {"placeholder": f"{student.default_lesson_rate:.2f}"}
        usual += f" at {money_filter(student.default_lesson_rate)}; other lengths pro rata"
    form.student.description = usual + "."


def _refill(form):
    """The booking form again after the student changed (htmx), with their defaults."""
    _fill_student_defaults(form)
    in_panel = request.form.get("in_panel") != "0"
    return render("scheduling/lesson_form.html", "scheduling/_lesson_form.html", form=form,
                  warnings=[], clashes=[], in_panel=in_panel)


def _offer_credits(form):
    """The chosen student's unused make-up credits, to book this lesson against one."""
    student = selected(form.student.data)
    if str(student) not in {value for value, _ in form.student.choices}:
        student = None
    credits = services.available_credits(current_studio(), [student]) if student else []
    form.makeup_credit.choices = [("", "No")] + [(str(c.id), _credit_label(c)) for c in credits]
    if credits:
        count = len(credits)
        form.makeup_credit.description = (
            f"{credits[0].student.full_name} has {count} make-up credit{'' if count == 1 else 's'}; "
            "a lesson booked against one is a free make-up lesson.")


def _credit_label(credit):
    earned = f"missed {date_filter(credit.source_lesson.start_at, 'MMM d')}" if credit.source_lesson \
        else f"given {date_filter(credit.created_at, 'MMM d')}"
    return f"Yes: {earned}, expires {date_filter(credit.expires_at, 'MMM d')}"


def _placement(form, students):
    return services.Placement(
        teacher=selected(form.teacher.data), students=tuple(selected(s) for s in students),
        lesson_type=form.lesson_type.data, room=selected(form.room.data),
        location=form.location.data or "", online_url=form.online_url.data or "",
        rate=form.rate.data if "rate" in form else None, notes=form.notes.data or "",
    )


def _book(form):
    studio = current_studio()
    start, end = lesson_start(form)
    credit = form.makeup_credit.data or None
    if form.repeats.data:
        if form.extra_students.data:
            raise ValidationFailed(field_errors={"extra_students": [
                "Recurring lessons have one student; book group lessons one at a time."]})
        local = to_local(studio, start)
        repeats = services.Pattern(
            frequency=form.repeats.data, day_of_week=local.weekday(),
            start_time=local.time().replace(tzinfo=None), duration_minutes=form.duration_minutes.data,
            start_date=form.date.data, end_date=form.until.data,
        )
        series, lessons = services.create_series(studio, current_user, _placement(form, [form.student.data]),
                                                 repeats, confirm_warnings=form.confirm.data)
        every = EVERY[form.repeats.data]
        first = f" from {lesson_when(lessons[0])}" if lessons else ""
        return lessons[0] if lessons else None, f"Booked {every}{first} ({len(lessons)} lessons)."
    students = [form.student.data] + [s for s in form.extra_students.data if s != form.student.data]
    booking = services.schedule_lesson(studio, current_user, _placement(form, students), start=start,
                                       end=end, makeup_credit=credit, confirm_warnings=form.confirm.data)
    return booking.lesson, f"Lesson booked for {lesson_when(booking.lesson)}."


@scheduling_bp.route("/lessons/new", methods=["GET", "POST"])
@login_required
@requires("lessons.schedule")
@denied_writes_redirect(back=back_to_lesson)
def new_lesson():
    form = _booking_form()
    _prefill(form)
    _offer_credits(form)
    if request.method == "POST" and request.form.get("refill") == "student":
        return _refill(form)
    context = {"form": form, "warnings": [], "clashes": []}
    if form.validate_on_submit():
        try:
            teacher = services.resolve_teacher(current_studio(), selected(form.teacher.data))
            policies.ensure_may_teach(teacher)
            lesson, message = _book(form)
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            booking_failed(form, exc, context)
        else:
            target = _week_url(lesson) if lesson else url_for("scheduling.calendar")
            return done(message, target, LESSONS_CHANGED, PANEL_CLOSE)
    status = 422 if request.method == "POST" else 200
    return render("scheduling/lesson_form.html", "scheduling/_lesson_form.html", status=status, **context)


@scheduling_bp.route("/lessons/new/makeup-credit")
@login_required
@requires("lessons.schedule")
def booking_credit_field():
    """The booking form's make-up credit field for the student just chosen (htmx)."""
    form = _booking_form()
    form.student.data = request.args.get("student", "")
    _offer_credits(form)
    form.makeup_credit.data = request.args.get("makeup_credit", "")
    return render_template("scheduling/_makeup_credit_field.html", form=form)
