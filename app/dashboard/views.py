"""The home page each role lands on after signing in."""
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts import services
from app.billing.dashboard import dashboard_context as billing_context
from app.core import htmx
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.formatting import local_datetime
from app.core.forms import EmptyForm
from app.core.permissions import MANAGERS, requires
from app.core.tenancy import current_principal, current_studio
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
    attendance: the lessons listed in the form, all or none."""
    lessons = scheduling.managed_lessons(request.form.getlist("lesson"))
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
