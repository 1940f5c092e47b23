"""Invoice services: drafts, numbering, sending, voiding, credits, overdue."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import services
from app.billing.models import FamilyCredit, Invoice
from app.core.audit import AuditLog
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.messaging.models import OutboxEmail

D = Decimal


def test_a_draft_has_totals_at_the_studio_tax_rate_and_no_number(bill):
    invoice = bill.make.invoice(bill.studio, bill.family, lines=[("Piano", 3, "19.99")])
    assert invoice.status == "draft" and invoice.number is None
    assert (invoice.subtotal, invoice.tax, invoice.total) == (D("59.97"), D("4.95"), D("64.92"))
    assert invoice.balance_due == D("64.92")
    assert invoice.due_date == invoice.issue_date + timedelta(days=14)


def test_changing_the_studio_tax_rate_leaves_existing_invoices_alone(bill):
    invoice = bill.make.invoice(bill.studio, bill.family)
    bill.studio.tax_rate = D("20.00")
    services.update_invoice(bill.studio, bill.admin, invoice, notes="hi")
    assert invoice.tax_rate == D("8.25")


@pytest.mark.parametrize(("line", "field"), [
    ({"description": "x", "quantity": -1, "unit_price": "10.00"}, "line_items.0.quantity"),
    ({"description": "x", "quantity": 0, "unit_price": "10.00"}, "line_items.0.quantity"),
    ({"description": "x", "quantity": 1, "unit_price": "-10.00"}, "line_items.0.unit_price"),
    ({"description": "x", "quantity": 1, "unit_price": "19.999"}, "line_items.0.unit_price"),
    ({"description": " ", "quantity": 1, "unit_price": "1.00"}, "line_items.0.description"),
])
def test_bad_lines_are_refused_with_the_field_named(bill, line, field):
    with pytest.raises(ValidationFailed) as error:
        services.create_invoice(bill.studio, bill.admin, family=bill.family, line_items=[line])
    assert field in error.value.field_errors


def test_a_family_of_another_studio_is_unknown(bill):
    with pytest.raises(ValidationFailed) as error:
        services.create_invoice(bill.studio, bill.admin, family=bill.foreign_family)
    assert "family" in error.value.field_errors


def test_due_date_before_issue_date_is_refused(bill):
    today = bill.today()
    with pytest.raises(ValidationFailed):
        services.create_invoice(bill.studio, bill.admin, family=bill.family, issue_date=today,
                                due_date=today - timedelta(days=1))


def test_add_and_remove_lines_on_a_draft(bill):
    invoice = bill.make.invoice(bill.studio, bill.family, lines=[])
    line = services.add_line(bill.studio, bill.admin, invoice, description="Books",
                             quantity="2", unit_price="12.50")
    assert invoice.subtotal == D("25.00")
    services.remove_line(bill.studio, bill.admin, invoice, line)
    assert invoice.subtotal == D("0.00") and invoice.line_items == []


def test_sending_numbers_invoices_in_sequence_and_emails_the_family(bill):
    first = bill.make.invoice(bill.studio, bill.family, send=True)
    second = bill.make.invoice(bill.studio, bill.other_family, send=True)
    year = first.issue_date.year
    assert (first.number, second.number) == (f"INV-{year}-001", f"INV-{year}-002")
    assert first.status == "sent" and first.sent_at is not None
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "bennett@example.test"))
    assert first.number in email.subject
    assert f"/invoices/{first.id}/pdf" in email.body_text
    assert bill.studio.next_invoice_number == 3


def test_drafts_deleted_leave_no_gap_in_the_numbers(bill):
    draft = bill.make.invoice(bill.studio, bill.family)
    services.delete_draft(bill.studio, bill.admin, draft)
    sent = bill.make.invoice(bill.studio, bill.family, send=True)
    assert sent.number.endswith("-001")


def test_a_sent_invoice_cannot_be_edited_sent_again_or_deleted(bill):
    invoice = bill.make.invoice(bill.studio, bill.family, send=True)
    with pytest.raises(Conflict):
        services.update_invoice(bill.studio, bill.admin, invoice, notes="changed")
    with pytest.raises(Conflict):
        services.add_line(bill.studio, bill.admin, invoice, description="x", unit_price="1.00")
    with pytest.raises(Conflict):
        services.send_invoice(bill.studio, bill.admin, invoice)
    with pytest.raises(Conflict):
        services.delete_draft(bill.studio, bill.admin, invoice)


def test_an_empty_draft_cannot_be_sent(bill):
    invoice = bill.make.invoice(bill.studio, bill.family, lines=[])
    with pytest.raises(Conflict):
        services.send_invoice(bill.studio, bill.admin, invoice)


def test_voiding_keeps_the_number_and_moves_payments_to_credit(bill):
    invoice = bill.make.invoice(bill.studio, bill.family, send=True)  # 216.50
    bill.make.payment(bill.studio, invoice, "100.00")
    services.void_invoice(bill.studio, bill.admin, invoice, "Billed by mistake")
    assert invoice.status == "void" and invoice.number.endswith("-001")
    assert invoice.balance_due == D("0.00")
    assert services.credit_available(bill.family) == D("100.00")
    assert services.family_balances([bill.family])[bill.family.id] == D("-100.00")
    with pytest.raises(Conflict):
        services.void_invoice(bill.studio, bill.admin, invoice)
    draft = bill.make.invoice(bill.studio, bill.family)
    with pytest.raises(Conflict):
        services.void_invoice(bill.studio, bill.admin, draft)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "invoice.voided"))


def test_credit_is_applied_to_the_next_invoice_when_it_is_sent(bill):
    first = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "100.00")], send=True)
    bill.make.payment(bill.studio, first, "150.00")  # 108.25 due -> 41.75 credit
    assert first.status == "paid" and first.balance_due == D("0.00")
    assert services.credit_available(bill.family) == D("41.75")
    second = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "20.00")], send=True)
    assert second.credit_applied == D("21.65") and second.status == "paid"
    assert services.credit_available(bill.family) == D("20.10")
    third = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "100.00")], send=True)
    assert third.credit_applied == D("20.10") and third.balance_due == D("88.15")
    assert third.status == "partially_paid"
    assert services.credit_available(bill.family) == D("0.00")


def test_a_credit_note_lowers_the_balance(bill):
    invoice = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "100.00")], send=True)
    services.credit_invoice(bill.studio, bill.admin, invoice, "8.25", "Lesson cut short")
    assert invoice.balance_due == D("100.00") and invoice.status == "partially_paid"
    with pytest.raises(ValidationFailed):
        services.credit_invoice(bill.studio, bill.admin, invoice, "100.01")
    entries = db.session.scalars(select(FamilyCredit.kind)).all()
    assert sorted(entries) == ["applied", "credit_note"]


def test_overdue_job_marks_past_due_invoices_and_charges_the_late_fee_once(bill):
    bill.studio.late_fee = D("15.00")
    today = bill.today()
    late = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "100.00")],
                             issue_date=today - timedelta(days=30),
                             due_date=today - timedelta(days=1), send=True)
    current = bill.make.invoice(bill.studio, bill.other_family, send=True)
    marked = services.mark_overdue(bill.studio)
    assert marked == [late]
    assert late.status == "overdue" and current.status == "sent"
    assert [line.kind for line in late.line_items] == ["manual", "late_fee"]
    assert late.subtotal == D("115.00") and late.total == D("124.49")
    assert services.mark_overdue(bill.studio) == []  # no longer "sent": nothing happens twice
    emails = db.session.scalars(
        select(OutboxEmail.subject).where(OutboxEmail.subject.like("%overdue%"))).all()
    assert len(emails) == 1


def test_a_partial_payment_keeps_an_overdue_invoice_overdue(bill):
    today = bill.today()
    invoice = bill.make.invoice(bill.studio, bill.family, issue_date=today - timedelta(days=20),
                                due_date=today - timedelta(days=5), send=True)
    assert invoice.status == "overdue"  # sent after its due date
    bill.make.payment(bill.studio, invoice, "10.00")
    assert invoice.status == "overdue"
    bill.make.payment(bill.studio, invoice, str(invoice.balance_due))
    assert invoice.status == "paid"


def test_family_balance_and_statement_agree(bill):
    a = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 1, "100.00")], send=True)
    b = bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 2, "30.00")], send=True)
    payment = bill.make.payment(bill.studio, a, "120.00")
    services.refund_payment(bill.studio, bill.admin, payment, amount="5.00")
    services.void_invoice(bill.studio, bill.admin, b)
    entries = services.statement(bill.studio, bill.family)
    balance = services.family_balances([bill.family])[bill.family.id]
    assert entries[-1].balance == balance
    assert isinstance(db.session.get(Invoice, a.id), Invoice)


def test_the_job_marks_every_studio_and_commits(bill):
    from datetime import datetime, timezone

    from app.billing.jobs import mark_all_overdue

    today = bill.today()
    invoice = bill.make.invoice(bill.studio, bill.family, issue_date=today - timedelta(days=30),
                                due_date=today - timedelta(days=15))
    services.send_invoice(bill.studio, bill.admin, invoice, notify=False)
    invoice.status = "sent"  # as if sent before its due date passed
    db.session.commit()
    assert mark_all_overdue(now=datetime.now(timezone.utc)) == 1
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "overdue"
    assert mark_all_overdue() == 0
