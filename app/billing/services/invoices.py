"""Invoices: drafts and their lines, sending (numbering), voiding, credits, overdue.

Every verb either completes or raises a DomainError before writing: 400 for bad input,
409 for an invoice in the wrong state (editing a sent invoice, paying a draft).
"""
import uuid

from sqlalchemy import func, or_, select, update

from app.accounts.models import Studio
from app.billing.models import OPEN_STATUSES, FamilyCredit, Invoice, InvoiceLineItem, Payment
from app.billing.pdf import pdf_filename
from app.billing.services import bell
from app.billing.services.common import (
    amount_of,
    by_id,
    due_date_for,
    non_negative,
)
from app.billing.services.webhook_data import announce_invoice
from app.core import audit, validation
from app.core.db import lock, utcnow
from app.core.errors import Conflict, ValidationFailed
from app.core.formatting import date_filter
from app.core.links import public_url
from app.core.money import ZERO, invoice_totals, line_total, to_money
from app.core.search import matches
from app.core.tenancy import current_studio
from app.core.timeutil import day_bounds, local_today
from app.extensions import db
from app.messaging.services import send_templated
from app.people.models import Family
from app.scheduling.models import Lesson

MAX_LINES = 500
# An email's attachment "invoice-pdf:<invoice id>": the invoice's PDF (see emails.py).
INVOICE_PDF = "invoice-pdf"


# ---------------------------------------------------------------- totals and status

def recalculate(invoice):
    """Totals from the lines (each rounded half-up), the discount and the invoice's tax rate."""
    totals = invoice_totals(((line.quantity, line.unit_price) for line in invoice.line_items),
                            invoice.discount, invoice.tax_rate)
    invoice.subtotal, invoice.discount = totals.subtotal, totals.discount
    invoice.tax, invoice.total = totals.tax, totals.total
    invoice.balance_due = non_negative(invoice.total - invoice.amount_paid - invoice.credit_applied)
    return invoice


def settle_status(invoice, today):
    """Move an issued invoice's status with its balance: paid, overdue, partly paid or sent."""
    invoice.balance_due = non_negative(invoice.total - invoice.amount_paid - invoice.credit_applied)
    if invoice.status in ("draft", "void"):
        return invoice
    if invoice.balance_due == ZERO:
        if invoice.status != "paid":
            invoice.status = "paid"
            announce_invoice("invoice.paid", invoice)
    elif invoice.status == "overdue" or invoice.due_date < today:
        invoice.status = "overdue"
    elif invoice.amount_settled > ZERO:
        invoice.status = "partially_paid"
    else:
        invoice.status = "sent"
    return invoice


def ensure_editable(invoice):
    if not invoice.is_editable:
        raise Conflict(f"Invoice {invoice.display_number} is {invoice.status_label.lower()}; "
                       "only drafts can be edited. Void it or issue a credit instead.")


def format_number(studio, year, sequence):
    return f"{studio.invoice_prefix or 'INV'}-{year}-{sequence:03d}"


# ---------------------------------------------------------------- drafts

def _check_dates(studio, issue_date, due_date):
    issue_date = issue_date or local_today(studio)
    due_date = due_date or due_date_for(studio, issue_date)
    if due_date < issue_date:
        raise ValidationFailed("The due date is before the issue date.",
                               field_errors={"due_date": ["Must be on or after the issue date."]})
    return issue_date, due_date


def _line(studio, invoice, position, *, description, quantity=1, unit_price, kind="manual",
          lesson=None, student=None, billing_key=None, field_prefix=""):
    errors = validation.FieldErrors()
    description = errors.check(f"{field_prefix}description", validation.text, description,
                               max_length=300, required=True)
    quantity = errors.check(f"{field_prefix}quantity", validation.quantity, quantity)
    unit_price = errors.check(f"{field_prefix}unit_price", validation.money, unit_price, minimum=0)
    errors.raise_if_any()
    return InvoiceLineItem(
        id=uuid.uuid4(), studio_id=studio.id, invoice_id=invoice.id, position=position, kind=kind,
        description=description, quantity=quantity, unit_price=unit_price,
        total=line_total(quantity, unit_price), lesson_id=getattr(lesson, "id", None),
        student_id=getattr(student, "id", None), billing_key=billing_key,
    )


