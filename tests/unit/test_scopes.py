"""Scopes narrow what an API key or an app's token may do (SPEC §5: `read`, `write` and
per-area scopes such as `billing:read`)."""
import pytest

from app.core.permissions import (
    PERMISSIONS,
    READ_ONLY_ACTIONS,
    SCOPE_AREAS,
    SCOPES,
    area_of,
    normalize_scopes,
    scope_allows,
)


def test_every_action_belongs_to_an_area():
    assert {area_of(action) for action in PERMISSIONS} == set(SCOPE_AREAS)


@pytest.mark.parametrize(("scopes", "action", "allowed"), [
    ({"read"}, "invoices.view", True),
    ({"read"}, "invoices.manage", False),
    ({"write"}, "invoices.manage", True),
    ({"write"}, "lessons.view", True),
    ({"billing:read"}, "invoices.view", True),
    ({"billing:read"}, "reports.view", True),
    ({"billing:read"}, "payments.record", False),
    ({"billing:read"}, "lessons.view", False),
    ({"billing:write"}, "payments.record", True),
    ({"billing:write"}, "invoices.view", True),
    ({"billing:write"}, "lessons.schedule", False),
    ({"scheduling:write", "people:read"}, "students.view", True),
    ({"scheduling:write", "people:read"}, "students.manage", False),
    (set(), "lessons.view", False),
])
def test_scopes_allow_their_area_and_level(scopes, action, allowed):
    assert scope_allows(frozenset(scopes), action) is allowed


def test_a_read_scope_never_allows_an_action_that_changes_something():
    for action in set(PERMISSIONS) - READ_ONLY_ACTIONS:
        assert not scope_allows(frozenset({"read"}), action), action
        assert not scope_allows(frozenset({f"{area_of(action)}:read"}), action), action


@pytest.mark.parametrize(("given", "kept"), [
    (["billing:read", "billing:write"], ("billing:write",)),
    (["read", "people:read", "billing:write"], ("read", "billing:write")),
    (["write", "billing:write", "read"], ("read", "write")),
    (["messaging:read", "billing:read"], ("billing:read", "messaging:read")),
])
def test_normalized_scopes_drop_what_another_implies(given, kept):
    assert normalize_scopes(given) == kept
    assert set(kept) <= set(SCOPES)


def test_an_unknown_scope_is_refused():
    with pytest.raises(ValueError, match="admin"):
        normalize_scopes(["read", "admin"])
