"""Parallel payments against one family's account (PostgreSQL): each sees the others'
amounts, so the invoices are paid oldest first, exactly, and the rest is family credit."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.billing import services
from app.billing.models import Invoice, Payment
from app.extensions import db
from tests.concurrency import parallel
from tests.conftest import api_login, bearer

pytestmark = pytest.mark.postgres
THREADS = 6


def test_parallel_family_payments_pay_oldest_first_exactly(app, bill, client):
    bill.studio.tax_rate = Decimal("0")
    today = bill.today()
    invoices = []
    for days, amount in ((5, "70.00"), (10, "50.00"), (15, "40.00")):
        invoice = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, amount)],
                                    issue_date=today - timedelta(days=20),
                                    due_date=today + timedelta(days=days))
        invoices.append(services.send_invoice(bill.studio, bill.admin, invoice).id)
    db.session.commit()
    headers = bearer(api_login(client, bill.admin.email))
    path = f"/api/v1/families/{bill.family.id}/payments"
    body = {"amount": "30.00", "payment_method": "cash"}  # 6 × 30 = 180 for 160 owed
    results = parallel(app, [lambda c: c.post(path, json=body, headers=headers).status_code]
                        * THREADS)
    assert results == [201] * THREADS
    db.session.expire_all()
    paid = [db.session.get(Invoice, invoice_id) for invoice_id in invoices]
    assert [invoice.amount_paid for invoice in paid] == [Decimal("70.00"), Decimal("50.00"),
                                                         Decimal("40.00")]
    assert {invoice.status for invoice in paid} == {"paid"}
    assert db.session.scalar(select(func.sum(Payment.amount))) == Decimal("180.00")
    assert services.credit_available(paid[0].family) == Decimal("20.00")
