"""One lesson: its panel (or page) and the actions on it, and families' cancellation requests."""
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core import htmx
from app.core.errors import DomainError, PermissionDenied
from app.core.forms import EmptyForm
from app.core.permissions import can, requires
from app.core.tenancy import current_principal, current_studio
from app.core.timeutil import local_today, to_local
from app.core.views import denied_writes_redirect, render
from app.scheduling import policies, services
from app.scheduling.access import managed_lesson, reviewable_request, visible_lesson
from app.scheduling.forms import (
    AttendanceForm,
    CancelForm,
    EditLessonForm,
    RequestCancellationForm,
    RescheduleForm,
    ReviewForm,
)
from app.scheduling.views import scheduling_bp
from app.scheduling.views.common import (
    LESSONS_CHANGED,
    back_to_lesson,
    booking_failed,
    colors_for,
    lesson_start,
    lesson_when,
    room_choices,
    selected,
    teacher_choices,
)

# ---------------------------------------------------------------- one lesson

def _has_begun(studio, lesson):
    """Attendance can be taken from the lesson's (studio-local) day on."""
    return to_local(studio, lesson.start_at).date() <= local_today(studio)


def _panel_context(lesson, **extra):
    principal = current_principal()
    return {
        "lesson": lesson, "may_manage": policies.may_manage_lesson(lesson),
        "may_request": can("lessons.request_cancellation") and policies.may_request_cancellation(lesson),
        "pending_request": services.pending_request_for(lesson),
        "may_see_lesson_rate": policies.may_see_lesson_rate(), "attendance_form": AttendanceForm(),
        "cancel_form": CancelForm(), "request_form": RequestCancellationForm(),
        "can_take_attendance": _has_begun(principal.studio, lesson),
        "is_staff": principal.role in ("owner", "admin", "teacher"),
        **extra,
    }


@scheduling_bp.route("/lessons/<lesson_id>")
@login_required
@requires("lessons.view")
def lesson(lesson_id):
    item = visible_lesson(lesson_id)
    return render("scheduling/lesson.html", "scheduling/_panel.html", **_panel_context(item))


def _panel_or_redirect(lesson, message):
    """After an action from the panel: htmx gets the refreshed panel, others a redirect."""
    if htmx.is_htmx():
        response = make_response(render_template("scheduling/_panel.html", **_panel_context(lesson),
                                                  notice=message))
        return htmx.hx_trigger(response, LESSONS_CHANGED)
    flash(message, "success")
    return redirect(url_for("scheduling.lesson", lesson_id=lesson.id))


@scheduling_bp.route("/lessons/<lesson_id>/cancel", methods=["GET", "POST"])
@login_required
@requires("lessons.manage")
@denied_writes_redirect(back=back_to_lesson)
def cancel_lesson(lesson_id):
    item = managed_lesson(lesson_id)
    form = CancelForm()
    context = {"lesson": item, "form": form, "studio": current_studio(),
               "late": services.cancellation_outcome(current_studio(), item) != "no_charge"}
    if form.validate_on_submit():
        try:
            services.cancel_lesson(current_studio(), current_user, item, form.reason.data or "",
                                   initiated_by=form.initiated_by.data)
        except DomainError as exc:
            booking_failed(form, exc, context)
        else:
            return _panel_or_redirect(item, _cancel_message(item))
    status = 422 if request.method == "POST" else 200
    return render("scheduling/cancel.html", "scheduling/_cancel_form.html", status=status, **context)


def _cancel_message(lesson):
    outcome = {"makeup_credit": " The family gets a make-up credit.",
               "charged": " It is charged (late cancellation)."}.get(lesson.cancellation_outcome, "")
    return f"The lesson on {lesson_when(lesson)} is cancelled.{outcome}"


@scheduling_bp.route("/lessons/<lesson_id>/reschedule", methods=["GET", "POST"])
@login_required
@requires("lessons.manage")
@denied_writes_redirect(back=back_to_lesson)
def reschedule_lesson(lesson_id):
    item = managed_lesson(lesson_id)
    form = RescheduleForm()
    form.room.choices = room_choices()
    if request.method == "GET":
        local = to_local(current_studio(), item.start_at)
        form.date.data, form.start_time.data = local.date(), local.time().replace(tzinfo=None)
        form.duration_minutes.data = item.duration_minutes
        form.room.data = str(item.room_id) if item.room_id else ""
    context = {"lesson": item, "form": form, "warnings": [], "clashes": []}
    if form.validate_on_submit():
        try:
            start, end = lesson_start(form)
            booking = services.reschedule_lesson(current_studio(), current_user, item, start=start, end=end,
                                                 room=selected(form.room.data),
                                                 confirm_warnings=form.confirm.data)
        except DomainError as exc:
            booking_failed(form, exc, context)
        else:
            return _panel_or_redirect(booking.lesson, f"Moved to {lesson_when(booking.lesson)}.")
    status = 422 if request.method == "POST" else 200
    return render("scheduling/reschedule.html", "scheduling/_reschedule_form.html", status=status, **context)


