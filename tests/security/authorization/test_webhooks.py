"""Webhooks: every route × every caller. Owners and admins manage the studio's endpoints and
read their delivery logs; everyone else is refused, and another studio's endpoint (or a
delivery of it) is 404 to everyone here."""
import pytest

from tests.security.authorization.engine import DONE, INVALID, M, Row, api, cases, check, page

NEW = {"url": "https://example.com/hooks/new", "events": ["lesson.created", "invoice.paid"]}
NEW_FORM = {"url": "https://example.com/hooks/form", "events": "invoice.paid"}
EDIT_FORM = {"url": "https://example.com/hooks", "events": "invoice.sent", "description": "Books"}

ROWS = [
    Row("GET", "/api/v1/webhooks", api(M, 200, other=200)),
    Row("POST", "/api/v1/webhooks", api(M, 400, other=400), INVALID, label="invalid body"),
    Row("POST", "/api/v1/webhooks", api(M, 400, other=400),
        {"url": "http://127.0.0.1/x", "events": ["invoice.paid"]}, label="loopback URL"),
    Row("POST", "/api/v1/webhooks", api(M, 201, other=201), NEW),
    Row("GET", "/api/v1/webhooks/{webhook}", api(M, 200)),
    Row("PATCH", "/api/v1/webhooks/{webhook}", api(M, 200), {"description": "Accounting"}),
    Row("PATCH", "/api/v1/webhooks/{webhook}", api(M, 400), INVALID, label="invalid body"),
    Row("DELETE", "/api/v1/webhooks/{new_webhook}", api(M, 204)),
    Row("POST", "/api/v1/webhooks/{webhook}/secret", api(M, 200)),
    Row("GET", "/api/v1/webhooks/{webhook}/deliveries", api(M, 200)),
    Row("POST", "/api/v1/webhooks/{webhook}/test", api(M, 201)),
    Row("POST", "/api/v1/webhooks/{webhook}/deliveries/{webhook_delivery}/redeliver", api(M, 201)),
    Row("POST", "/api/v1/webhooks/{webhook}/deliveries/{foreign_webhook_delivery}/redeliver",
        api(hidden=M), label="another studio's delivery"),
    Row("GET", "/api/v1/webhooks/{foreign_webhook}", api(hidden=M, other=200),
        label="another studio's"),
    Row("PATCH", "/api/v1/webhooks/{foreign_webhook}", api(hidden=M, other=200),
        {"description": "x"}, label="another studio's"),
    Row("GET", "/api/v1/webhooks/{foreign_webhook}/deliveries", api(hidden=M, other=200),
        label="another studio's"),
    Row("POST", "/api/v1/webhooks/{foreign_webhook}/test", api(hidden=M, other=201),
        label="another studio's"),
    Row("POST", "/api/v1/webhooks/{foreign_webhook}/secret", api(hidden=M, other=200),
        label="another studio's"),
    Row("POST", "/api/v1/webhooks/{foreign_webhook}/deliveries/{foreign_webhook_delivery}/redeliver",
        api(hidden=M, other=201), label="another studio's"),
    Row("GET", "/api/v1/webhooks/{missing}", api(hidden=M), label="unknown id"),
    Row("GET", "/settings/webhooks", page(M, 200, other=200)),
    Row("POST", "/settings/webhooks", page(M, DONE, other=DONE), NEW_FORM),
    Row("POST", "/settings/webhooks", page(M, 422, other=422), {"url": "http://10.0.0.1/"},
        label="invalid form"),
    Row("GET", "/settings/webhooks/{webhook}", page(M, 200)),
    Row("POST", "/settings/webhooks/{webhook}", page(M, DONE), EDIT_FORM),
    Row("GET", "/settings/webhooks/{webhook}/deliveries", page(M, DONE),
        label="not htmx: to the endpoint page"),
    Row("POST", "/settings/webhooks/{webhook}/test", page(M, DONE)),
    Row("POST", "/settings/webhooks/{webhook}/disable", page(M, DONE)),
    Row("POST", "/settings/webhooks/{webhook}/enable", page(M, DONE)),
    Row("POST", "/settings/webhooks/{webhook}/secret", page(M, DONE)),
    Row("POST", "/settings/webhooks/{new_webhook}/delete", page(M, DONE)),
    Row("POST", "/settings/webhooks/{webhook}/deliveries/{webhook_delivery}/redeliver",
        page(M, DONE)),
    Row("GET", "/settings/webhooks/{foreign_webhook}", page(hidden=M, other=200),
        label="another studio's"),
    Row("POST", "/settings/webhooks/{webhook}/deliveries/{foreign_webhook_delivery}/redeliver",
        page(hidden=M), label="another studio's delivery"),
    # Last: the other studio's admin really deletes their own endpoint.
    Row("POST", "/settings/webhooks/{foreign_webhook}/delete", page(hidden=M, other=DONE),
        label="another studio's"),
    Row("DELETE", "/api/v1/webhooks/{foreign_webhook}", api(hidden=M, other=404),
        label="another studio's, deleted by its own admin just before"),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
