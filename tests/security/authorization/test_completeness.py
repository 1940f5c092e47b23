"""Every route and method of the app has a row in the matrix, and every row names a route.

A new route fails here until its line is added to the table of its domain (test_<domain>.py
in this folder, any module with ROWS); a renamed route leaves its old rows pointing nowhere,
which fails too.
"""
import importlib
import pkgutil
import re

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

import tests.security.authorization as package
from tests.security.authorization.engine import ROLES

# Public by design, with nothing to authorize: (rule, reason).
PUBLIC = {
    "/static/<path:filename>": "the vendored CSS, JavaScript and images",
    "/api/openapi.json": "the OpenAPI document (SPEC §5)",
    "/api/docs/": "Swagger UI over the OpenAPI document",
    "/api/redoc/": "ReDoc over the OpenAPI document",
    "/api/v1/health": "the load balancer's health check, without auth (SPEC §5)",
}
AUTOMATIC = {"HEAD", "OPTIONS"}  # answered by werkzeug for every rule
SAMPLE_ID = "00000000-0000-4000-8000-000000000000"


def all_rows():
    rows = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("test_"):
            table = importlib.import_module(f"{package.__name__}.{module.name}")
            rows += [(module.name, row) for row in getattr(table, "ROWS", ())]
    return rows


def routes(app):
    """(rule, method) of every route the matrix must cover."""
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules() if rule.rule not in PUBLIC
        for method in rule.methods - AUTOMATIC
    }


def rule_of(adapter, row):
    """The rule a row's request reaches (its `{name}`s stand for any id), or None."""
    path = re.sub(r"\{[^}]+\}", SAMPLE_ID, row.path).split("?", 1)[0]
    try:
        rule, _args = adapter.match(path, method=row.method, return_rule=True)
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return None
    return rule.rule


def uncovered(app, rows):
    adapter = app.url_map.bind("localhost")
    covered = {(rule_of(adapter, row), row.method) for _module, row in rows}
    return sorted(routes(app) - covered, key=lambda route: (route[0], route[1]))


def test_every_route_and_method_has_a_row(app):
    missing = uncovered(app, all_rows())
    assert not missing, "routes without a row in the authorization matrix:\n" + "\n".join(
        f"  {method} {rule}" for rule, method in missing)


def test_every_row_names_a_route(app):
    adapter = app.url_map.bind("localhost")
    stale = [f"  {module}: {row.title()}" for module, row in all_rows() if rule_of(adapter, row) is None]
    assert not stale, "rows that match no route (renamed or removed?):\n" + "\n".join(stale)


def test_every_row_says_what_each_caller_gets():
    incomplete = [f"  {module}: {row.title()}" for module, row in all_rows()
                  if set(row.expect) != set(ROLES)]
    assert not incomplete, "rows without an expectation for every caller:\n" + "\n".join(incomplete)


def test_public_routes_exist(app):
    """An exclusion that names no route any more is removed, not kept."""
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert set(PUBLIC) <= rules


def test_a_route_without_a_row_is_named(app):
    """The guard itself: drop one row and the route it covered is reported by name."""
    rows = all_rows()
    dropped = next(entry for entry in rows
                   if entry[1].method == "DELETE" and entry[1].path == "/api/v1/rooms/{new_room}")
    missing = uncovered(app, [entry for entry in rows if entry is not dropped])
    assert missing == [("/api/v1/rooms/<uuid:room_id>", "DELETE")]


@pytest.mark.parametrize("path, method, rule", [
    ("/students/{child}/archive", "POST", "/students/<student_id>/<any(archive, restore):action>"),
    ("/api/v1/lessons/calendar?start=2030-01-01", "GET", "/api/v1/lessons/calendar"),
    ("/invoices/{new_line.invoice}/lines/{new_line}/delete", "POST",
     "/invoices/<invoice_id>/lines/<line_id>/delete"),
])
def test_rows_are_matched_like_requests(app, path, method, rule):
    from tests.security.authorization.engine import Row

    assert rule_of(app.url_map.bind("localhost"), Row(method, path, {})) == rule
