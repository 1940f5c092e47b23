"""Live updates: the page stream and the API stream. Every member (of any studio) gets 200,
a stream of their own events only (tests/messaging/test_live.py shows that nobody receives
another member's); anonymous callers get 401, also on the page stream, which an EventSource
cannot follow to the sign-in page."""
import pytest

from tests.security.authorization.engine import ALL, Row, api, cases, check, page

ROWS = [
    Row("GET", "/stream", page(ALL, 200, other=200, anonymous=401)),
    Row("GET", "/api/v1/stream", api(ALL, 200, other=200)),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
