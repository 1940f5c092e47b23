"""Invoices, payments, statements and reports: every route × every caller. Billing is the
managers' work; a parent reads their own family's invoices and payments (the Okafor family's
answer 404), teachers and students read no family's billing, and only reports on their own
hours are a teacher's."""

import pytest

from tests.factories import studio_today
from tests.security.authorization.engine import (
    DONE,
    STAFF,
    M,
    Row,
    api,
    cases,
    check,
    page,
)

MANAGERS_AND_PARENT = (*M, "parent")
TODAY = studio_today().isoformat()
PERIOD = {"period_start": "2025-01-01", "period_end": "2025-01-31"}

ROWS = [
    # ------------------------------------------------------------------ API: invoices
    Row("GET", "/api/v1/invoices", api(MANAGERS_AND_PARENT, 200, other=200)),
    Row("POST", "/api/v1/invoices", api(M, 201, other=400), {"family": "{family}", "line_items": []}),
    Row("POST", "/api/v1/invoices", api(M, 400, other=400), {"nonsense": True}, label="invalid body"),
    Row("GET", "/api/v1/invoices/{sent}", api(MANAGERS_AND_PARENT, 200)),
    Row("GET", "/api/v1/invoices/{other_sent}", api(M, 200, hidden=("parent",)), label="another family's"),
    Row("GET", "/api/v1/invoices/{draft}", api(M, 200, hidden=("parent",)), label="a draft"),
    Row("PATCH", "/api/v1/invoices/{draft}", api(M, 200), {"notes": "x"}),
    Row("PATCH", "/api/v1/invoices/{sent}", api(M, 409), {"notes": "x"}, label="sent"),
    Row("DELETE", "/api/v1/invoices/{new_draft}", api(M, 204)),
    Row("GET", "/api/v1/invoices/{sent}/pdf", api(MANAGERS_AND_PARENT, 200)),
    Row("GET", "/api/v1/invoices/{other_sent}/pdf", api(M, 200, hidden=("parent",)),
        label="another family's"),
    Row("POST", "/api/v1/invoices/{new_draft}/send", api(M, 200)),
    Row("POST", "/api/v1/invoices/{other_sent}/send", api(M, 409), label="already sent"),
    Row("POST", "/api/v1/invoices/{new_sent}/void", api(M, 200)),
    Row("POST", "/api/v1/invoices/generate?dry_run=true", api(M, 200, other=200), PERIOD),
    # No draft in that period: nothing is sent, and nothing to refuse.
    Row("POST", "/api/v1/invoices/send-drafts", api(M, 200, other=200), PERIOD),
    Row("GET", "/api/v1/jobs/{job}", api(M, 200, hidden=("teacher", "parent", "student"))),
    # ------------------------------------------------------------------ API: payments
    Row("GET", "/api/v1/payments", api(MANAGERS_AND_PARENT, 200, other=200)),
    Row("POST", "/api/v1/payments", api(M, 201, other=400),
        {"invoice": "{sent}", "amount": "1.00", "payment_method": "cash"}),
    Row("POST", "/api/v1/payments", api(M, 400, other=400), {"amount": "x"}, label="invalid body"),
    Row("GET", "/api/v1/payments/{payment}", api(MANAGERS_AND_PARENT, 200)),
    Row("GET", "/api/v1/payments/{other_payment}", api(M, 200, hidden=("parent",)), label="another family's"),
    Row("POST", "/api/v1/payments/{payment}/refund", api(M, 201), {"amount": "1.00"}),
    Row("POST", "/api/v1/families/{family}/payments", api(M, 201),
        {"amount": "1.00", "payment_method": "cash"}),
    # ------------------------------------------------------------------ API: reports
    Row("GET", "/api/v1/reports/revenue", api(M, 200, other=200)),
    Row("GET", "/api/v1/reports/outstanding", api(M, 200, other=200)),
    Row("GET", "/api/v1/reports/attendance", api(M, 200, other=200)),
    Row("GET", "/api/v1/reports/teacher-hours", api(STAFF, 200, other=200)),
    # A filter, not a lookup: another studio's admin gets its own (empty) rows for our id.
    Row("GET", "/api/v1/reports/teacher-hours?teacher={other_teacher}", api(M, 200, teacher=404, other=200),
        label="a colleague's hours"),
    # ------------------------------------------------------------------ pages: invoices
    Row("GET", "/invoices", page(MANAGERS_AND_PARENT, 200, other=200)),
    Row("GET", "/invoices/new", page(M, 200, other=200)),
    Row("POST", "/invoices/new", page(M, DONE, other=422), {"family": "{family}"}),
    Row("GET", "/invoices/generate", page(M, 200, other=200)),
    Row("POST", "/invoices/generate", page(M, 200, other=200), PERIOD),
    Row("GET", "/invoices/send-drafts", page(M, DONE, other=DONE)),  # to the default period
    Row("GET", "/invoices/send-drafts?period_start=2025-01-01&period_end=2025-01-31",
        page(M, 200, other=200), label="a period"),
    Row("POST", "/invoices/send-drafts", page(M, DONE, other=DONE), PERIOD),
    Row("GET", "/jobs/{job}", page(M, 200, hidden=("teacher", "parent", "student"))),
    Row("GET", "/invoices/{sent}", page(MANAGERS_AND_PARENT, 200)),
    Row("GET", "/invoices/{other_sent}", page(M, 200, hidden=("parent",)), label="another family's"),
    Row("GET", "/invoices/{sent}/pdf", page(MANAGERS_AND_PARENT, 200)),
    Row("GET", "/invoices/{other_sent}/pdf", page(M, 200, hidden=("parent",)), label="another family's"),
    Row("POST", "/invoices/{draft}/edit", page(M, DONE),
        {"issue_date": TODAY, "due_date": TODAY, "discount": "0.00"}),
    Row("POST", "/invoices/{draft}/lines", page(M, DONE),
        {"description": "Books", "quantity": "1", "unit_price": "5.00"}),
    Row("POST", "/invoices/{new_line.invoice}/lines/{new_line}/delete", page(M, DONE)),
    Row("POST", "/invoices/{new_draft}/send", page(M, DONE)),
    Row("POST", "/invoices/{new_sent}/void", page(M, DONE), {"void-reason": "Wrong month"}),
    Row("POST", "/invoices/{new_draft}/delete", page(M, DONE)),
    Row("POST", "/invoices/{new_sent}/credit", page(M, DONE),
        {"credit-amount": "1.00", "credit-reason": "Goodwill"}),
    Row("POST", "/invoices/{new_sent}/payments", page(M, DONE), {"amount": "5.00", "method": "cash"}),
    # ------------------------------------------------------------------ pages: payments, statements
    Row("GET", "/payments", page(MANAGERS_AND_PARENT, 200, other=200)),
    Row("POST", "/payments/{new_payment}/refund", page(M, DONE), {"amount": "1.00"}),
    Row("GET", "/families/{family}/payments/new", page(M, 200)),
    Row("POST", "/families/{family}/payments/new", page(M, DONE),
        {"amount": "1.00", "method": "cash", "paid_on": TODAY}),
    Row("GET", "/families/{family}/statement", page(MANAGERS_AND_PARENT, 200)),
    Row("GET", "/families/{other_family}/statement", page(M, 200, hidden=("parent",)),
        label="another family's"),
    # ------------------------------------------------------------------ pages: reports
    Row("GET", "/reports", page(STAFF, 200, other=200)),
    Row("GET", "/reports/teacher-hours", page(STAFF, 200, other=200)),
    Row("GET", "/reports/revenue.csv", page(M, 200, other=200, teacher=404)),
    Row("GET", "/reports/teacher-hours.csv", page(STAFF, 200, other=200)),
    Row("GET", "/reports/attendance", page(M, 200, other=200)),
    Row("GET", "/reports/retention", page(M, 200, other=200)),
    Row("GET", "/reports/utilisation", page(STAFF, 200, other=200)),
    Row("GET", "/reports/attendance.csv", page(M, 200, other=200, teacher=404)),
    Row("GET", "/reports/retention.csv", page(M, 200, other=200, teacher=404)),
    Row("GET", "/reports/utilisation.csv", page(STAFF, 200, other=200)),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
