"""Roles and permissions, declared once for the HTML views, the API and the templates."""
from functools import wraps

from flask import flash, redirect

from app.core.errors import PermissionDenied, is_api_request
from app.core.tenancy import current_principal
from app.core.views import safe_back

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
    # People (teachers, families, students); object-level rules live in app/people/policies.py.
    "people.directory": STAFF,
    "teachers.view": EVERYONE,
    "teachers.manage": MANAGERS,
    "teachers.edit_own": frozenset({TEACHER}),
    "families.view": STAFF | {PARENT},
    "families.view_own": frozenset({PARENT}),
    "families.manage": MANAGERS,
    "families.edit_contact": MANAGERS | {PARENT},
    "students.view": EVERYONE,
    "students.view_own": frozenset({STUDENT}),
    "students.manage": MANAGERS,
    "people.import": MANAGERS,
    "people.export": MANAGERS,
    # Scheduling; object-level rules (own lessons, own family) live in app/scheduling/policies.py.
    "lessons.view": EVERYONE,
    "lessons.schedule": STAFF,
    "lessons.manage": STAFF,
    "lessons.set_rate": MANAGERS,
    "lessons.request_cancellation": FAMILY,
    "cancellation_requests.view": EVERYONE,
    "cancellation_requests.review": STAFF,
    "makeup_credits.view": EVERYONE,
    "series.view": EVERYONE,
    "series.manage": STAFF,
    "availability.find_slots": STAFF,
    "rooms.view": STAFF | {STUDENT},
    "rooms.manage": MANAGERS,
    "reservations.view": STAFF | {STUDENT},
    "reservations.create": STAFF | {STUDENT},
    "reservations.manage_all": MANAGERS,
    "closures.view": EVERYONE,
    "closures.manage": MANAGERS,
    "calendar.subscribe": EVERYONE,
    # Teaching records; object-level rules (own students, visibility flags) live in
    # app/teaching/policies.py.
    "notes.view": EVERYONE,
    "notes.write": STAFF,
    "goals.view": EVERYONE,
    "goals.manage": STAFF,
    "lesson_plans.view": STAFF,
    "lesson_plans.manage": STAFF,
    "practice.view": EVERYONE,
    "practice.record": EVERYONE,
    "practice.summary": STAFF,
    # Billing; parents see their own family's (app/billing/policies.py), teachers none.
    "invoices.view": MANAGERS | {PARENT},
    "invoices.manage": MANAGERS,
    "payments.view": MANAGERS | {PARENT},
    "payments.record": MANAGERS,
    "reports.view": MANAGERS,
    "reports.teacher_hours": STAFF,
    # Inventory: families see what may be borrowed and ask for it; staff lend; admins keep
    # the catalogue.
    "inventory.view": EVERYONE,
    "inventory.manage": MANAGERS,
    "checkouts.view": EVERYONE,
    "checkouts.request": FAMILY,
    "checkouts.manage": STAFF,
    # The resource library: staff upload and share; families open what is shared with them.
    "resources.view": EVERYONE,
    "resources.manage": STAFF,
    "resources.lend": STAFF,
    "storage.view": MANAGERS,
    # Each member's own bell: reading it, and marking it read.
    "notifications.view": EVERYONE,
    "notifications.read": EVERYONE,
    # Announcements: staff send (a teacher to their own students only, app/messaging/services/
    # announcements.py); everyone reads those they received.
    "announcements.view": EVERYONE,
    "announcements.send": STAFF,
    # Threads: every member writes, to whom app/messaging/policies.py allows, and reads the
    # threads they take part in.
    "messages.view": EVERYONE,
    "messages.write": EVERYONE,
}

# Actions an API key with only the `read` scope may perform.
READ_ONLY_ACTIONS = frozenset({
    "dashboard.view", "studio.view", "members.view", "people.directory", "teachers.view",
    "families.view", "families.view_own", "students.view", "students.view_own", "people.export",
    "lessons.view", "cancellation_requests.view", "makeup_credits.view", "series.view",
    "availability.find_slots", "rooms.view", "reservations.view", "closures.view",
    "notes.view", "goals.view", "lesson_plans.view", "practice.view", "practice.summary",
    "invoices.view", "payments.view", "reports.view", "reports.teacher_hours",
    "inventory.view", "checkouts.view", "resources.view", "storage.view", "notifications.view",
    "announcements.view", "messages.view",
})


def can(action, principal=None):
    """May the acting principal perform `action` in its current studio?"""
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


def requires(action):
    """Guard a view or API method. Put it above @blp.arguments: permission before validation."""
    return requires_one_of(action)


def requires_one_of(*actions):
    """`requires` for a view or API method open to any of several actions."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if any(can(action) for action in actions):
                return view(*args, **kwargs)
            if is_api_request():
                raise PermissionDenied()
            flash("You do not have permission to do that.", "error")
            return redirect(safe_back())

        return wrapper

    return decorator
