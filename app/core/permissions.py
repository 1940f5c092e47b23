"""Roles and permissions, declared once for the HTML views, the API and the templates."""
from copy import deepcopy
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
    # API keys: owners and admins make and revoke the studio's keys (app/developer).
    "api_keys.manage": MANAGERS,
    # Webhooks: owners and admins choose where the studio's events go (app/webhooks).
    "webhooks.manage": MANAGERS,
}

# What a person does for themself, never an API key. A key acts for its studio (as an admin,
# narrowed by its scopes), not as the person who made it: it has no inbox, bell or calendar
# feed, and it may not see or make keys (a leaked key cannot mint others).
PERSONAL_ACTIONS = frozenset({
    "api_keys.manage", "notifications.view", "notifications.read", "messages.view",
    "messages.write", "calendar.subscribe",
})

# What a third-party app never does, whatever the person who allowed it may: make credentials
# or data feeds that would outlive the authorization (revoking the app must cut it off).
NOT_FOR_APPS = frozenset({"api_keys.manage", "webhooks.manage"})

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


# ------------------------------------------------------------------ scopes
# What an API key or an OAuth app's token may do, on top of its user's role: `read` and
# `write` cover every area, `<area>:read` and `<area>:write` one area (`billing:read` reads
# invoices, payments and reports). `write` implies `read`, in the whole studio or in an area.
# A signed-in person (browser or login token) holds FULL_ACCESS.
SCOPE_AREAS = {
    "studio": "The studio, its settings and members",
    "people": "Teachers, families and students",
    "scheduling": "Lessons, series, rooms, closures and make-up credits",
    "teaching": "Lesson notes, goals, plans and practice",
    "billing": "Invoices, payments and reports",
    "inventory": "Instruments and equipment on loan",
    "library": "The resource library",
    "messaging": "Messages, notifications and announcements",
}
# The area of each action, by the part before the dot.
_AREA_OF_PREFIX = {
    "dashboard": "studio", "studio": "studio", "members": "studio", "storage": "studio",
    "people": "people", "teachers": "people", "families": "people", "students": "people",
    "lessons": "scheduling", "cancellation_requests": "scheduling",
    "makeup_credits": "scheduling", "series": "scheduling", "availability": "scheduling",
    "rooms": "scheduling", "reservations": "scheduling", "closures": "scheduling",
    "calendar": "scheduling",
    "notes": "teaching", "goals": "teaching", "lesson_plans": "teaching", "practice": "teaching",
    "invoices": "billing", "payments": "billing", "reports": "billing",
    "inventory": "inventory", "checkouts": "inventory",
    "resources": "library",
    "notifications": "messaging", "announcements": "messaging", "messages": "messaging",
    "api_keys": "studio", "webhooks": "studio",
}
SCOPES = ("read", "write") + tuple(
    f"{area}:{level}" for area in SCOPE_AREAS for level in ("read", "write"))
FULL_ACCESS = frozenset({"read", "write"})


def area_of(action):
    return _AREA_OF_PREFIX[action.split(".", 1)[0]]


def scope_allows(scopes, action):
    """Do `scopes` cover `action` (a key in PERMISSIONS)?"""
    area = area_of(action)
    if "write" in scopes or f"{area}:write" in scopes:
        return True
    return action in READ_ONLY_ACTIONS and ("read" in scopes or f"{area}:read" in scopes)


def normalize_scopes(scopes):
    """The scopes, checked and in SCOPES order, without those another implies
    (`billing:read` beside `billing:write`, any `<area>:read` beside `read`). `write` alone
    stays `write`: it reads too (scope_allows)."""
    chosen = set(scopes)
    unknown = chosen - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    implied = set()
    for scope in chosen:
        area, _, level = scope.partition(":")
        if level == "read" and ("read" in chosen or f"{area}:write" in chosen):
            implied.add(scope)
        if level == "write" and "write" in chosen:
            implied.add(scope)
    return tuple(scope for scope in SCOPES if scope in chosen - implied)


def can(action, principal=None):
    """May the acting principal perform `action` in its current studio? Its role decides,
    narrowed by its scopes when it acts through an API key or an app's token."""
    principal = principal or current_principal()
    if principal is None or principal.role is None:
        return False
    if action not in PERMISSIONS:
        raise KeyError(f"unknown permission {action!r}")
    if principal.role not in PERMISSIONS[action]:
        return False
    if principal.api_key_id is not None and action in PERSONAL_ACTIONS:
        return False
    if principal.app_grant_id is not None and action in NOT_FOR_APPS:
        return False
    return scope_allows(principal.scopes, action)


def requires(action):
    """Guard a view or API method. Put it above @blp.arguments: permission before validation."""
    return requires_one_of(action)


def requires_one_of(*actions):
    """`requires` for a view or API method open to any of several actions. An API method's
    document states who may call it (`security_requirements`)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if any(can(action) for action in actions):
                return view(*args, **kwargs)
            if is_api_request():
                raise PermissionDenied()
            flash("You do not have permission to do that.", "error")
            return redirect(safe_back())

        # flask-smorest reads `_apidoc` (wraps shared the wrapped method's dict: copy it).
        wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
        wrapper._apidoc.setdefault("manual_doc", {})["security"] = security_requirements(actions)
        return wrapper

    return decorator


def security_requirements(actions):
    """The OpenAPI security of an operation open to any of `actions`: a signed-in person's
    token always; an API key unless every action is personal; an app's token holding any one
    of the scopes that allow one of the actions (a requirement each, in SCOPES order: OpenAPI
    asks for every scope listed in one requirement)."""
    requirements = [{"bearerAuth": []}]
    if any(action not in PERSONAL_ACTIONS for action in actions):
        requirements.append({"apiKey": []})
    allowing = set()
    for action in actions:
        if action in NOT_FOR_APPS:
            continue
        area = area_of(action)
        allowing |= {"write", f"{area}:write"}
        if action in READ_ONLY_ACTIONS:
            allowing |= {"read", f"{area}:read"}
    return requirements + [{"oauth2": [scope]} for scope in SCOPES if scope in allowing]
