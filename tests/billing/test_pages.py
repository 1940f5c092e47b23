"""Billing pages: lists, the draft editor, actions, payments, generation, portal, reports."""
import shutil
import subprocess
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import services
from app.billing.models import Invoice, Payment
from app.extensions import db
from tests.conftest import csrf_token, web_login

D = Decimal
PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture()
def admin_client(app, bill):
    db.session.commit()
    client = app.test_client()
    web_login(client, bill.admin.email)
    return client


def _reload(model, obj_id):
    db.session.expire_all()
    return db.session.get(model, uuid.UUID(str(obj_id)))


def test_empty_invoice_list_invites_to_generate(admin_client):
    html = admin_client.get("/invoices").get_data(as_text=True)
    assert "No invoices yet" in html and "Generate this month" in html


def test_list_filters_and_htmx_partial(admin_client, bill):
    bill.make.invoice(bill.studio, bill.family, send=True)
    bill.make.invoice(bill.studio, bill.other_family)
    db.session.commit()
    page = admin_client.get("/invoices").get_data(as_text=True)
    assert "<html" in page and "Bennett Family" in page and "Okafor Family" in page
    partial = admin_client.get("/invoices?status=draft", headers={"HX-Request": "true"})
    html = partial.get_data(as_text=True)
    assert "<html" not in html and "Okafor Family" in html and "Bennett Family" not in html
    assert "HX-Request" in partial.headers["Vary"]
    found = admin_client.get("/invoices?q=okafor").get_data(as_text=True)
    assert "1 invoice" in found


