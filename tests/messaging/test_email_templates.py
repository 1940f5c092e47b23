"""The app's emails as they reach a real SMTP server: text and HTML alternatives in the
studio's layout, the studio's logo inline, the invoice's PDF attached (made by the worker at
send time, outside any request), the outbox row's extra headers on the wire; and every HTML
template keeps what users typed as text."""
import shutil
import subprocess
import threading
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.sign_in_alerts import warn_of_failed_sign_ins
from app.billing import services as billing
from app.core.db import utcnow
from app.core.timeutil import local_today
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.messaging.services import deliver_pending, queue_email, render_email
from app.scheduling import services as scheduling
from tests.uploads import png_bytes

PDFTOTEXT = shutil.which("pdftotext")
HOSTILE = '<script>alert("x")</script> & <b>Co</b>'


def deliver_in_worker(app, limit=100):
    """deliver_pending as the job worker runs it: in a thread of its own, with an app
    context and no request context. Returns (sent, failed)."""
    result, errors = [], []

    def run():
        try:
            with app.app_context():
                result.append(deliver_pending(limit=limit))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert errors == []
    return result[0]


def by_subject(mailbox):
    return {str(message["Subject"]): message for message in mailbox.messages}


def parts(message):
    """{content type: part} of every leaf part."""
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def alternatives(message):
    """The multipart/alternative part of a message (the message itself, or inside mixed)."""
    [alternative] = [p for p in message.walk() if p.get_content_type() == "multipart/alternative"]
    return alternative


@pytest.fixture()
def world(make):
    studio = make.studio(name="Harmony Test Studio", address_line1="12 Elm Street",
                         city="Springfield", region="IL", postal_code="62701")
    admin = make.member(studio, "admin", first_name="Ada", last_name="Admin")
    parent = make.member(studio, "parent", first_name="Rosa")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    family = make.family(studio, guardians=[parent], name="Bennett",
                         billing_email="bills@example.test")
    student = make.student(studio, family, first_name="Sam", last_name="Bennett")
    return type("World", (), dict(studio=studio, admin=admin, parent=parent, teacher=teacher,
                                  family=family, student=student, make=make))


def queue_every_email(w):
    """One of each email the app writes (besides reminders, digests and announcements)."""
    studio = w.studio
    accounts.invite_member(studio, w.admin, "newcomer@example.test", "teacher", first_name="Nia")
    accounts.request_password_reset(w.parent.email)
    warn_of_failed_sign_ins(w.admin.email, "192.0.2.7", 10)
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    moved = w.make.lesson(studio, w.teacher, [w.student], start=start)
    scheduling.reschedule_lesson(studio, w.admin, moved, start=start + timedelta(hours=2))
    cancelled = w.make.lesson(studio, w.teacher, [w.student], start=start + timedelta(days=1))
    scheduling.cancel_lesson(studio, w.admin, cancelled, "Snow day", initiated_by="studio")
    invoice = w.make.invoice(studio, w.family, send=True)
    billing.record_payment(studio, w.admin, invoice=invoice, amount="50.00", method="check",
                           transaction_id="CHK-1042")
    db.session.commit()
    return invoice


def test_every_email_arrives_as_text_and_html_in_the_studios_layout(
        app, world, mail_config, smtp_server):
    invoice = queue_every_email(world)
    count = db.session.scalar(select(db.func.count()).select_from(OutboxEmail))
    assert count == 7

    assert deliver_in_worker(app) == (7, 0)

    smtp_server.mailbox.wait_for(7)
    for message in smtp_server.mailbox.messages:
        alternative = alternatives(message)
        text = alternative.get_body(("plain",)).get_content()
        html = alternative.get_body(("html",)).get_content()
        assert text.strip() and "<" not in text.replace("<http", ""), message["Subject"]
        assert html.lstrip().startswith("<!doctype html>"), message["Subject"]
        assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    subjects = by_subject(smtp_server.mailbox)
    account_emails = {"Choose a new Cadenza password", "Failed sign-ins to your Cadenza account"}
    studio_emails = [m for s, m in subjects.items() if s not in account_emails]
    assert len(studio_emails) == 5
    for message in studio_emails:
        html = alternatives(message).get_body(("html",)).get_content()
        assert "Harmony Test Studio" in html and "12 Elm Street" in html
    invoice_email = subjects[f"Invoice {invoice.number} from Harmony Test Studio"]
    assert invoice_email.get_content_type() == "multipart/mixed"
    receipt = next(m for s, m in subjects.items() if s.startswith("Receipt: "))
    receipt_text = receipt.get_body(("plain",)).get_content()
    assert "has received your payment of $50.00" in receipt_text
    assert "Method: Check" in receipt_text and "Reference: CHK-1042" in receipt_text
    assert f"Invoice {invoice.number}: $50.00 paid, $150.00 left to pay" in receipt_text


