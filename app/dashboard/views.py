"""The home page each role lands on after signing in."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.accounts import services
from app.core.db import utcnow
from app.core.formatting import local_datetime
from app.core.permissions import MANAGERS
from app.core.tenancy import current_principal

dashboard_bp = Blueprint("dashboard", __name__)


@dashboard_bp.route("/")
@login_required
def index():
    principal = current_principal()
    if principal.studio is None:
        return render_template("dashboard/no_studio.html")
    context = {
        "studio": principal.studio, "role": principal.role,
        "now_local": local_datetime(utcnow(), principal.studio),
    }
    if principal.role in MANAGERS:
        members = services.list_members(principal.studio)
        context.update(
            members=members,
            role_counts={role: sum(1 for m in members if m.role == role and m.is_active)
                         for role in ("owner", "admin", "teacher", "parent", "student")},
            invitations=services.pending_invitations(principal.studio),
        )
    from app.scheduling.dashboard import dashboard_context

    context.update(dashboard_context(principal))
    from app.teaching.dashboard import dashboard_context as teaching_context

    context.update(teaching_context(principal))
    return render_template("dashboard/index.html", user=current_user, **context)
