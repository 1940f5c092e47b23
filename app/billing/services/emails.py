"""What billing emails besides the invoice itself: the receipt of a payment, and the invoice
PDF an invoice email carries (made by the outbox when it sends the email)."""
import hashlib
import uuid

from app.accounts.models import Studio
from app.billing.models import Invoice
from app.billing.pdf import invoice_pdf, pdf_filename
from app.billing.services.invoices import invoice_links, recipients
from app.core.formatting import money_filter
from app.core.links import public_url
from app.extensions import db
from app.messaging.services import send_templated


def invoice_pdf_attachment(invoice_id, studio_id):
    """(filename, content type, bytes) of an invoice's PDF for the outbox, which calls it
    for an email's attachment "invoice-pdf:<invoice id>"; the invoice must be the email's
    studio's (LookupError otherwise: the email is retried, then given up)."""
    invoice = db.session.get(Invoice, uuid.UUID(invoice_id))
    if invoice is None or invoice.studio_id != studio_id:
        raise LookupError(f"invoice {invoice_id} is not in the email's studio")
    data, _digest = invoice_pdf(db.session.get(Studio, studio_id), invoice)
    return pdf_filename(invoice), "application/pdf", data


def email_receipt(studio, payments):
    """Queue a receipt for money a family paid: `payments` are the Payments one sum was
    recorded as (one per invoice it paid, oldest first); what went to credit is said too.
    Once per payment, whatever retries the request: the first payment keys it."""
    first = payments[0]
    invoice = first.invoice
    lines = [{"invoice": p.invoice, "applied": p.applied_amount} for p in payments]
    url = invoice_links(invoice)[0] if len(payments) == 1 else public_url("billing.invoices")
    amount = sum(p.amount for p in payments)
    emails = [send_templated(
        to, f"Receipt: {money_filter(amount, studio)} paid to {studio.name}", "payment_receipt",
        studio=studio, family=invoice.family, amount=amount, paid_at=first.paid_at,
        method=first.method_label, reference=first.transaction_id, lines=lines,
        to_credit=sum(p.credit_amount for p in payments), url=url,
        dedupe_key=f"payment-receipt:{first.id}:{hashlib.sha256(to.encode()).hexdigest()[:16]}",
    ) for to in recipients(invoice.family)]
    return [email for email in emails if email is not None]