@pytest.mark.skipif(not PDFTOTEXT, reason="poppler-utils (pdftotext) not installed")
def test_the_invoice_email_carries_the_invoices_pdf(app, world, mail_config, smtp_server, tmp_path):
    invoice = world.make.invoice(world.studio, world.family, send=True)
    db.session.commit()

    assert deliver_in_worker(app) == (1, 0)

    [message] = smtp_server.mailbox.messages
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    data = attachment.get_content()
    assert data.startswith(b"%PDF")
    (tmp_path / "invoice.pdf").write_bytes(data)
    printed = subprocess.run([PDFTOTEXT, str(tmp_path / "invoice.pdf"), "-"],  # noqa: S603 - our own file # nosec B603
                             capture_output=True, text=True, check=True).stdout
    assert invoice.number in printed and "Bennett" in printed
    text = message.get_body(("plain",)).get_content()
    assert f"attached to this email as a PDF ({invoice.number}.pdf)" in text


def test_the_overdue_reminder_carries_the_pdf_too(app, world, mail_config, smtp_server):
    today = local_today(world.studio)
    invoice = world.make.invoice(world.studio, world.family, send=True,
                                 issue_date=today - timedelta(days=10))
    invoice.due_date = today - timedelta(days=1)  # sent on time, since fallen due
    db.session.execute(db.delete(OutboxEmail))
    billing.mark_overdue(world.studio)
    db.session.commit()

    assert deliver_in_worker(app) == (1, 0)

    [message] = smtp_server.mailbox.messages
    assert message["Subject"] == f"Invoice {invoice.number} is overdue"
    assert "is past its due date" in message.get_body(("plain",)).get_content()
    assert "overdue" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content().startswith(b"%PDF")


def test_the_studios_logo_arrives_inline_when_it_has_one(app, world, mail_config, smtp_server):
    accounts.set_studio_logo(world.studio, world.admin, png_bytes((120, 40)))
    accounts.invite_member(world.studio, world.admin, "with-logo@example.test", "parent")
    db.session.commit()
    logo = world.studio.logo

    assert deliver_in_worker(app) == (1, 0)

    [message] = smtp_server.mailbox.messages
    html_part = message.get_body(("html",))
    assert 'src="cid:studio-logo"' in html_part.get_content()
    [related] = [p for p in message.walk() if p.get_content_type() == "multipart/related"]
    image = parts(related)["image/png"]
    assert image["Content-ID"] == "<studio-logo>"
    assert image.get_content_disposition() == "inline"
    assert image.get_content() == logo


def test_without_a_logo_no_image_is_referenced_or_sent(app, world, mail_config, smtp_server):
    accounts.invite_member(world.studio, world.admin, "no-logo@example.test", "parent")
    db.session.commit()

    assert deliver_in_worker(app) == (1, 0)

    [message] = smtp_server.mailbox.messages
    assert message.get_content_type() == "multipart/alternative"
    assert "cid:" not in message.get_body(("html",)).get_content()
    assert "image/png" not in parts(message)


def test_the_rows_extra_headers_are_on_the_wire(app, ctx, mail_config, smtp_server):
    queue_email("reader@example.test", "News", "Body", html="<p>Body</p>", headers={
        "List-Unsubscribe": "<https://music.example.com/unsubscribe/abc>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    db.session.commit()

    assert deliver_in_worker(app) == (1, 0)

    [message] = smtp_server.mailbox.messages
    assert message["List-Unsubscribe"] == "<https://music.example.com/unsubscribe/abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("headers", [
    {"From": "someone@else.test"}, {"Message-ID": "<x@y>"}, {"X-Note": "a\r\nBcc: b@c.test"},
    {"Bad Name": "x"},
], ids=["from", "message-id", "injected-line", "space-in-name"])
def test_a_header_the_outbox_writes_or_that_breaks_the_message_is_refused(ctx, headers):
    with pytest.raises(ValueError):
        queue_email("reader@example.test", "News", "Body", headers=headers)


def test_an_attachment_of_an_unknown_kind_is_refused_when_queued(ctx):
    with pytest.raises(ValueError):
        queue_email("reader@example.test", "News", "Body", attachment="spreadsheet:1")