def test_create_a_draft_add_and_remove_lines_then_send(admin_client, bill):
    token = csrf_token(admin_client, "/invoices/new")
    response = admin_client.post("/invoices/new", data={
        "csrf_token": token, "family": str(bill.family.id), "issue_date": "", "due_date": "",
        "notes": "Thanks!"})
    assert response.status_code == 302
    invoice_id = response.headers["Location"].rsplit("/", 1)[1]
    page = f"/invoices/{invoice_id}"
    token = csrf_token(admin_client, page)
    added = admin_client.post(f"{page}/lines", data={
        "csrf_token": token, "description": "Piano lessons", "quantity": "3", "unit_price": "19.99"},
        headers={"HX-Request": "true"})
    assert added.status_code == 200
    assert "Piano lessons" in added.get_data(as_text=True) and "$64.92" in added.get_data(as_text=True)
    bad = admin_client.post(f"{page}/lines", data={
        "csrf_token": token, "description": "Bad", "quantity": "-1", "unit_price": "19.999"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Must be more than zero." in html and "Use at most two decimal places." in html
    admin_client.post(f"{page}/lines", data={
        "csrf_token": token, "description": "Extra", "quantity": "1", "unit_price": "5.00"})
    invoice = _reload(Invoice, invoice_id)
    extra = next(line for line in invoice.line_items if line.description == "Extra")
    admin_client.post(f"{page}/lines/{extra.id}/delete", data={"csrf_token": token})
    assert [line.description for line in _reload(Invoice, invoice_id).line_items] == ["Piano lessons"]
    sent = admin_client.post(f"{page}/send", data={"csrf_token": token}, follow_redirects=True)
    html = sent.get_data(as_text=True)
    assert "is sent and emailed to bennett@example.test" in html
    invoice = _reload(Invoice, invoice_id)
    assert invoice.status == "sent" and invoice.number.endswith("-001")
    edit = admin_client.post(f"{page}/edit", data={"csrf_token": token, "issue_date": "2025-01-01",
                                                   "due_date": "2025-01-02", "discount": "0"},
                             follow_redirects=True)
    assert "only drafts can be edited" in edit.get_data(as_text=True)


def test_record_partial_payment_overpayment_and_refund(admin_client, bill):
    invoice = bill.make.invoice(bill.studio, bill.family, send=True)  # 216.50
    db.session.commit()
    page = f"/invoices/{invoice.id}"
    token = csrf_token(admin_client, page)
    bad = admin_client.post(f"{page}/payments", data={"csrf_token": token, "amount": "19.999",
                                                      "method": "cash"})
    assert bad.status_code == 422 and "Use at most two decimal places." in bad.get_data(as_text=True)
    ok = admin_client.post(f"{page}/payments", data={
        "csrf_token": token, "amount": "100.00", "method": "check", "transaction_id": "1042"},
        follow_redirects=True)
    html = ok.get_data(as_text=True)
    assert "Payment of $100.00 recorded." in html and "Partially paid" in html
    assert "$116.50" in html
    more = admin_client.post(f"{page}/payments", data={
        "csrf_token": token, "amount": "150.00", "method": "cash"}, follow_redirects=True)
    assert "$33.50 went to the family&#39;s credit." in more.get_data(as_text=True)
    payment = db.session.scalars(select(Payment).where(Payment.method == "check")).one()
    refunded = admin_client.post(f"/payments/{payment.id}/refund", data={
        "csrf_token": token, "amount": "20.00", "notes": "Sorry"}, follow_redirects=True)
    assert "The refund is recorded." in refunded.get_data(as_text=True)
    too_much = admin_client.post(f"/payments/{payment.id}/refund", data={
        "csrf_token": token, "amount": "500.00"}, follow_redirects=True)
    assert "Refund not recorded" in too_much.get_data(as_text=True)


def test_paying_a_void_invoice_is_refused_with_a_message(admin_client, bill):
    invoice = bill.make.invoice(bill.studio, bill.family, send=True)
    services.void_invoice(bill.studio, bill.admin, invoice)
    db.session.commit()
    token = csrf_token(admin_client, f"/invoices/{invoice.id}")
    response = admin_client.post(f"/invoices/{invoice.id}/payments", data={
        "csrf_token": token, "amount": "10.00", "method": "cash"}, follow_redirects=True)
    assert "payments are recorded on sent" in response.get_data(as_text=True)
    assert db.session.scalar(select(Payment.id)) is None


def test_void_and_credit_forms(admin_client, bill):
    invoice = bill.make.invoice(bill.studio, bill.family, send=True)
    db.session.commit()
    page = f"/invoices/{invoice.id}"
    html = admin_client.get(page).get_data(as_text=True)
    token = csrf_token(admin_client, page)
    credit = admin_client.post(f"{page}/credit", data={"credit-csrf_token": token,
                                                       "credit-amount": "6.50", "credit-reason": "Goodwill"},
                               follow_redirects=True)
    assert "The credit is applied." in credit.get_data(as_text=True)
    assert 'name="void-reason"' in html
    voided = admin_client.post(f"{page}/void", data={"void-csrf_token": token, "void-reason": "Dup"},
                               follow_redirects=True)
    assert "is void" in voided.get_data(as_text=True)
    assert _reload(Invoice, invoice.id).status == "void"


def test_generate_preview_then_create(admin_client, bill):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first)
    db.session.commit()
    token = csrf_token(admin_client, "/invoices/generate")
    data = {"csrf_token": token, "period_start": first.isoformat(),
            "period_end": last.isoformat(), "family": ""}
    preview = admin_client.post("/invoices/generate", data={**data, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Bennett Family" in html
    assert "Sam Bennett with Theo Marsh" in html and "Create 1 draft" in html
    assert db.session.scalar(select(Invoice.id)) is None
    created = admin_client.post("/invoices/generate", data={**data, "action": "create"},
                                follow_redirects=True)
    assert "1 draft invoice created" in created.get_data(as_text=True)
    again = admin_client.post("/invoices/generate", data={**data, "action": "create"},
                              follow_redirects=True)
    assert "Nothing new to bill" in again.get_data(as_text=True)
    bad = admin_client.post("/invoices/generate", data={**data, "period_end": "2000-01-01",
                                                        "action": "preview"})
    assert bad.status_code == 422 and "Must be on or after" in bad.get_data(as_text=True)


def test_parent_portal_shows_the_balance_and_own_invoices(app, bill):
    invoice = bill.make.invoice(bill.studio, bill.family, send=True)
    bill.make.payment(bill.studio, invoice, "16.50")
    bill.make.invoice(bill.studio, bill.other_family, send=True)
    db.session.commit()
    client = app.test_client()
    web_login(client, bill.parent.email)
    home = client.get("/").get_data(as_text=True)
    assert "Bennett Family: balance" in home and "$200.00" in home
    assert invoice.number in home
    listing = client.get("/invoices").get_data(as_text=True)
    assert invoice.number in listing and "Okafor" not in listing
    detail = client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert "Download PDF" in detail and "Record a payment" not in detail and "Void" not in detail
    family_page = client.get(f"/families/{bill.family.id}").get_data(as_text=True)
    assert "$200.00" in family_page
    statement = client.get(f"/families/{bill.family.id}/statement").get_data(as_text=True)
    assert "Payment (Cash)" in statement


def test_families_list_shows_real_balances(admin_client, bill):
    bill.make.invoice(bill.studio, bill.family, send=True)
    db.session.commit()
    html = admin_client.get("/families").get_data(as_text=True)
    assert "$216.50" in html


def test_payments_list(admin_client, bill):
    html = admin_client.get("/payments").get_data(as_text=True)
    assert "No payments yet" in html
    invoice = bill.make.invoice(bill.studio, bill.family, send=True)
    bill.make.payment(bill.studio, invoice, "20.00", method="bank_transfer")
    db.session.commit()
    html = admin_client.get("/payments?method=bank_transfer").get_data(as_text=True)
    assert "Bank transfer" in html and "$20.00" in html


def test_reports_page_chart_and_csv(admin_client, bill):
    invoice = bill.make.invoice(bill.studio, bill.family, send=True)
    bill.make.payment(bill.studio, invoice, "16.50")
    bill.family.name = "=HYPERLINK(\"x\")"
    db.session.commit()
    html = admin_client.get("/reports").get_data(as_text=True)
    assert "<svg" in html and 'class="bar collected"' in html and "style=" not in html
    assert "Outstanding balances" in html and "Teacher hours" in html
    csv = admin_client.get("/reports/outstanding.csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    assert "'=HYPERLINK" in csv.get_data(as_text=True)
    revenue = admin_client.get("/reports/revenue.csv").get_data(as_text=True)
    assert revenue.splitlines()[0] == "month,invoiced,collected" and "16.50" in revenue
    methods = admin_client.get("/reports/payments-by-method.csv").get_data(as_text=True)
    assert "cash,1,16.50" in methods
    assert admin_client.get("/reports/nope.csv").status_code == 404


@pytest.mark.skipif(not PDFTOTEXT, reason="poppler-utils (pdftotext) not installed")
def test_pdf_has_the_studio_lines_and_money_in_the_studio_format(admin_client, bill, tmp_path):
    bill.studio.name = "Harmony Test Studio"
    invoice = bill.make.invoice(bill.studio, bill.family, lines=[("Piano lessons", 3, "19.99")],
                                send=True)
    bill.make.payment(bill.studio, invoice, "10.00")
    db.session.commit()
    response = admin_client.get(f"/invoices/{invoice.id}/pdf")
    assert response.mimetype == "application/pdf"
    path = tmp_path / "invoice.pdf"
    path.write_bytes(response.data)
    text = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"],  # noqa: S603 - our own file # nosec B603
                          capture_output=True, text=True, check=True).stdout
    for expected in ("Harmony Test Studio", f"Invoice {invoice.number}", "Bennett Family",
                     "Piano lessons", "$19.99", "$59.97", "Tax (8.25%)", "$4.95", "$64.92",
                     "Balance due", "$54.92"):
        assert expected in text, expected


@pytest.mark.skipif(not PDFTOTEXT, reason="poppler-utils (pdftotext) not installed")
def test_pdf_uses_the_studio_locale_and_currency(admin_client, bill, tmp_path):
    bill.studio.locale, bill.studio.currency = "de_DE", "EUR"
    invoice = bill.make.invoice(bill.studio, bill.family, lines=[("Klavier", 2, "1234.50")])
    db.session.commit()
    path = tmp_path / "de.pdf"
    path.write_bytes(admin_client.get(f"/invoices/{invoice.id}/pdf").data)
    text = subprocess.run([PDFTOTEXT, str(path), "-"],  # noqa: S603 - our own file # nosec B603
                          capture_output=True, text=True, check=True).stdout
    assert "2.469,00\xa0€" in text or "2.469,00 €" in text
