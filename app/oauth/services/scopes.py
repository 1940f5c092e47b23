"""Which scopes a consent may give: within the app's, and only those the person's role can
use (a parent's `billing:write` is `billing:read`: parents read invoices but write none)."""
from app.core.permissions import (
    PERMISSIONS,
    READ_ONLY_ACTIONS,
    SCOPE_AREAS,
    SCOPES,
    area_of,
    normalize_scopes,
)

LEVEL_WORDS = {"read": "See", "write": "See and change"}


def _role_acts(role, areas, *, writes):
    return any(
        role in roles and area_of(action) in areas
        and (action not in READ_ONLY_ACTIONS if writes else action in READ_ONLY_ACTIONS)
        for action, roles in PERMISSIONS.items()
    )


def scopes_for_role(scopes, role):
    """`scopes` narrowed to what `role` can use, normalized (in SCOPES order): a write scope
    over areas the role only reads becomes the read scope, one over areas it cannot even
    read is dropped."""
    kept = []
    for scope in scopes:
        area, _, level = scope.partition(":")
        areas = {area} if level else set(SCOPE_AREAS)
        level = level or scope
        if level == "write" and not _role_acts(role, areas, writes=True):
            scope, level = (f"{area}:read" if area in SCOPE_AREAS else "read"), "read"
        if level == "read" and not _role_acts(role, areas, writes=False):
            continue
        kept.append(scope)
    return normalize_scopes(kept)


def describe_scope(scope):
    """A scope in plain words: ("See and change", "Invoices, payments and reports")."""
    area, _, level = scope.partition(":")
    if not level:
        return LEVEL_WORDS[scope], "Everything in the studio your role gives you"
    return LEVEL_WORDS[level], SCOPE_AREAS[area]


def scope_choices():
    """(scope, label) for every scope, for forms."""
    return [(scope, " — ".join(describe_scope(scope))) for scope in SCOPES]