def test_an_outage_keeps_the_emails_and_a_later_run_delivers_each_once_with_its_pdf(
        app, world, mail_config, smtp_server):
    queue_every_email(world)
    smtp_server.stop()

    assert deliver_in_worker(app) == (0, 7)
    assert set(db.session.scalars(select(OutboxEmail.status))) == {"pending"}

    smtp_server.start()
    with time_machine.travel(utcnow() + timedelta(minutes=1, seconds=1)):
        assert deliver_in_worker(app) == (7, 0)
        assert deliver_in_worker(app) == (0, 0)

    mailbox = smtp_server.mailbox
    assert len(mailbox.messages) == 7 and set(mailbox.message_ids.values()) == {1}
    pdfs = [p for m in mailbox.messages for p in m.iter_attachments()]
    assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxEmail.status))) == {"sent"}


def test_an_email_whose_attachment_cannot_be_made_is_kept_and_retried(
        app, world, mail_config, smtp_server):
    queue_email("bills@example.test", "Invoice", "Body", studio=world.studio,
                attachment="invoice-pdf:00000000-0000-0000-0000-000000000000")
    db.session.commit()

    assert deliver_in_worker(app) == (0, 1)

    db.session.expire_all()
    email = db.session.scalar(select(OutboxEmail))
    assert email.status == "pending" and "LookupError" in email.last_error
    assert smtp_server.mailbox.messages == []


@pytest.mark.postgres
def test_two_workers_racing_on_invoice_emails_send_each_once_with_its_pdf(
        app, world, mail_config, smtp_server):
    families = [world.make.family(world.studio, name=f"Family {n}",
                                  billing_email=f"family{n}@example.test") for n in range(6)]
    for family in families:
        world.make.invoice(world.studio, family, send=True)
    db.session.commit()
    ids = set(db.session.scalars(select(OutboxEmail.id)))
    smtp_server.mailbox.delay = 0.05
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            with app.app_context():
                start.wait()
                while db.session.scalar(select(db.func.count()).where(OutboxEmail.status != "sent")):
                    deliver_pending(limit=100)
                    db.session.rollback()
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    mailbox = smtp_server.mailbox
    assert sorted(mailbox.recipients) == sorted(f"family{n}@example.test" for n in range(6))
    assert {str(i) for i in mailbox.message_ids} == {f"<{i}@outbox.cadenza.test>" for i in ids}
    assert set(mailbox.message_ids.values()) == {1}
    assert all(next(m.iter_attachments()).get_content().startswith(b"%PDF")
               for m in mailbox.messages)
    db.session.expire_all()
    assert len(set(db.session.scalars(select(OutboxEmail.claimed_by)))) == 2


# ---------------------------------------------------------------- receipts

def outbox_to(address):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)
                              .order_by(OutboxEmail.created_at)).all()


def test_a_recorded_payment_emails_the_family_a_receipt(world):
    invoice = world.make.invoice(world.studio, world.family, send=True)

    payment = billing.record_payment(world.studio, world.admin, invoice=invoice, amount="250.00",
                                     method="bank_transfer")

    receipt = outbox_to("bills@example.test")[-1]
    assert receipt.subject == "Receipt: $250.00 paid to Harmony Test Studio"
    assert f"Invoice {invoice.number}: $200.00 paid, paid in full" in receipt.body_text
    assert "Added to your credit: $50.00" in receipt.body_text
    assert f"/invoices/{invoice.id}" in receipt.body_text
    assert receipt.attachment is None
    billing.email_receipt(world.studio, [payment])  # a retried job or request
    assert len(outbox_to("bills@example.test")) == 2  # the invoice and one receipt


def test_a_family_payment_across_invoices_sends_one_receipt(world):
    first = world.make.invoice(world.studio, world.family, send=True)
    second = world.make.invoice(world.studio, world.family, send=True)

    billing.take_family_payment(world.studio, world.admin, family=world.family, amount="300.00",
                                method="cash")

    receipts = [e for e in outbox_to("bills@example.test") if e.subject.startswith("Receipt")]
    assert len(receipts) == 1
    body = receipts[0].body_text
    assert f"Invoice {first.number}: $200.00 paid, paid in full" in body
    assert f"Invoice {second.number}: $100.00 paid, $100.00 left to pay" in body
    assert "See your invoices: http://localhost/invoices" in body


def test_credit_applied_refunds_and_credit_notes_send_no_receipt(world):
    paid = world.make.invoice(world.studio, world.family, send=True)
    payment = billing.record_payment(world.studio, world.admin, invoice=paid, amount="260.00",
                                     method="cash")  # $60 to credit
    before = len(outbox_to("bills@example.test"))

    world.make.invoice(world.studio, world.family, send=True)  # uses the credit
    other = world.make.invoice(world.studio, world.family, send=True)
    billing.credit_invoice(world.studio, world.admin, other, Decimal("10.00"), "Goodwill")
    billing.refund_payment(world.studio, world.admin, payment, amount=Decimal("20.00"))

    new = outbox_to("bills@example.test")[before:]
    assert [e.subject.split(" ")[0] for e in new] == ["Invoice", "Invoice"]


