"""The sidebar: sections of (label, endpoint, permission), shown when the role may use them."""
from flask import request, url_for

from app.core.permissions import can

NAV = [
    (None, [
        ("Dashboard", "dashboard.index", "dashboard.view"),
    ]),
    ("Schedule", [
        ("Calendar", "scheduling.calendar", "lessons.view"),
        ("Lessons", "scheduling.lessons", "lessons.view"),
        ("Rooms", "scheduling.rooms", "rooms.view"),
    ]),
    ("Teaching", [
        ("Lesson notes", "teaching.notes", "notes.view"),
        ("Practice", "teaching.practice", "practice.view"),
        ("Lesson plans", "teaching.plans", "lesson_plans.view"),
    ]),
    ("Library", [
        ("Resources", "library.resources", "resources.view"),
    ]),
    ("Messages", [
        ("Inbox", "messaging.inbox", "messages.view"),
        ("Announcements", "messaging.announcements", "announcements.send"),
    ]),
    ("People", [
        ("My family", "people.my_family", "families.view_own"),
        ("My student profile", "people.my_student", "students.view_own"),
        ("My teaching profile", "people.my_teacher", "teachers.edit_own"),
        ("Students", "people.students", "people.directory"),
        ("Families", "people.families", "people.directory"),
        ("Teachers", "people.teachers", "teachers.view"),
    ]),
    ("Billing", [
        ("Invoices", "billing.invoices", "invoices.view"),
        ("Payments", "billing.payments", "payments.view"),
        ("Reports", "billing.reports_page", "reports.teacher_hours"),
    ]),
    ("Inventory", [
        ("Items", "inventory.items", "checkouts.manage"),
        ("Checkout desk", "inventory.desk", "checkouts.manage"),
        ("Borrow", "inventory.items", "checkouts.request"),
    ]),
    ("Studio", [
        ("Members", "settings.members", "members.view"),
        ("Studio settings", "settings.studio", "studio.manage"),
        ("Your teaching", "settings.teaching", "studio.manage"),
        ("API keys", "developer.api_keys", "api_keys.manage"),
        ("Apps", "oauth.apps", "studio.manage"),
        ("Connected apps", "oauth.connected", "studio.manage"),
        ("Webhooks", "webhooks.endpoints", "webhooks.manage"),
    ]),
]

# Counts shown beside entries (unread messages): endpoint -> (count(), the endpoint of the
# badge alone, which the page reloads on the live event named). Domains register theirs.
BADGES = {}


def register_badge(endpoint, count, *, refresh=None, event=None):
    BADGES[endpoint] = (count, refresh, event)


def _badge(endpoint):
    if endpoint not in BADGES:
        return {}
    count, refresh, event = BADGES[endpoint]
    return {"badge": count(), "badge_url": url_for(refresh) if refresh else None,
            "badge_event": event}


def _is_active(endpoint, url):
    if request.endpoint == endpoint:
        return True
    return url != "/" and request.path.startswith(url.rstrip("/") + "/")


def nav_sections():
    """[{"title", "items": [{"label", "url", "active"}]}] for the signed-in role."""
    sections = []
    for title, entries in NAV:
        items = []
        for label, endpoint, permission in entries:
            if can(permission):
                url = url_for(endpoint)
                items.append({"label": label, "url": url, "active": _is_active(endpoint, url),
                              **_badge(endpoint)})
        if items:
            sections.append({"title": title, "items": items})
    # /inventory/desk is under /inventory/ too: only the most specific match stays active.
    active = [item for section in sections for item in section["items"] if item["active"]]
    for item in active:
        item["active"] = len(item["url"]) == max(len(a["url"]) for a in active)
    return sections
