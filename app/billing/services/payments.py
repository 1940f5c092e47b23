"""Payments and refunds. Each posts atomically under a lock on the invoice row: amount paid,
balance and status move together, and parallel payments never lose one another."""
import uuid
from datetime import timedelta

from app.billing.models import PAYMENT_METHODS, Invoice, Payment
from app.billing.services.common import by_id, check_amount, check_text, local_today, lock
from app.billing.services.invoices import add_credit_entry, credit_available, settle_status
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, ValidationFailed
from app.core.money import ZERO
from app.extensions import db
from app.people.models import Family


def _check_method(method):
    if method not in PAYMENT_METHODS:
        raise ValidationFailed(field_errors={"payment_method": [
            f"Choose one of: {', '.join(PAYMENT_METHODS)}."]})
    return method


def _check_paid_at(paid_at, now):
    paid_at = paid_at or now
    if paid_at > now + timedelta(days=1):
        raise ValidationFailed(field_errors={"paid_at": ["Must not be in the future."]})
    return paid_at


def record_payment(studio, actor, *, invoice, amount, method, transaction_id="", notes="",
                   paid_at=None, currency=None, now=None):
    """Record money received for a sent, partially paid or overdue invoice (409 otherwise).

    What goes beyond the balance due becomes family credit, applied to the next invoice.
    """
    invoice = by_id(studio, Invoice, invoice, "invoice", "invoice")
    if currency is not None and currency.upper() != (studio.currency or "USD"):
        raise ValidationFailed(field_errors={"currency": [
            f"This studio bills in {studio.currency}; record the amount in {studio.currency}."]})
    amount = check_amount(amount, "amount", positive=True)
    method = _check_method(method)
    transaction_id = check_text(transaction_id, "transaction_id", 120)
    notes = check_text(notes, "notes", 2000)
    now = now or utcnow()
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
    amount = limit if amount is None else check_amount(amount, "amount", positive=True)
    if amount <= ZERO:
        raise Conflict("Nothing is left to refund on this payment.")
    if amount > limit:
        raise ValidationFailed(field_errors={"amount": [f"At most {limit} can be refunded."]})
    notes = check_text(notes, "notes", 2000)
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
    return refund
