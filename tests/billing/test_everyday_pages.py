"""Pages: send all drafts of a period (confirmation with count and total first), and take a
payment from the family page."""
from datetime import timedelta
from decimal import Decimal as D

from app.billing import services
from app.billing.models import Invoice
from app.extensions import db
from tests.conftest import post_form, web_login


def test_send_all_drafts_confirms_count_and_total_then_sends(bill, client):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first)
    bill.lesson(bill.chidi, first + timedelta(days=1))
    plan = services.generate_invoices(bill.studio, bill.admin, first, last)
    total = sum(f.invoice.total for f in plan.created)
    db.session.commit()
    web_login(client, bill.admin.email)
    page = client.get("/invoices/send-drafts")
    assert page.status_code == 302 and f"period_start={first.isoformat()}" in page.location
    path = f"/invoices/send-drafts?period_start={first.isoformat()}&period_end={last.isoformat()}"
    confirm = client.get(path).get_data(as_text=True)
    assert "2 drafts" in confirm and f"Send 2 invoices (${total:,.2f})" in confirm
    sent = post_form(client, "/invoices/send-drafts", {
        "period_start": first.isoformat(), "period_end": last.isoformat()}, token_path=path,
        follow_redirects=True).get_data(as_text=True)
    assert "2 invoices sent" in sent
    db.session.expire_all()
    assert {i.status for i in db.session.query(Invoice)} == {"sent"}


def test_send_all_drafts_reports_those_it_could_not_send(bill, client):
    quiet = bill.make.family(bill.studio, name="Quiet Family", billing_email=None)
    pia = bill.make.student(bill.studio, quiet, first_name="Pia", default_lesson_rate=D("30.00"))
    first, last = bill.last_month()
    bill.lesson(pia, first)
    services.generate_invoices(bill.studio, bill.admin, first, last)
    db.session.commit()
    web_login(client, bill.admin.email)
    page = post_form(client, "/invoices/send-drafts", {
        "period_start": first.isoformat(), "period_end": last.isoformat()},
        token_path="/invoices/new", follow_redirects=True).get_data(as_text=True)
    assert "Not sent: the draft for Quiet Family" in page and "no billing or contact email" in page


def test_send_all_drafts_bad_period_is_shown_by_the_field(bill, client):
    db.session.commit()
    web_login(client, bill.admin.email)
    response = client.get("/invoices/send-drafts?period_start=2026-05-10&period_end=2026-05-01")
    assert response.status_code == 422
    assert "Must be on or after period_start." in response.get_data(as_text=True)


def test_family_page_offers_take_payment_and_it_pays_oldest_first(bill, client):
    bill.studio.tax_rate = D("0")
    today = bill.today()
    newer = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "60.00")],
                              due_date=today + timedelta(days=20), send=True)
    older = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "40.00")],
                              due_date=today + timedelta(days=10), send=True)
    db.session.commit()
    web_login(client, bill.admin.email)
    family_page = client.get(f"/families/{bill.family.id}").get_data(as_text=True)
    path = f"/families/{bill.family.id}/payments/new"
    assert path in family_page and "Take payment" in family_page
    form = client.get(path).get_data(as_text=True)
    assert form.index(older.number) < form.index(newer.number)
    done = post_form(client, path, {"amount": "50.00", "method": "cash", "paid_on": "",
                                    "transaction_id": "", "notes": ""}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert f"Payment of $50.00 recorded: {older.number} $40.00, {newer.number} $10.00." in text
    db.session.expire_all()
    assert db.session.get(Invoice, older.id).status == "paid"


def test_take_payment_shows_errors_next_to_the_field(bill, client):
    bill.make.invoice(bill.studio, bill.family, send=True)
    db.session.commit()
    web_login(client, bill.admin.email)
    path = f"/families/{bill.family.id}/payments/new"
    response = post_form(client, path, {"amount": "-3", "method": "cash", "paid_on": ""})
    assert response.status_code == 422


def test_take_payment_with_nothing_owed_says_so(bill, client):
    db.session.commit()
    web_login(client, bill.admin.email)
    path = f"/families/{bill.family.id}/payments/new"
    assert "has no open invoice" in client.get(path).get_data(as_text=True)
    response = post_form(client, path, {"amount": "3.00", "method": "cash", "paid_on": ""})
    assert response.status_code == 422 and "has no open invoice" in response.get_data(as_text=True)


def test_parent_cannot_take_payment(bill, client):
    db.session.commit()
    web_login(client, bill.parent.email)
    refused = client.get(f"/families/{bill.family.id}/payments/new")
    assert refused.status_code == 302 and "/payments/new" not in refused.location


def test_another_studios_family_is_not_found(bill, client):
    db.session.commit()
    web_login(client, bill.foreign_admin.email)
    assert client.get(f"/families/{bill.family.id}/payments/new").status_code == 404
