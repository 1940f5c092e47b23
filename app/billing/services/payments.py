"""Payments and refunds. Each posts atomically under a lock on the invoice row: amount paid,
balance and status move together, and parallel payments never lose one another."""
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from app.billing.models import OPEN_STATUSES, PAYMENT_METHODS, Invoice, Payment
from app.billing.services import bell
from app.billing.services.common import amount_of, by_id
from app.billing.services.emails import email_receipt
from app.billing.services.invoices import add_credit_entry, credit_available, settle_status
from app.billing.services.webhook_data import announce_payment
from app.core import audit, validation
from app.core.db import lock, utcnow
from app.core.errors import Conflict, ValidationFailed
from app.core.money import ZERO
from app.core.timeutil import local_noon, local_today
from app.extensions import db
from app.people.models import Family


def _check_method(method):
    return validation.field("payment_method", validation.choice, method, choices=PAYMENT_METHODS)


def _check_paid_at(paid_at, now):
    paid_at = paid_at or now
    if paid_at > now + timedelta(days=1):
        raise ValidationFailed(field_errors={"paid_at": ["Must not be in the future."]})
    return paid_at


def record_payment(studio, actor, *, invoice, amount, method, transaction_id="", notes="",
                   paid_at=None, paid_on=None, currency=None, now=None, receipt=True):
    """Record money received for a sent, partially paid or overdue invoice (409 otherwise).

    What goes beyond the balance due becomes family credit, applied to the next invoice.
    A payment dated by its day only (`paid_on`) is taken at noon in the studio's timezone,
    or now when that day is today. The family is emailed a receipt (`receipt=False`: not,
    for demo data, or when the caller sends one receipt for several payments).
    """
    invoice = by_id(studio, Invoice, invoice, "invoice", "invoice")
    if currency is not None and currency.upper() != (studio.currency or "USD"):
        raise ValidationFailed(field_errors={"currency": [
            f"This studio bills in {studio.currency}; record the amount in {studio.currency}."]})
    amount = amount_of(amount, "amount", positive=True)
    method = _check_method(method)
    transaction_id = validation.field("transaction_id", validation.text, transaction_id,
                                      max_length=120)
    notes = validation.field("notes", validation.text, notes, max_length=2000)
    now = now or utcnow()
    if paid_on is not None and paid_on != local_today(studio, now):
        paid_at = local_noon(studio, paid_on)
    paid_at = _check_paid_at(paid_at, now)
    invoice = lock(Invoice, invoice)
    if not invoice.accepts_payments:
        raise Conflict(f"Invoice {invoice.display_number} is {invoice.status_label.lower()}; "
                       "payments are recorded on sent, partially paid or overdue invoices.")
    applied = min(amount, invoice.balance_due)
    payment = Payment(
        id=uuid.uuid4(), studio_id=studio.id, invoice=invoice, invoice_id=invoice.id,
        family_id=invoice.family_id, amount=amount, credit_amount=amount - applied, method=method,
        transaction_id=transaction_id, notes=notes, paid_at=paid_at,
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(payment)
    db.session.flush()  # the payment row exists before credit entries refer to it
    invoice.amount_paid += applied
    settle_status(invoice, local_today(studio, now))
    if payment.credit_amount > ZERO:
        add_credit_entry(studio, actor, lock(Family, invoice.family), payment.credit_amount,
                         "overpayment", invoice=invoice, payment=payment,
                         note=f"Overpayment on {invoice.number}")
    audit.record(studio, actor, "payment.recorded", payment, invoice=invoice.number,
                 amount=str(amount), method=method, to_credit=str(payment.credit_amount))
    db.session.flush()
    announce_payment("payment.recorded", payment)
    bell.payment_received(studio, actor, payment, invoice)
    if receipt:
        email_receipt(studio, [payment])
    return payment


def refundable(payment, invoice, credit):
    """How much of `payment` can be paid back now: from what it put on the invoice, plus
    the part that went to credit as long as the family still has that credit."""
    if payment.is_refund:
        return ZERO
    previous = payment.refunds
    from_credit_left = payment.credit_amount - sum((r.credit_amount for r in previous), ZERO)
    from_invoice_left = payment.applied_amount - sum(
        (-r.amount - r.credit_amount for r in previous), ZERO)
    if invoice.status == "void":  # its payments were moved to credit when it was voided
        return min(from_invoice_left + from_credit_left, credit)
    return from_invoice_left + min(from_credit_left, credit)


def refund_payment(studio, actor, payment, *, amount=None, notes="", now=None):
    """Pay money back: a negative payment linked to the original. The invoice's amount
    paid (and status) goes back; credit the payment created is taken back first."""
    if payment.is_refund:
        raise Conflict("This is a refund already; refund the original payment.")
    invoice = lock(Invoice, payment.invoice)
    family = lock(Family, invoice.family)
    credit = credit_available(family)
    limit = refundable(payment, invoice, credit)
    amount = limit if amount is None else amount_of(amount, "amount", positive=True)
    if amount <= ZERO:
        raise Conflict("Nothing is left to refund on this payment.")
    if amount > limit:
        raise ValidationFailed(field_errors={"amount": [f"At most {limit} can be refunded."]})
    notes = validation.field("notes", validation.text, notes, max_length=2000)
    now = now or utcnow()
    if invoice.status == "void":
        from_credit = amount
    else:
        credit_left = payment.credit_amount - sum((r.credit_amount for r in payment.refunds), ZERO)
        from_credit = min(amount, credit_left, credit)
    refund = Payment(
        id=uuid.uuid4(), studio_id=studio.id, invoice=invoice, invoice_id=invoice.id,
        family_id=invoice.family_id, amount=-amount, credit_amount=from_credit,
        method=payment.method, transaction_id=payment.transaction_id, notes=notes or "Refund",
        paid_at=now, recorded_by_id=getattr(actor, "id", None), refund_of_id=payment.id,
    )
    db.session.add(refund)
    payment.refunds.append(refund)
    db.session.flush()
    if invoice.status != "void":
        invoice.amount_paid -= amount - from_credit
        settle_status(invoice, local_today(studio, now))
    if from_credit > ZERO:
        add_credit_entry(studio, actor, family, -from_credit, "refund", invoice=invoice,
                         payment=refund, note=f"Refunded from {invoice.number}")
    audit.record(studio, actor, "payment.refunded", refund, invoice=invoice.number,
                 amount=str(amount), original=str(payment.id))
    db.session.flush()
    announce_payment("payment.recorded", refund)
    return refund


@dataclass
class FamilyPayment:
    """A payment taken against a family's account: one Payment per invoice it paid, oldest
    first; `to_credit` is what went beyond all the open balances (family credit)."""

    family: Family
    amount: object
    payments: list = field(default_factory=list)

    @property
    def to_credit(self):
        return sum((p.credit_amount for p in self.payments), ZERO)


def open_invoices(studio, family):
    """The family's sent, partially paid and overdue invoices, oldest first: by due date,
    then number."""
    return db.session.scalars(select(Invoice).where(
        Invoice.studio_id == studio.id, Invoice.family_id == family.id,
        Invoice.status.in_(OPEN_STATUSES), Invoice.balance_due > 0,
    ).order_by(Invoice.due_date, Invoice.number, Invoice.id)).all()


def take_family_payment(studio, actor, *, family, amount, method, transaction_id="", notes="",
                        paid_at=None, paid_on=None, currency=None, now=None):
    """Take money against a family's account and pay its open invoices oldest first (due
    date, then number), splitting it across them: one payment per invoice, each posted by
    `record_payment`. What is left after the last open balance becomes family credit (on the
    last invoice's payment). A family with nothing open is refused (409): record the money
    on an invoice, or wait for the next one.

    The invoices are locked in that order before anything is written (and the family after
    them, as `record_payment` does), so parallel payments see each other's amounts. The
    family gets one receipt for the whole sum.
    """
    family = by_id(studio, Family, family, "family", "family")
    amount = amount_of(amount, "amount", positive=True)
    invoices = [lock(Invoice, invoice) for invoice in open_invoices(studio, family)]
    invoices = [invoice for invoice in invoices if invoice.accepts_payments and invoice.balance_due > 0]
    if not invoices:
        raise Conflict(f"{family.name} has no open invoice to pay; nothing is owed. Record the "
                       "money when the next invoice is sent.")
    result, left = FamilyPayment(family, amount), amount
    for i, invoice in enumerate(invoices):
        last = i == len(invoices) - 1
        part = left if last else min(left, invoice.balance_due)
        result.payments.append(record_payment(
            studio, actor, invoice=invoice, amount=part, method=method,
            transaction_id=transaction_id, notes=notes, paid_at=paid_at, paid_on=paid_on,
            currency=currency, now=now, receipt=False))
        left -= part
        if left <= ZERO:
            break
    email_receipt(studio, result.payments)
    return result
