"""The studio's details on its invoices: the page, the PDF and the email show its logo,
address, tax id and how to pay; the email offers no online payment (the studio has none)."""
import io
import shutil
import subprocess

import pytest
from PIL import Image
from sqlalchemy import select

from app.accounts import services as accounts
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.messaging.services import deliver_pending
from tests.conftest import web_login
from tests.messaging.conftest import mail_config, smtp_server  # noqa: F401 - fixtures

PDFTOTEXT = shutil.which("pdftotext")
PDFIMAGES = shutil.which("pdfimages")
HOW_TO_PAY = "Bank transfer to Harmony LLC\nIBAN DE89 3704 0044 0532 0130 00"


def png(size=(160, 80)):
    out = io.BytesIO()
    Image.new("RGB", size, (91, 60, 196)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture()
def detailed(bill):
    accounts.update_studio(
        bill.studio, bill.admin, address_line1="12 Elm Street", city="Springfield", region="IL",
        postal_code="62701", country="United States", tax_id="US-99-1234567",
        payment_instructions=HOW_TO_PAY)
    accounts.set_studio_logo(bill.studio, bill.admin, png())
    return bill


def invoice_email(bill):
    return db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "bennett@example.test"))


def test_the_invoice_email_says_how_to_pay_and_offers_no_online_payment(detailed):
    invoice = detailed.make.invoice(detailed.studio, detailed.family, send=True)

    body = invoice_email(detailed).body_text
    assert f"How to pay:\n{HOW_TO_PAY}" in body
    assert "online" not in body.lower()
    assert f"/invoices/{invoice.id}" in body
    assert "12 Elm Street\nSpringfield, IL 62701\nUnited States\nTax id: US-99-1234567" in body


def test_without_payment_instructions_the_email_asks_to_contact_the_studio(bill):
    bill.make.invoice(bill.studio, bill.family, send=True)

    body = invoice_email(bill).body_text
    assert "online" not in body.lower()
    assert "Please contact Harmony Test Studio to arrange payment." in body


def test_the_invoice_email_reaches_the_smtp_server_with_the_instructions(
        app, detailed, mail_config, smtp_server):  # noqa: F811 - fixtures
    detailed.make.invoice(detailed.studio, detailed.family, send=True)
    db.session.commit()

    assert deliver_pending() == (1, 0)

    [message] = smtp_server.mailbox.messages
    text = message.get_payload(decode=True).decode() if not message.is_multipart() else \
        message.get_body(("plain",)).get_content()
    assert message["To"] == "bennett@example.test"
    assert "IBAN DE89 3704 0044 0532 0130 00" in text and "online" not in text.lower()


@pytest.fixture()
def detailed_client(app, detailed):
    db.session.commit()
    client = app.test_client()
    web_login(client, detailed.admin.email)
    return client


def test_the_invoice_page_shows_the_logo_address_tax_id_and_how_to_pay(detailed_client, detailed):
    invoice = detailed.make.invoice(detailed.studio, detailed.family, send=True)
    db.session.commit()

    html = detailed_client.get(f"/invoices/{invoice.id}").get_data(as_text=True)

    assert f'src="/settings/studio/logo?v={detailed.studio.logo_digest}"' in html
    assert "12 Elm Street<br>Springfield, IL 62701<br>United States<br>Tax id: US-99-1234567" in html
    assert "How to pay" in html and "IBAN DE89 3704 0044 0532 0130 00" in html


def test_a_paid_invoice_does_not_ask_for_payment(detailed_client, detailed):
    invoice = detailed.make.invoice(detailed.studio, detailed.family, send=True)
    detailed.make.payment(detailed.studio, invoice, str(invoice.total))
    db.session.commit()

    assert "How to pay" not in detailed_client.get(f"/invoices/{invoice.id}").get_data(as_text=True)


def test_the_parent_sees_the_studio_details_on_their_invoice(app, detailed):
    invoice = detailed.make.invoice(detailed.studio, detailed.family, send=True)
    db.session.commit()
    parent = app.test_client()
    web_login(parent, detailed.parent.email)

    html = parent.get(f"/invoices/{invoice.id}").get_data(as_text=True)

    assert "IBAN DE89" in html and "US-99-1234567" in html
    assert parent.get(f"/settings/studio/logo?v={detailed.studio.logo_digest}").status_code == 200


@pytest.mark.skipif(not (PDFTOTEXT and PDFIMAGES), reason="poppler-utils not installed")
def test_the_pdf_prints_the_logo_address_tax_id_and_how_to_pay(detailed_client, detailed, tmp_path):
    invoice = detailed.make.invoice(detailed.studio, detailed.family, send=True)
    db.session.commit()
    path = tmp_path / "invoice.pdf"
    path.write_bytes(detailed_client.get(f"/invoices/{invoice.id}/pdf").data)

    text = subprocess.run([PDFTOTEXT, str(path), "-"],  # noqa: S603 - our own file # nosec B603
                          capture_output=True, text=True, check=True).stdout
    images = subprocess.run([PDFIMAGES, "-list", str(path)],  # noqa: S603 # nosec B603
                            capture_output=True, text=True, check=True).stdout
    for expected in ("12 Elm Street", "Springfield, IL 62701", "Tax id: US-99-1234567",
                     "IBAN DE89 3704 0044 0532 0130 00"):
        assert expected in text, expected
    assert "HOW TO PAY" in text  # the label is set in capitals by the stylesheet
    assert " 160    80 " in images  # the logo, at its own size


def test_a_new_logo_changes_the_pdf(detailed_client, detailed):
    invoice = detailed.make.invoice(detailed.studio, detailed.family, send=True)
    db.session.commit()
    first = detailed_client.get(f"/invoices/{invoice.id}/pdf")
    before = first.headers["ETag"]
    assert b"/Subtype /Image" in first.data

    accounts.set_studio_logo(detailed.studio, detailed.admin, png((200, 100)))
    db.session.commit()

    assert detailed_client.get(f"/invoices/{invoice.id}/pdf").headers["ETag"] != before
