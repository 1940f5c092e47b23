"""The home page each role lands on after signing in."""
from datetime import datetime

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts import services
from app.billing.dashboard import dashboard_context as billing_context
from app.core import htmx, validation
from app.core.db import utcnow
from app.core.errors import DomainError, NotFound
from app.core.formatting import local_datetime
from app.core.forms import EmptyForm
from app.core.permissions import MANAGERS, requires
from app.core.tenancy import current_principal, current_studio, parse_uuid
from app.core.views import denied_writes_redirect
from app.dashboard.onboarding import checklist_for
from app.inventory.dashboard import dashboard_context as inventory_context
from app.scheduling import services as scheduling
from app.scheduling.dashboard import dashboard_context, staff_context
from app.teaching.dashboard import dashboard_context as teaching_context

dashboard_bp = Blueprint("dashboard", __name__)
LESSONS_CHANGED = "lessons-changed"


@dashboard_bp.route("/")
@login_required
def index():
    principal = current_principal()
    if principal.studio is None:
        return render_template("dashboard/no_studio.html")
    context = {
        "studio": principal.studio, "role": principal.role,
        "now_local": local_datetime(utcnow(), principal.studio),
        "checklist": checklist_for(principal),
    }
    if principal.role in MANAGERS:
        members = services.list_members(principal.studio)
        context.update(
            members=members,
            role_counts={role: sum(1 for m in members if m.role == role and m.is_active)
                         for role in ("owner", "admin", "teacher", "parent", "student")},
            invitations=services.pending_invitations(principal.studio),
        )
    context.update(dashboard_context(principal))
    context.update(teaching_context(principal))
    context.update(billing_context(principal))
    context.update(inventory_context(principal))
    return render_template("dashboard/index.html", user=current_user, **context)


def _back_to_dashboard(**_):
    return url_for("dashboard.index")


@dashboard_bp.route("/dashboard/attendance", methods=["POST"])
@login_required
@requires("lessons.manage")
@denied_writes_redirect(back=_back_to_dashboard)
def mark_present():
    """"Mark all present" for the lessons of a day (or of a teacher's day) that wait for
    attendance, all or none: those the dashboard counted (`day`, `teacher`, `until`: listed
    or not), or the lessons listed in the form (`lesson`)."""
    lessons = _lessons_to_mark(current_principal(), request.form)
    message, category = "The form expired; reload the page and try again.", "error"
    if EmptyForm().validate_on_submit():
        try:
            marked = scheduling.mark_present(current_studio(), current_user, lessons)
        except DomainError as exc:
            message = exc.detail
        else:
            count = len(marked)
            message = f"{count} lesson{'' if count == 1 else 's'} marked as attended." if count \
                else "Attendance of these lessons was already taken."
            category = "success"
    if not htmx.is_htmx():
        flash(message, category)
        return redirect(url_for("dashboard.index"))
    context = staff_context(current_principal())
    response = make_response(render_template("dashboard/_attendance_answer.html", notice=message,
                                             notice_category=category, **context))
    return htmx.hx_trigger(response, LESSONS_CHANGED)


def _lessons_to_mark(principal, form):
    """The lessons a "Mark all present" form names, as lessons the caller may change (404 for
    a malformed form or a lesson they may not see, 403 for one not theirs to change)."""
    if "day" not in form:
        return scheduling.managed_lessons(form.getlist("lesson"))
    day, until = validation.page_date(form.get("day")), _moment(form.get("until"))
    teacher_id = parse_uuid(form.get("teacher")) if form.get("teacher") else None
    if day is None or until is None or (form.get("teacher") and teacher_id is None):
        raise NotFound("Lesson not found.")
    # Lessons that end after the page was shown were not counted on it: they wait.
    ids = scheduling.lesson_ids_missing_attendance(principal, day, min(until, utcnow()),
                                                   teacher_id=teacher_id)
    return scheduling.managed_lessons(ids) if ids else []


def _moment(text):
    """An ISO instant with its offset (naive or malformed: None)."""
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
