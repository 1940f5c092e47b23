"""Loaders shared by the billing pages and API: find an object the caller may see (404
otherwise) before any input is validated."""
from sqlalchemy.orm import selectinload

from app.billing import policies
from app.billing.models import Invoice, InvoiceLineItem, Payment
from app.core.errors import NotFound
from app.core.permissions import can
from app.core.tenancy import get_or_404, scoped
from app.people.models import Family
from app.people.services import own_teacher_profile, visible_families


def visible_invoice(invoice_id):
    """The invoice with its payments and their refunds (its balance and page read them)."""
    stmt = policies.visible_invoices().options(
        selectinload(Invoice.payments).selectinload(Payment.refunds))
    return get_or_404(Invoice, invoice_id, stmt=stmt)


def invoice_line(invoice, line_id):
    stmt = scoped(InvoiceLineItem).where(InvoiceLineItem.invoice_id == invoice.id)
    return get_or_404(InvoiceLineItem, line_id, stmt=stmt)


def visible_payment(payment_id):
    return get_or_404(Payment, payment_id, stmt=policies.visible_payments())


def payable_family(family_id):
    """A family whose account the caller may take a payment against (404 otherwise)."""
    return get_or_404(Family, family_id, stmt=visible_families())


def hours_scope(requested):
    """Managers see every teacher (or the one asked for); a teacher only themself."""
    if can("reports.view"):
        return requested
    own = own_teacher_profile()
    if own is None or (requested is not None and requested != own.id):
        raise NotFound("Teacher not found.")
    return own.id
