"""The bell in the top bar, the notifications page, and marking one or all read.

The bell renders with every page (one COUNT on an index) and refreshes itself on the live
event `sse:notification`, when the window regains focus, and when this page marks something
read (`notifications-changed`).
"""
from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.core import htmx, validation
from app.core.forms import EmptyForm
from app.core.permissions import requires
from app.core.tenancy import current_principal, current_studio
from app.core.views import choice_arg, html_page, render, safe_back
from app.messaging import services
from app.messaging.views import messaging_bp

CHANGED = "notifications-changed"
SHOWS = ("all", "unread")


@messaging_bp.app_context_processor
def inject_bell():
    return {"notification_bell": _bell, "notification_labels": services.NOTIFICATION_LABELS}


def _bell():
    """The unread count of the signed-in member in the current studio (None: no bell)."""
    principal = current_principal()
    if principal is None or principal.studio is None or principal.role is None:
        return None
    return services.unread_count(principal.user, principal.studio)


@messaging_bp.route("/notifications/bell")
@login_required
@requires("notifications.view")
def bell():
    """The bell alone, for its own refresh."""
    return htmx.add_vary(make_response(render_template("messaging/_bell_link.html")))


def _list_context():
    show = choice_arg("show", SHOWS, "all")
    studio = current_studio()
    stmt = services.inbox(current_user, studio, is_read=False if show == "unread" else None)
    return {"page": html_page(stmt), "show": show,
            "unread": services.unread_count(current_user, studio), "action_form": EmptyForm()}


@messaging_bp.route("/notifications")
@login_required
@requires("notifications.view")
def notifications():
    """Your notifications in this studio, newest first; unread ones stand out."""
    return render("messaging/notifications.html", "messaging/_notification_list.html",
                  **_list_context())


@messaging_bp.route("/notifications/<notification_id>/open")
@login_required
@requires("notifications.view")
def open_notification(notification_id):
    """Follow a notification to its page, marking it read on the way. (A GET: the link works
    as a link, opens in a new tab, and a forged one needs an id only its owner knows.)"""
    notification = services.notification_of(current_user, current_studio(), notification_id)
    services.mark_read(current_user, notification)
    try:
        target = validation.local_path(notification.link)
    except validation.Invalid:
        target = url_for("messaging.notifications")
    return redirect(target)


@messaging_bp.route("/notifications/<notification_id>/read", methods=["POST"])
@login_required
@requires("notifications.read")
def mark_read(notification_id):
    """Mark one read: htmx gets the item back, read; a form post goes back where it came from."""
    notification = services.notification_of(current_user, current_studio(), notification_id)
    if not EmptyForm().validate_on_submit():
        return _expired()
    services.mark_read(current_user, notification)
    if htmx.is_htmx():
        response = make_response(render_template(
            "messaging/_notification.html", notification=notification, action_form=EmptyForm()))
        return htmx.hx_trigger(htmx.add_vary(response), CHANGED)
    return redirect(safe_back(url_for("messaging.notifications")))


@messaging_bp.route("/notifications/read-all", methods=["POST"])
@login_required
@requires("notifications.read")
def mark_all_read():
    """Mark every notification of this studio read."""
    if not EmptyForm().validate_on_submit():
        return _expired()
    marked = services.mark_all_read(current_user, current_studio())
    if htmx.is_htmx():
        response = make_response(render_template("messaging/_notification_list.html",
                                                  **_list_context()))
        return htmx.hx_trigger(htmx.add_vary(response), CHANGED)
    flash(f"{marked} notification{'s' if marked != 1 else ''} marked read." if marked
          else "Everything was read already.", "success")
    return redirect(url_for("messaging.notifications"))


def _expired():
    flash("The form expired; reload the page and try again.", "error")
    return redirect(safe_back(url_for("messaging.notifications")))