# ---------------------------------------------------------------- privacy and escaping

class Tags(HTMLParser):
    """The tags and the text of an HTML document, as a browser's parser sees them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def rendered_templates(w, studio):
    """(name, html) of every email template of this module, with hostile user text."""
    line = {"invoice": type("Invoice", (), {"number": HOSTILE, "balance_due": Decimal("5")}),
            "applied": Decimal("10")}
    invoice = type("Invoice", (), {
        "number": HOSTILE, "family": type("Family", (), {"name": HOSTILE}), "status": "sent",
        "total": Decimal("10"), "balance_due": Decimal("5"), "due_date": utcnow().date()})
    contexts = {
        "invitation": dict(inviter=HOSTILE, role="parent", link="https://x.test/i/1",
                           first_name=HOSTILE, days=7),
        "password_reset": dict(first_name=HOSTILE, email=HOSTILE, lifetime="1 hour",
                               link="https://x.test/r/1"),
        "sign_in_alert": dict(first_name=HOSTILE, email=HOSTILE, failures=10, when=HOSTILE,
                              address=HOSTILE, account_page="https://x.test/account/"),
        "lesson_cancelled": dict(who=HOSTILE, teacher=HOSTILE, when=HOSTILE, reason=HOSTILE,
                                 confirmed=False, outcome="", schedule_url="https://x.test/"),
        "lesson_rescheduled": dict(who=HOSTILE, teacher=HOSTILE, was=HOSTILE, now=HOSTILE,
                                   new_teacher=HOSTILE, place=HOSTILE,
                                   online_url="https://x.test/<script>",
                                   schedule_url="https://x.test/"),
        "invoice": dict(invoice=invoice, intro=HOSTILE, overdue=False, filename=HOSTILE,
                        page_url="https://x.test/i", pdf_url="https://x.test/i/pdf"),
        "payment_receipt": dict(family=invoice.family, amount=Decimal("10"), paid_at=utcnow(),
                                method=HOSTILE, reference=HOSTILE, lines=[line],
                                to_credit=Decimal("1"), url="https://x.test/i"),
        "notification": dict(title=HOSTILE, message=HOSTILE, url="https://x.test/n",
                             settings_url="https://x.test/s"),
    }
    for name, context in contexts.items():
        yield name, render_email(name, studio, subject=HOSTILE, **context)[1]


def test_no_html_template_lets_user_text_become_markup(world):
    studio = world.studio
    studio.name = HOSTILE
    studio.address_line1 = HOSTILE
    studio.payment_instructions = HOSTILE + "\nIBAN 123"
    studio.tax_id = HOSTILE

    for name, html in rendered_templates(world, studio):
        parsed = Tags(html)
        assert "script" not in parsed.tags, name
        assert "b" not in parsed.tags, name
        assert '<script>alert("x")</script>' in "".join(parsed.text), name


def test_a_family_named_like_markup_stays_text_in_the_invoice_and_receipt_emails(world):
    family = world.make.family(world.studio, name="<script>alert(1)</script>",
                               billing_email="odd@example.test")
    invoice = world.make.invoice(world.studio, family, send=True)
    billing.record_payment(world.studio, world.admin, invoice=invoice, amount="20.00",
                           method="cash")

    for email in outbox_to("odd@example.test"):
        parsed = Tags(email.body_html)
        assert "script" not in parsed.tags
        assert "Hello <script>alert(1)</script>," in "".join(parsed.text)


def test_lesson_notices_keep_classmates_private_in_the_html_too(world):
    other_parent = world.make.member(world.studio, "parent")
    other = world.make.family(world.studio, guardians=[other_parent], name="Okafor")
    ada = world.make.student(world.studio, other, first_name="Ada", last_name="Okafor")
    lesson = world.make.lesson(world.studio, world.teacher, [world.student, ada],
                               start=utcnow().replace(microsecond=0) + timedelta(days=3))

    scheduling.cancel_lesson(world.studio, world.admin, lesson, "Snow", initiated_by="studio")

    mine = outbox_to(world.parent.email)[-1]
    theirs = outbox_to(other_parent.email)[-1]
    assert "Sam Bennett" in mine.body_html and "Okafor" not in mine.body_html
    assert "Ada Okafor" in theirs.body_html and "Bennett" not in theirs.body_html
