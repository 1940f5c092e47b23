""""Send all drafts" of a period: every draft of the period goes out through send_invoice
(numbered, emailed through the outbox); those that cannot be sent are reported with why."""
from datetime import timedelta
from decimal import Decimal as D

from sqlalchemy import select

from app.billing import services
from app.extensions import db
from app.messaging.models import OutboxEmail
from tests.conftest import api_login, bearer


def _drafts(bill):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first)
    bill.lesson(bill.chidi, first + timedelta(days=1))
    services.generate_invoices(bill.studio, bill.admin, first, last)
    return first, last


def test_send_drafts_sends_every_draft_of_the_period(bill):
    first, last = _drafts(bill)
    manual = bill.make.invoice(bill.studio, bill.family)  # no period: not part of it
    bill.other_family.billing_email = "okafor@example.test"
    drafts = services.period_drafts(bill.studio, first, last)
    assert len(drafts) == 2 and services.drafts_total(drafts) == sum(d.total for d in drafts)
    result = services.send_drafts(bill.studio, bill.admin, first, last)
    assert len(result.sent) == 2 and result.failed == []
    assert all(invoice.status == "sent" and invoice.number for invoice in result.sent)
    assert manual.status == "draft"
    recipients = set(db.session.scalars(select(OutboxEmail.to_address)))
    assert {"bennett@example.test", "okafor@example.test"} <= recipients
    assert services.period_drafts(bill.studio, first, last) == []


def test_drafts_that_cannot_go_are_reported_and_stay_drafts(bill):
    quiet = bill.make.family(bill.studio, name="Quiet Family", billing_email=None)  # no one to email
    pia = bill.make.student(bill.studio, quiet, first_name="Pia", default_lesson_rate=D("30.00"))
    first, last = bill.last_month()
    bill.lesson(pia, first)
    _drafts(bill)
    result = services.send_drafts(bill.studio, bill.admin, first, last)
    assert {i.family for i in result.sent} == {bill.family, bill.other_family}
    [(invoice, reason)] = result.failed
    assert invoice.status == "draft" and "Quiet Family has no billing or contact email" in reason


def test_api_send_drafts(bill, client):
    first, last = _drafts(bill)
    bill.other_family.billing_email = "okafor@example.test"
    db.session.commit()
    headers = bearer(api_login(client, bill.admin.email))
    response = client.post("/api/v1/invoices/send-drafts", headers=headers, json={
        "period_start": first.isoformat(), "period_end": last.isoformat()})
    assert response.status_code == 200, response.json
    assert response.json["sent"] == 2 and response.json["failed"] == []
    assert {r["status"] for r in response.json["results"]} == {"sent"}
    bad = client.post("/api/v1/invoices/send-drafts", headers=headers, json={
        "period_start": last.isoformat(), "period_end": first.isoformat()})
    assert bad.status_code == 400


def test_api_send_drafts_is_for_managers(bill, client):
    db.session.commit()
    headers = bearer(api_login(client, bill.parent.email))
    first, last = bill.last_month()
    response = client.post("/api/v1/invoices/send-drafts", headers=headers, json={
        "period_start": first.isoformat(), "period_end": last.isoformat()})
    assert response.status_code == 403
