"""Billing verbs the HTML views, the API and the jobs share. They flush; the request commits."""
from app.billing.services.balances import (
    credits,
    family_account,
    family_balances,
    open_balances,
    statement,
)
from app.billing.services.generation import generate_invoices, plan_invoices
from app.billing.services.invoices import (
    add_line,
    apply_credit,
    create_invoice,
    credit_available,
    credit_invoice,
    delete_draft,
    email_invoice,
    mark_overdue,
    recalculate,
    remove_line,
    search_invoices,
    search_payments,
    send_invoice,
    settle_status,
    update_invoice,
    void_invoice,
)
from app.billing.services.payments import record_payment, refund_payment, refundable

__all__ = [
    "add_line", "apply_credit", "create_invoice", "credit_available", "credit_invoice",
    "credits", "delete_draft", "email_invoice", "family_account", "family_balances",
    "generate_invoices", "mark_overdue", "open_balances", "plan_invoices", "recalculate",
    "record_payment", "refund_payment", "refundable", "remove_line", "search_invoices", "search_payments",
    "send_invoice",
    "settle_status", "statement", "update_invoice", "void_invoice",
]
