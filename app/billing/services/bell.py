"""What the bell tells a family's guardians about its bills: an invoice sent, a payment
received, an invoice overdue. Each has its email already (the invoice, the receipt, the
overdue reminder), so these stay in the app."""
from app.core.formatting import money_filter
from app.messaging.services import family_user_ids, link_to, notify


def _tell_guardians(studio, actor, invoice, kind, title, message, *, dedupe_key=None):
    users = [user_id for user_id in family_user_ids(studio, family_ids=[invoice.family_id])
             if user_id != getattr(actor, "id", None)]
    return notify(studio, users, kind, title, message,
                  link_to("billing.invoice", invoice_id=invoice.id), dedupe_key=dedupe_key,
                  email=False)


def invoice_sent(studio, actor, invoice):
    return _tell_guardians(
        studio, actor, invoice, "invoice_sent", f"Invoice {invoice.number} from {studio.name}",
        f"{money_filter(invoice.balance_due, studio)} due by the due date.",
        dedupe_key=f"invoice-sent:{invoice.id}")


def payment_received(studio, actor, payment, invoice):
    return _tell_guardians(
        studio, actor, invoice, "payment_received",
        f"Payment received: {money_filter(payment.amount, studio)}",
        f"Recorded on invoice {invoice.number}; "
        f"{money_filter(invoice.balance_due, studio)} left to pay.")


def invoice_overdue(studio, invoice):
    return _tell_guardians(
        studio, None, invoice, "invoice_overdue", f"Invoice {invoice.number} is overdue",
        f"{money_filter(invoice.balance_due, studio)} is past its due date.",
        dedupe_key=f"invoice-overdue:{invoice.id}")