def _replace_lines(studio, invoice, line_items):
    if len(line_items) > MAX_LINES:
        raise ValidationFailed(field_errors={"line_items": [f"At most {MAX_LINES} lines."]})
    new_lines = [_line(studio, invoice, i, field_prefix=f"line_items.{i}.", **_line_fields(item))
                 for i, item in enumerate(line_items)]
    for line in list(invoice.line_items):
        _release_line(line)
    invoice.line_items = new_lines


def _line_fields(item):
    return {"description": item.get("description"), "quantity": item.get("quantity", 1),
            "unit_price": item.get("unit_price")}


def create_invoice(studio, actor, *, family, issue_date=None, due_date=None, line_items=(),
                   discount=ZERO, notes="", period_start=None, period_end=None):
    """A draft invoice for a family, at the studio's tax rate (kept on the invoice)."""
    family = by_id(studio, Family, family, "family", "family")
    issue_date, due_date = _check_dates(studio, issue_date, due_date)
    invoice = Invoice(
        id=uuid.uuid4(), studio_id=studio.id, family_id=family.id, family=family, status="draft",
        issue_date=issue_date, due_date=due_date, tax_rate=studio.tax_rate or ZERO,
        discount=amount_of(discount, "discount"),
        notes=validation.field("notes", validation.text, notes, max_length=5000),
        period_start=period_start, period_end=period_end, created_by_id=getattr(actor, "id", None),
        amount_paid=ZERO, credit_applied=ZERO,
    )
    invoice.line_items = []
    _replace_lines(studio, invoice, list(line_items))
    recalculate(invoice)
    db.session.add(invoice)
    db.session.flush()
    return invoice


def update_invoice(studio, actor, invoice, **changes):
    """Change a draft: dates, discount, notes, or all its lines (`line_items`)."""
    ensure_editable(invoice)
    if "family" in changes:
        family = by_id(studio, Family, changes.pop("family"), "family", "family")
        invoice.family_id, invoice.family = family.id, family
    issue_date = changes.pop("issue_date", invoice.issue_date)
    due_date = changes.pop("due_date", invoice.due_date)
    invoice.issue_date, invoice.due_date = _check_dates(studio, issue_date, due_date)
    if "discount" in changes:
        invoice.discount = amount_of(changes.pop("discount"), "discount")
    if "notes" in changes:
        invoice.notes = validation.field("notes", validation.text, changes.pop("notes"), max_length=5000)
    if "line_items" in changes:
        _replace_lines(studio, invoice, list(changes.pop("line_items")))
    if changes:
        raise ValidationFailed(field_errors={name: ["Unknown field."] for name in changes})
    recalculate(invoice)
    db.session.flush()
    return invoice


def add_line(studio, actor, invoice, *, description, quantity=1, unit_price, kind="manual"):
    ensure_editable(invoice)
    if len(invoice.line_items) >= MAX_LINES:
        raise ValidationFailed(f"An invoice has at most {MAX_LINES} lines.")
    position = max((line.position for line in invoice.line_items), default=-1) + 1
    line = _line(studio, invoice, position, description=description, quantity=quantity,
                 unit_price=unit_price, kind=kind)
    invoice.line_items.append(line)
    recalculate(invoice)
    db.session.flush()
    return line


def remove_line(studio, actor, invoice, line):
    """Take a line off a draft; a lesson it charged may be billed again."""
    ensure_editable(invoice)
    if line.invoice_id != invoice.id:
        raise ValidationFailed("This line belongs to another invoice.")
    _release_line(line)
    invoice.line_items.remove(line)
    recalculate(invoice)
    db.session.flush()


