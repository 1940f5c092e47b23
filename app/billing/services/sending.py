"""Sending every draft of a billing period at once, through `send_invoice` (numbering,
credit, the email through the outbox). A draft that cannot be sent stays a draft and is
reported with the reason; the others go out. The reasons are checked before sending (under
the invoice's lock), as a DomainError would fail the whole request."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.billing.models import Invoice
from app.billing.services.generation import check_period
from app.billing.services.invoices import recipients, send_invoice
from app.core.db import lock
from app.core.money import ZERO
from app.extensions import db
from app.people.models import Family


@dataclass
class SendResult:
    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (invoice, reason)


def period_drafts(studio, period_start, period_end):
    """The drafts billing a period inside `period_start`–`period_end` (auto-invoicing sets
    the period on each draft), by family name."""
    check_period(period_start, period_end)
    return db.session.scalars(
        select(Invoice).join(Family, Family.id == Invoice.family_id)
        .where(Invoice.studio_id == studio.id, Invoice.status == "draft",
               Invoice.period_start >= period_start, Invoice.period_end <= period_end)
        .options(selectinload(Invoice.line_items),
                 selectinload(Invoice.family).selectinload(Family.guardians))
        .order_by(Family.name, Invoice.id)
    ).all()


def drafts_total(invoices):
    return sum((invoice.total for invoice in invoices), ZERO)


def send_drafts(studio, actor, period_start, period_end, *, now=None):
    """Send every draft of the period. A draft without lines, sent meanwhile, or whose family
    has no email address to send it to, is reported in `failed` with the reason."""
    result = SendResult()
    for invoice in period_drafts(studio, period_start, period_end):
        reason = _cannot_send(lock(Invoice, invoice))
        if reason:
            result.failed.append((invoice, reason))
        else:
            result.sent.append(send_invoice(studio, actor, invoice, now=now))
    return result


def _cannot_send(invoice):
    if not invoice.is_draft:
        return f"It was sent meanwhile, as {invoice.display_number}."
    if not invoice.line_items:
        return "It has no lines; add one or delete the draft."
    if not recipients(invoice.family):
        return (f"{invoice.family.name} has no billing or contact email address; add one, "
                "then send it.")
    return ""