@scheduling_bp.route("/lessons/<lesson_id>/edit", methods=["GET", "POST"])
@login_required
@requires("lessons.manage")
@denied_writes_redirect(back=back_to_lesson)
def edit_lesson(lesson_id):
    item = managed_lesson(lesson_id)
    form = EditLessonForm()
    form.teacher.choices = teacher_choices() if current_principal().role == "teacher" else \
        teacher_choices(for_booking=False)
    form.room.choices = room_choices()
    if not can("lessons.set_rate"):
        del form.rate
    if request.method == "GET":
        _fill_edit_form(form, item)
    context = {"lesson": item, "form": form, "warnings": [], "clashes": []}
    if form.validate_on_submit():
        try:
            start, end = lesson_start(form)
            changes = {"start": start, "end": end, "teacher": selected(form.teacher.data),
                       "room": selected(form.room.data), "location": form.location.data or "",
                       "online_url": form.online_url.data or "", "notes": form.notes.data or ""}
            if "rate" in form and form.rate.data is not None:
                changes["rate"] = form.rate.data
            policies.ensure_may_teach(services.resolve_teacher(current_studio(), changes["teacher"]))
            update = services.update_following if form.apply_to.data == "following" and item.series_id \
                else services.update_lesson
            booking = update(current_studio(), current_user, item, services.LessonChanges(**changes),
                             confirm_warnings=form.confirm.data)
        except PermissionDenied:
            raise
        except DomainError as exc:
            booking_failed(form, exc, context)
        else:
            return _panel_or_redirect(booking.lesson, "The lesson is saved.")
    status = 422 if request.method == "POST" else 200
    return render("scheduling/edit.html", "scheduling/_edit_form.html", status=status, **context)


def _fill_edit_form(form, lesson):
    local = to_local(current_studio(), lesson.start_at)
    form.date.data, form.start_time.data = local.date(), local.time().replace(tzinfo=None)
    form.duration_minutes.data = lesson.duration_minutes
    form.teacher.data = str(lesson.teacher_id)
    form.room.data = str(lesson.room_id) if lesson.room_id else ""
    form.location.data, form.online_url.data = lesson.location, lesson.online_url
    form.notes.data = lesson.notes
    if "rate" in form:
        form.rate.data = lesson.rate


@scheduling_bp.route("/lessons/<lesson_id>/attendance", methods=["POST"])
@login_required
@requires("lessons.manage")
@denied_writes_redirect(back=back_to_lesson)
def attendance(lesson_id):
    """One-click attendance from the agenda or the panel: attended, no-show, or undo."""
    item = managed_lesson(lesson_id)
    form = AttendanceForm()
    message = None
    if form.validate_on_submit():
        try:
            message = _record_attendance(item, form.value.data)
        except DomainError as exc:
            message = exc.detail
            if not htmx.is_htmx():
                flash(exc.detail, "error")
                return redirect(request.referrer or url_for("scheduling.lesson", lesson_id=item.id))
    if request.form.get("from") == "agenda" and htmx.is_htmx():
        response = make_response(render_template("scheduling/_agenda_item.html", lesson=item,
                                                  attendance_form=AttendanceForm(), colors=colors_for(),
                                                  notice=message))
        return htmx.hx_trigger(response, LESSONS_CHANGED)
    return _panel_or_redirect(item, message or "Nothing changed.")


def _record_attendance(lesson, value):
    studio = current_studio()
    if value == "present":
        services.complete_lesson(studio, current_user, lesson)
        return "Marked as attended."
    if value == "no_show":
        services.mark_no_show(studio, current_user, lesson)
        return "Marked as a no-show."
    services.reopen_lesson(studio, current_user, lesson)
    return "Attendance undone."


@scheduling_bp.route("/lessons/<lesson_id>/complete", methods=["POST"])
@login_required
@requires("lessons.manage")
@denied_writes_redirect(back=back_to_lesson)
def complete_group(lesson_id):
    """Per-student attendance of a group lesson (one select per student)."""
    item = managed_lesson(lesson_id)
    if not EmptyForm().validate_on_submit():
        return _panel_or_redirect(item, "The form expired; try again.")
    marks = {str(a.student_id): request.form.get(f"attendance-{a.student_id}", "present")
             for a in item.attendees}
    try:
        services.complete_lesson(current_studio(), current_user, item, marks)
    except DomainError as exc:
        return _panel_or_redirect(item, exc.detail)
    return _panel_or_redirect(item, "Attendance saved.")


# ---------------------------------------------------------------- cancellation requests

@scheduling_bp.route("/lessons/<lesson_id>/request-cancellation", methods=["POST"])
@login_required
@requires("lessons.request_cancellation")
@denied_writes_redirect(back=back_to_lesson)
def request_cancellation(lesson_id):
    item = visible_lesson(lesson_id)
    if not policies.may_request_cancellation(item):
        raise PermissionDenied("You can request cancellation of your own upcoming lessons only.")
    form = RequestCancellationForm()
    if form.validate_on_submit():
        try:
            services.request_cancellation(current_studio(), current_user, item, form.reason.data or "")
        except DomainError as exc:
            return _panel_or_redirect(item, exc.detail)
        return _panel_or_redirect(item, "Your request is sent. The studio will confirm the cancellation.")
    return _panel_or_redirect(item, "The form expired; try again.")


@scheduling_bp.route("/cancellation-requests/<request_id>/<any(approve, decline):decision>", methods=["POST"])
@login_required
@requires("cancellation_requests.review")
@denied_writes_redirect(back=back_to_lesson)
def review_request(request_id, decision):
    item = reviewable_request(request_id)
    form = ReviewForm()
    if form.validate_on_submit():
        verb = services.approve_request if decision == "approve" else services.decline_request
        try:
            verb(current_studio(), current_user, item, form.response.data or "")
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(f"Request {'approved: the lesson is cancelled' if decision == 'approve' else 'declined'}.",
                  "success")
    return redirect(request.referrer or url_for("scheduling.lessons"))