def delete_draft(studio, actor, invoice):
    """Delete a draft (it has no number yet, so numbering keeps no gap)."""
    if not invoice.is_draft:
        raise Conflict(f"Invoice {invoice.display_number} is issued; void it instead of deleting it.")
    for line in invoice.line_items:
        _release_line(line)
    db.session.delete(invoice)
    db.session.flush()


def _release_line(line):
    """The lesson (or tuition month) of `line` is no longer billed by it."""
    if line.lesson_id is not None:
        db.session.execute(update(Lesson).where(
            Lesson.studio_id == line.studio_id, Lesson.id == line.lesson_id,
            Lesson.billed_line_item_id == line.id,
        ).values(billed_line_item_id=None).execution_options(synchronize_session="fetch"))
    line.billing_key = None


# ---------------------------------------------------------------- credit

def credit_available(family) -> object:
    """The family's unused credit (overpayments, credit notes) as Decimal."""
    total = db.session.scalar(select(func.coalesce(func.sum(FamilyCredit.amount), 0)).where(
        FamilyCredit.studio_id == family.studio_id, FamilyCredit.family_id == family.id))
    return to_money(total)


def add_credit_entry(studio, actor, family, amount, kind, *, invoice=None, payment=None, note=""):
    entry = FamilyCredit(
        id=uuid.uuid4(), studio_id=studio.id, family_id=family.id, amount=to_money(amount),
        kind=kind, invoice_id=getattr(invoice, "id", None), payment_id=getattr(payment, "id", None),
        note=note[:300], created_by_id=getattr(actor, "id", None),
    )
    db.session.add(entry)
    return entry


def apply_credit(studio, actor, invoice):
    """Use the family's credit on an issued invoice's balance; returns the amount used."""
    family = lock(Family, invoice.family)
    amount = min(credit_available(family), invoice.balance_due)
    if amount <= ZERO:
        return ZERO
    add_credit_entry(studio, actor, family, -amount, "applied", invoice=invoice,
                     note=f"Applied to {invoice.display_number}")
    invoice.credit_applied += amount
    settle_status(invoice, local_today(studio))
    return amount


def credit_invoice(studio, actor, invoice, amount, reason=""):
    """A credit note on an issued invoice: lowers what the family owes on it."""
    if not invoice.is_open:
        raise Conflict(f"Invoice {invoice.display_number} is {invoice.status_label.lower()}; "
                       "credits go on sent, partially paid or overdue invoices.")
    invoice = lock(Invoice, invoice)
    amount = amount_of(amount, "amount", positive=True)
    if amount > invoice.balance_due:
        raise ValidationFailed(field_errors={"amount": [
            f"At most the balance due ({invoice.balance_due})."]})
    reason = validation.field("reason", validation.text, reason, max_length=300) or "Credit"
    add_credit_entry(studio, actor, invoice.family, amount, "credit_note", invoice=invoice,
                     note=reason)
    add_credit_entry(studio, actor, invoice.family, -amount, "applied", invoice=invoice,
                     note=f"Credit on {invoice.display_number}")
    invoice.credit_applied += amount
    settle_status(invoice, local_today(studio))
    audit.record(studio, actor, "invoice.credited", invoice, amount=str(amount), reason=reason)
    db.session.flush()
    return invoice


# ---------------------------------------------------------------- send and void

def take_number(studio, year):
    """The next number of the studio's sequence, under a lock on the studio row, so two
    invoices sent at the same moment never share a number and none is skipped."""
    locked = lock(Studio, studio)
    sequence = locked.next_invoice_number or 1
    locked.next_invoice_number = sequence + 1
    return format_number(locked, year, sequence)


