"""What the billing events carry (app/core/webhook_events.py), named as the API names them:
money as strings with two decimals."""
from app.core.webhook_events import emit, snapshot

INVOICE_FIELDS = (
    "id", ("invoice_number", "number"), ("family", "family_id"), "status", "issue_date",
    "due_date", "period_start", "period_end", "subtotal", "discount", "tax_rate", "tax", "total",
    "amount_paid", "credit_applied", "balance_due", "sent_at", "created_at", "updated_at",
)
PAYMENT_FIELDS = (
    "id", ("invoice", "invoice_id"), ("invoice_number", "invoice.number"), ("family", "family_id"),
    "amount", ("to_credit", "credit_amount"), ("payment_method", "method"), "transaction_id",
    "paid_at", ("recorded_by", "recorded_by_id"), ("refund_of", "refund_of_id"), "created_at",
)


def announce_invoice(event, invoice):
    return emit(invoice.studio_id, event, invoice, snapshot(invoice, INVOICE_FIELDS))


def announce_payment(event, payment):
    """`payment.recorded`, for a payment and for a refund (a negative amount, `refund_of`)."""
    return emit(payment.studio_id, event, payment, snapshot(payment, PAYMENT_FIELDS))
