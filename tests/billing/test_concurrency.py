"""Under concurrent requests (PostgreSQL): payments keep amount_paid exact, invoice numbers
stay unique and gapless, an Idempotency-Key creates one payment, generation bills once.

Each thread has its own test client (and so its own database session and connection)."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.billing.models import Invoice, Payment
from app.extensions import db
from tests.concurrency import parallel
from tests.conftest import api_login, bearer

pytestmark = pytest.mark.postgres
THREADS = 6


@pytest.fixture()
def headers(app, bill, client):
    db.session.commit()
    return bearer(api_login(client, bill.admin.email))


def test_parallel_payments_keep_amount_paid_exact(app, bill, headers):
    invoice = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "1000.00")], send=True)
    db.session.commit()
    body = {"invoice": str(invoice.id), "amount": "25.25", "payment_method": "cash"}
    results = parallel(app, [lambda c: c.post("/api/v1/payments", json=body,
                                              headers=headers).status_code] * THREADS)
    assert results == [201] * THREADS
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.amount_paid == Decimal("25.25") * THREADS
    assert invoice.balance_due == invoice.total - invoice.amount_paid
    assert db.session.scalar(select(func.sum(Payment.amount))) == invoice.amount_paid


def test_parallel_overpayments_never_make_the_balance_negative(app, bill, headers):
    invoice = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "100.00")], send=True)
    db.session.commit()  # total 108.25
    body = {"invoice": str(invoice.id), "amount": "50.00", "payment_method": "cash"}
    results = parallel(app, [lambda c: c.post("/api/v1/payments", json=body,
                                              headers=headers).status_code] * 4)
    assert sorted(results) == [201, 201, 201, 409]  # the last one finds the invoice paid
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.amount_paid == Decimal("108.25") and invoice.balance_due == 0
    assert invoice.status == "paid"
    from app.billing.services import credit_available

    assert credit_available(invoice.family) == Decimal("41.75")


def test_parallel_sends_get_unique_gapless_numbers(app, bill, headers):
    drafts = [bill.make.invoice(bill.studio, bill.family) for _ in range(THREADS)]
    year = drafts[0].issue_date.year
    ids = [str(d.id) for d in drafts]
    db.session.commit()
    responses = parallel(app, [
        (lambda c, i=i: c.post(f"/api/v1/invoices/{i}/send", headers=headers)) for i in ids])
    assert [getattr(r, "status_code", r) for r in responses] == [200] * THREADS
    results = [r.json["invoice_number"] for r in responses]
    assert sorted(results) == [f"INV-{year}-{n:03d}" for n in range(1, THREADS + 1)]


def test_same_idempotency_key_in_parallel_creates_one_payment(app, bill, headers):
    invoice = bill.make.invoice(bill.studio, bill.family, send=True)
    db.session.commit()
    body = {"invoice": str(invoice.id), "amount": "10.00", "payment_method": "cash"}
    keyed = {**headers, "Idempotency-Key": "same-key"}
    results = parallel(app, [lambda c: c.post("/api/v1/payments", json=body, headers=keyed)] * 4)
    # The first answers 201; a twin either replays it (201, same payment) or, arriving while
    # the first still runs, is told to retry (409).
    assert {r.status_code for r in results} <= {201, 409}
    assert len({r.json["id"] for r in results if r.status_code == 201}) == 1
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1


def test_parallel_generation_bills_each_lesson_once(app, bill, headers):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first)
    bill.lesson(bill.chidi, first)
    db.session.commit()
    body = {"period_start": first.isoformat(), "period_end": last.isoformat()}
    results = parallel(app, [lambda c: c.post("/api/v1/invoices/generate", json=body,
                                              headers=headers).json["count"]] * 3)
    assert sorted(results) == [0, 0, 2]
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 2