def send_invoice(studio, actor, invoice, *, now=None, notify=True):
    """Issue a draft: number it, apply family credit, email the family (outbox) a link to
    the invoice and its PDF in the portal (`notify=False`: no email, for imports and demo
    data). Returns the invoice."""
    invoice = lock(Invoice, invoice)  # two clicks on "Send" number it once
    if not invoice.is_draft:
        raise Conflict(f"Invoice {invoice.display_number} was sent already.")
    if not invoice.line_items:
        raise Conflict("Add at least one line before sending the invoice.")
    now = now or utcnow()
    invoice.number = take_number(studio, invoice.issue_date.year)
    invoice.status, invoice.sent_at = "sent", now
    recalculate(invoice)
    announce_invoice("invoice.sent", invoice)
    settle_status(invoice, local_today(studio, now))
    apply_credit(studio, actor, invoice)
    audit.record(studio, actor, "invoice.sent", invoice, number=invoice.number,
                 total=str(invoice.total))
    db.session.flush()
    if notify:
        email_invoice(studio, invoice)
        bell.invoice_sent(studio, actor, invoice)
    return invoice


def recipients(family):
    """Where a family's bills go: the billing email, else the primary contact's."""
    if family.billing_email:
        return [family.billing_email]
    if family.primary_contact is not None:
        return [family.primary_contact.email]
    return [g.contact_email for g in family.guardians if g.contact_email][:1]


def invoice_links(invoice):
    """The portal page and PDF of an invoice, absolute (emails also go out from the job
    worker, outside any request, so the links are built from PUBLIC_BASE_URL)."""
    return (public_url("billing.invoice", invoice_id=invoice.id),
            public_url("billing.invoice_pdf", invoice_id=invoice.id))


def email_invoice(studio, invoice, *, subject=None, intro=None, dedupe_key=None):
    """Queue the invoice email to the family's billing address, its PDF attached when it is
    sent (made then, so it shows the invoice as it is), with how to pay by the studio's
    payment instructions and links to the invoice in the portal."""
    page, pdf = invoice_links(invoice)
    subject = subject or f"Invoice {invoice.number} from {studio.name}"
    emails = [send_templated(
        to, subject, "invoice", studio=studio, invoice=invoice, page_url=page, pdf_url=pdf,
        intro=intro or f"{studio.name} has sent you invoice {invoice.number}.",
        overdue=invoice.status == "overdue", filename=pdf_filename(invoice),
        attachment=f"{INVOICE_PDF}:{invoice.id}",
        dedupe_key=f"{dedupe_key}:{to}"[:120] if dedupe_key else None,
    ) for to in recipients(invoice.family)]
    return [email for email in emails if email is not None]


def void_invoice(studio, actor, invoice, reason="", *, now=None):
    """Cancel an issued invoice. It keeps its number; what was paid on it (and credit used
    on it) becomes family credit; its lessons may be billed again."""
    if invoice.is_draft:
        raise Conflict("Drafts are deleted, not voided.")
    if invoice.status == "void":
        raise Conflict(f"Invoice {invoice.number} is void already.")
    invoice = lock(Invoice, invoice)
    reason = validation.field("reason", validation.text, reason, max_length=500)
    settled = invoice.amount_paid + invoice.credit_applied
    if settled > ZERO:
        add_credit_entry(studio, actor, lock(Family, invoice.family), settled, "restored",
                         invoice=invoice, note=f"Paid on voided {invoice.number}")
    for line in invoice.line_items:
        _release_line(line)
    invoice.status, invoice.voided_at, invoice.void_reason = "void", now or utcnow(), reason
    invoice.balance_due = ZERO
    audit.record(studio, actor, "invoice.voided", invoice, number=invoice.number,
                 total=str(invoice.total), moved_to_credit=str(settled), reason=reason)
    db.session.flush()
    return invoice


# ---------------------------------------------------------------- overdue

