"""API keys: every route × every caller. Owners and admins list, make and revoke the studio's
keys; everyone else is refused, and another studio's key is 404 to everyone here."""
import pytest

from tests.security.authorization.engine import DONE, INVALID, M, Row, api, cases, check, page

NEW_KEY = {"name": "Booking form", "scopes": ["read"]}
NEW_KEY_FORM = {"name": "Booking form", "scopes": "read"}

ROWS = [
    Row("GET", "/api/v1/api-keys", api(M, 200, other=200)),
    Row("POST", "/api/v1/api-keys", api(M, 400, other=400), INVALID, label="invalid body"),
    Row("POST", "/api/v1/api-keys", api(M, 201, other=201), NEW_KEY),
    Row("GET", "/api/v1/api-keys/{api_key}", api(M, 200)),
    Row("GET", "/api/v1/api-keys/{foreign_api_key}", api(hidden=M, other=200), label="another studio's"),
    Row("DELETE", "/api/v1/api-keys/{new_api_key}", api(M, 204)),
    Row("DELETE", "/api/v1/api-keys/{foreign_api_key}", api(hidden=M, other=204),
        label="another studio's"),
    Row("GET", "/settings/api-keys", page(M, 200, other=200)),
    Row("POST", "/settings/api-keys", page(M, 200, other=200), NEW_KEY_FORM),
    Row("POST", "/settings/api-keys", page(M, 422, other=422), {"name": ""}, label="invalid form"),
    Row("POST", "/settings/api-keys/{new_api_key}/revoke", page(M, DONE)),
    Row("POST", "/settings/api-keys/{foreign_api_key}/revoke", page(hidden=M, other=DONE),
        label="another studio's"),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
