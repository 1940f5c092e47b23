"""Roles and permissions, declared once for the HTML views, the API and the templates."""
from functools import wraps

from flask import flash, redirect, request, url_for

from app.core.errors import PermissionDenied, is_api_request

OWNER, ADMIN, TEACHER, PARENT, STUDENT = "owner", "admin", "teacher", "parent", "student"
ROLES = (OWNER, ADMIN, TEACHER, PARENT, STUDENT)
ROLE_LABELS = {
    OWNER: "Owner", ADMIN: "Admin", TEACHER: "Teacher", PARENT: "Parent", STUDENT: "Student",
}
MANAGERS = frozenset({OWNER, ADMIN})
STAFF = MANAGERS | {TEACHER}
FAMILY = frozenset({PARENT, STUDENT})
EVERYONE = STAFF | FAMILY

# Roles an admin may give through an invitation or a role change. Ownership only moves
# through an explicit transfer by the owner.
ASSIGNABLE_ROLES = (ADMIN, TEACHER, PARENT, STUDENT)

PERMISSIONS = {
    "dashboard.view": EVERYONE,
    "studio.view": EVERYONE,
    "studio.manage": MANAGERS,
    "studio.delete": frozenset({OWNER}),
    "studio.transfer_ownership": frozenset({OWNER}),
    "members.view": MANAGERS,
    "members.invite": MANAGERS,
    "members.manage": MANAGERS,
}

# Actions an API key with only the `read` scope may perform.
READ_ONLY_ACTIONS = frozenset({"dashboard.view", "studio.view", "members.view"})


def can(action, principal=None):
    """May the acting principal perform `action` in its current studio?"""
    from app.core.tenancy import current_principal

    principal = principal or current_principal()
    if principal is None or principal.role is None:
        return False
    if action not in PERMISSIONS:
        raise KeyError(f"unknown permission {action!r}")
    if principal.role not in PERMISSIONS[action]:
        return False
    if "write" not in principal.scopes and action not in READ_ONLY_ACTIONS:
        return False
    return True


def require(action):
    if not can(action):
        raise PermissionDenied()


def requires(action):
    """Guard a view or API method. Put it above @blp.arguments: permission before validation."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if can(action):
                return view(*args, **kwargs)
            if is_api_request():
                raise PermissionDenied()
            flash("You do not have permission to do that.", "error")
            return redirect(_safe_back())

        return wrapper

    return decorator


def _safe_back():
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url) and referrer != request.url:
        return referrer
    return url_for("dashboard.index")