def mark_overdue(studio, *, now=None):
    """The daily job for one studio: issued invoices past their due date with a balance
    become overdue; each gets the studio's late fee once (a `late_fee` line; the one change
    a sent invoice receives without a person) and one reminder email. Returns the invoices
    it changed; a second run the same day changes nothing."""
    now = now or utcnow()
    today = local_today(studio, now)
    charge = (studio.late_fee or ZERO) > ZERO
    pending = Invoice.status != "overdue"
    if charge:
        pending = or_(pending, Invoice.late_fee_applied_at.is_(None))
    due = db.session.scalars(select(Invoice).where(
        Invoice.studio_id == studio.id, Invoice.status.in_(OPEN_STATUSES),
        Invoice.due_date < today, Invoice.balance_due > 0, pending,
    ).order_by(Invoice.due_date, Invoice.id).with_for_update(skip_locked=True)).all()
    for invoice in due:
        invoice.status = "overdue"
        if charge and invoice.late_fee_applied_at is None:
            _add_late_fee(studio, invoice, now)
        audit.record(studio, None, "invoice.overdue", invoice, number=invoice.number,
                     balance_due=str(invoice.balance_due))
        email_invoice(studio, invoice, subject=f"Invoice {invoice.number} is overdue",
                      intro=f"Invoice {invoice.number} from {studio.name} is past its due date.",
                      dedupe_key=f"invoice-overdue:{invoice.id}")
        bell.invoice_overdue(studio, invoice)
    db.session.flush()
    return due


def _add_late_fee(studio, invoice, now):
    position = max((line.position for line in invoice.line_items), default=-1) + 1
    invoice.line_items.append(_line(
        studio, invoice, position, kind="late_fee", unit_price=studio.late_fee,
        description=f"Late fee (due {date_filter(invoice.due_date, 'medium', studio)})",
        billing_key=f"late_fee:{invoice.id}"))
    invoice.late_fee_applied_at = now
    recalculate(invoice)
    audit.record(studio, None, "invoice.late_fee", invoice, amount=str(studio.late_fee))


# ---------------------------------------------------------------- reading

def _families_named(studio_id, text):
    return select(Family.id).where(Family.studio_id == studio_id, matches(text, Family.search_text))


def search_invoices(stmt, text, studio_id=None):
    """Narrow a SELECT of invoices to those whose number or family (name, billing email)
    contains `text`, whatever its case and accents."""
    from sqlalchemy import func, or_

    families = _families_named(studio_id or current_studio().id, text)
    return stmt.where(or_(matches(text, func.lower(Invoice.number)), Invoice.family_id.in_(families)))


def search_payments(stmt, text, studio_id=None):
    """Narrow a SELECT of payments to those whose family name or transaction id contains
    `text`."""
    from sqlalchemy import func, or_

    from app.billing.models import Payment

    families = _families_named(studio_id or current_studio().id, text)
    return stmt.where(or_(matches(text, func.lower(Payment.transaction_id)), Payment.family_id.in_(families)))


def filter_invoices(stmt, *, status=None, family=None, start_date=None, end_date=None,
                    search=None, studio_id=None):
    """Narrow a SELECT of invoices, as the invoice list (page and API) filters it: by status,
    family, issue dates start_date..end_date (inclusive) and number or family name."""
    if status:
        stmt = stmt.where(Invoice.status == status)
    if family:
        stmt = stmt.where(Invoice.family_id == family)
    if start_date:
        stmt = stmt.where(Invoice.issue_date >= start_date)
    if end_date:
        stmt = stmt.where(Invoice.issue_date <= end_date)
    if search:
        stmt = search_invoices(stmt, search, studio_id)
    return stmt


def filter_payments(stmt, studio, *, invoice=None, family=None, method=None, start_date=None,
                    end_date=None, search=None):
    """Narrow a SELECT of payments, as the payment list (page and API) filters it: by invoice,
    family, method, the studio's local dates start_date..end_date (inclusive) and family name
    or transaction id."""
    if invoice:
        stmt = stmt.where(Payment.invoice_id == invoice)
    if family:
        stmt = stmt.where(Payment.family_id == family)
    if method:
        stmt = stmt.where(Payment.method == method)
    if start_date:
        stmt = stmt.where(Payment.paid_at >= day_bounds(studio, start_date, start_date)[0])
    if end_date:
        stmt = stmt.where(Payment.paid_at < day_bounds(studio, end_date, end_date)[1])
    if search:
        stmt = search_payments(stmt, search, studio.id)
    return stmt
