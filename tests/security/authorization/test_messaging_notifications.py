"""Notifications: every member reads and marks their own bell only. Another member's
notification, or one of another studio, is 404 on the API and the pages alike."""
import pytest

from tests.security.authorization.engine import ALL, DONE, Row, api, cases, check, page

NOBODY_ELSE = dict(hidden=ALL, admin=200, other=404)

ROWS = [
    # ------------------------------------------------------------------ API
    Row("GET", "/api/v1/notifications", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/notifications/{new_notification}/read", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/notifications/{new_admin_notification}/read",
        api((), **NOBODY_ELSE), label="another member's"),
    Row("POST", "/api/v1/notifications/{missing}/read", api((), hidden=ALL), label="unknown id"),
    Row("POST", "/api/v1/notifications/read-all", api(ALL, 200, other=200)),
    # ------------------------------------------------------------------ pages
    Row("GET", "/notifications", page(ALL, 200, other=200)),
    Row("GET", "/notifications/bell", page(ALL, 200, other=200)),
    Row("GET", "/notifications/{new_notification}/open", page(ALL, DONE, other=DONE)),
    Row("GET", "/notifications/{new_admin_notification}/open",
        page((), hidden=ALL, admin=DONE, other=404), label="another member's"),
    Row("POST", "/notifications/{new_notification}/read", page(ALL, DONE, other=DONE)),
    Row("POST", "/notifications/{new_admin_notification}/read",
        page((), hidden=ALL, admin=DONE, other=404), label="another member's"),
    Row("POST", "/notifications/read-all", page(ALL, DONE, other=DONE)),
    Row("POST", "/account/notifications", page(ALL, DONE, other=DONE), {"email": "note_shared"}),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
