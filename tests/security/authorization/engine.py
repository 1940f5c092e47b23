"""The authorization matrix's engine: rows, expectations, and one request per (row, role).

A row is one route and method (sometimes twice, with a `label`, for another target or body):

    Row("GET", "/api/v1/students/{child}", api(STAFF + ("parent",), 200, hidden=("student",)))

Its expectation names a status for each of the seven callers in ROLES. On the JSON API a
status is an int (the error body's code is checked too). On pages it is an int or one of:
LOGIN (302 to the login page), DENY (302 elsewhere with an error flash: "You do not have
permission") and DONE (302 after the write succeeded, no error flash).

`{name}` in a path is an id of the module's world (see world.py); bodies are data, or a
function of the ids (`lambda ids: {"lesson": ids["new_lesson"]}`).
"""
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from tests.security.authorization.world import FRESH

ROLES = ("owner", "admin", "teacher", "parent", "student", "other", "anonymous")
M = ("owner", "admin")
STAFF = (*M, "teacher")
FAMILY = ("parent", "student")
ALL = (*STAFF, *FAMILY)

LOGIN, DENY, DONE = "login", "deny", "done"

# What a row does to the world beyond its target: end the caller's own sign-in (log in again
# before the next row) or change roles (rebuild the studio).
RELOGIN, REBUILD = "relogin", "rebuild"
SUCCESS = (200, 201, 204, DONE)

ERROR_CODES = {400: "VALIDATION_ERROR", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
               409: "CONFLICT"}

# A body no route accepts: callers allowed through get 400, as authorization comes first.
INVALID = {"unknown_field": 1}


class Row(NamedTuple):
    method: str
    path: str
    expect: dict
    body: Any = None
    label: str = ""
    files: Callable | None = None  # () -> {field: (stream, filename)} for multipart pages
    after: str | None = None

    @property
    def is_api(self):
        return self.path.startswith("/api/")

    def title(self):
        label = f" [{self.label}]" if self.label else ""
        return f"{self.method} {self.path}{label}"


def _table(default, ok, status, hidden, other, anonymous, roles):
    table = dict.fromkeys(ALL, default)
    table.update(dict.fromkeys(hidden, 404))
    table.update(dict.fromkeys(ok, status))
    table.update(other=other, anonymous=anonymous)
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    table.update(roles)
    return table


def api(ok=(), status=200, *, hidden=(), other=404, denied=403, **roles):
    """API statuses: `ok` roles get `status`, `hidden` 404, the others `denied` (403);
    `other` (another studio's admin) 404 unless told; anonymous 401."""
    return _table(denied, ok, status, hidden, other, 401, roles)


def page(ok=(), status=200, *, hidden=(), other=404, denied=DENY, **roles):
    """Page statuses: `ok` roles get `status`, `hidden` 404, the others a DENY flash and
    redirect; `other` 404 unless told; anonymous goes to the login page."""
    return _table(denied, ok, status, hidden, other, LOGIN, roles)


def cases(rows):
    """pytest params, one per (row, role), named `GET /api/v1/students/{child} as parent`."""
    return [
        pytest.param(row, role, id=f"{row.title()} as {role}")
        for row in rows for role in ROLES
    ]


class Ids(dict):
    """A row's ids for one request: the world's, and fresh objects made on first use."""

    def __init__(self, matrix, role):
        super().__init__()
        self.matrix, self.role = matrix, role

    @property
    def email(self):
        """The caller's own email (the admin's for anonymous callers)."""
        return self.matrix.world.emails["admin" if self.role == "anonymous" else self.role]

    def __missing__(self, name):
        if name in FRESH:
            value = self.matrix.fresh(name, self.role)
        else:
            value = self.matrix.world.ids[name]
        self[name] = value
        return value


def _fill(body, ids):
    """A dict body's `{name}` strings, with the ids filled in."""
    if not isinstance(body, dict):
        return body
    return {key: value.format_map(ids) if isinstance(value, str) and "{" in value else value
            for key, value in body.items()}


def check(matrix, row, role):
    """Make the row's request as `role` and compare with the row's expectation."""
    wanted = row.expect[role]
    ids = Ids(matrix, role)
    url = row.path.format_map(ids)
    body = row.body(ids) if callable(row.body) else _fill(row.body, ids)
    try:
        if row.is_api:
            response = matrix.api_call(role, row.method, url, body)
            _check_api(response, wanted, role, row)
        else:
            response = matrix.page_call(role, row.method, url, body, row.files)
            flashes = matrix.take_flashes(role)
            _check_page(response, flashes, wanted, role, row)
    finally:
        matrix.after(row, role)


def outcome(response, flashes):
    """What a page answered, in the rows' terms: LOGIN, DENY, DONE or the status."""
    if response.status_code != 302:
        return response.status_code
    if "/login" in response.headers.get("Location", ""):
        return LOGIN
    return DENY if any(category == "error" for category, _message in flashes) else DONE


def _describe(row, role, response, got, wanted):
    text = response.get_data(as_text=True)
    return (f"{row.title()} as {role}: wanted {wanted}, got {got} "
            f"{response.headers.get('Location', '')} {text[:300]}")


def _check_api(response, wanted, role, row):
    got = response.status_code
    assert got == wanted, _describe(row, role, response, got, wanted)
    if wanted in ERROR_CODES:
        body = response.get_json()
        assert body["code"] == ERROR_CODES[wanted], body
        assert set(body) >= {"detail", "code", "field_errors", "request_id"}, body


def _check_page(response, flashes, wanted, role, row):
    got = outcome(response, flashes)
    assert got == wanted, f"{_describe(row, role, response, got, wanted)} flashes={flashes}"
