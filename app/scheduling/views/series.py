"""A recurring series: its lessons, changing the pattern, ending it."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.core.forms import EmptyForm
from app.core.permissions import can, requires
from app.core.tenancy import current_principal, current_studio
from app.core.timeutil import local_today
from app.core.views import denied_writes_redirect
from app.extensions import db
from app.scheduling import policies, services
from app.scheduling.access import visible_series
from app.scheduling.forms import SeriesForm
from app.scheduling.models import Lesson
from app.scheduling.views import scheduling_bp
from app.scheduling.views.common import (
    back_to_lesson,
    booking_failed,
    room_choices,
    selected,
    teacher_choices,
)

# ---------------------------------------------------------------- series

@scheduling_bp.route("/series/<series_id>", methods=["GET", "POST"])
@login_required
@requires("series.view")
@denied_writes_redirect(back=back_to_lesson)
def series(series_id):
    item = visible_series(series_id)
    may_manage = can("series.manage") and policies.may_manage_lesson(item)
    form = _series_form(item) if may_manage else None
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("You can only change your own lessons.")
        if form.validate_on_submit():
            try:
                _save_series(item, form)
            except PermissionDenied:
                raise
            except DomainError as exc:
                context = {}
                booking_failed(form, exc, context)
                return _series_page(item, form, 422, **context)
            flash("The recurring lessons are updated.", "success")
            return redirect(url_for("scheduling.series", series_id=item.id))
        return _series_page(item, form, 422)
    return _series_page(item, form)


def _series_page(item, form, status=200, **context):
    now = utcnow()
    upcoming = db.session.scalars(select(Lesson).where(
        Lesson.studio_id == item.studio_id, Lesson.series_id == item.id, Lesson.end_at > now,
    ).order_by(Lesson.start_at).limit(12)).all()
    past = db.session.scalars(select(Lesson).where(
        Lesson.studio_id == item.studio_id, Lesson.series_id == item.id, Lesson.end_at <= now,
    ).order_by(Lesson.start_at.desc()).limit(12)).all()
    return render_template("scheduling/series.html", series=item, form=form, upcoming=upcoming, past=past,
                           end_form=EmptyForm(), may_see_lesson_rate=policies.may_see_lesson_rate(),
                           **context), status


def _series_form(item):
    form = SeriesForm()
    form.teacher.choices = teacher_choices() if current_principal().role == "teacher" else \
        teacher_choices(for_booking=False)
    form.room.choices = room_choices()
    if not can("lessons.set_rate"):
        del form.rate
    if request.method == "GET":
        form.teacher.data, form.frequency.data = str(item.teacher_id), item.frequency
        form.day_of_week.data, form.start_time.data = str(item.day_of_week), item.start_time
        form.duration_minutes.data, form.location.data = item.duration_minutes, item.location
        form.room.data = str(item.room_id) if item.room_id else ""
        form.end_date.data, form.effective_from.data = item.end_date, local_today(current_studio())
        if "rate" in form:
            form.rate.data = item.rate
    return form


def _save_series(item, form):
    teacher = services.resolve_teacher(current_studio(), selected(form.teacher.data))
    policies.ensure_may_teach(teacher)
    changes = {"teacher": teacher, "frequency": form.frequency.data,
               "day_of_week": int(form.day_of_week.data),
               "start_time": form.start_time.data, "duration_minutes": form.duration_minutes.data,
               "room": selected(form.room.data), "location": form.location.data or "",
               "end_date": form.end_date.data}
    if "rate" in form and form.rate.data is not None:
        changes["rate"] = form.rate.data
    services.update_series(current_studio(), current_user, item, effective_from=form.effective_from.data,
                           **changes)


@scheduling_bp.route("/series/<series_id>/end", methods=["POST"])
@login_required
@requires("series.manage")
@denied_writes_redirect(back=back_to_lesson)
def end_series(series_id):
    item = visible_series(series_id)
    policies.ensure_may_manage(item)
    if EmptyForm().validate_on_submit():
        services.end_series(current_studio(), current_user, item)
        flash("The recurring lessons end today; future lessons are cancelled.", "success")
    return redirect(url_for("scheduling.series", series_id=item.id))
