"""The sidebar: (label, endpoint, permission) entries, shown when the role may use them."""
from flask import request, url_for

from app.core.permissions import can

NAV = [
    ("Dashboard", "dashboard.index", "dashboard.view", "home"),
    ("Members", "settings.members", "members.view", "users"),
    ("Studio settings", "settings.studio", "studio.manage", "settings"),
]


def nav_items():
    items = []
    for label, endpoint, permission, icon in NAV:
        if can(permission):
            url = url_for(endpoint)
            active = request.endpoint == endpoint
            items.append({"label": label, "url": url, "active": active, "icon": icon})
    return items
