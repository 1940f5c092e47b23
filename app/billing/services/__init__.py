"""Billing verbs the HTML views, the API and the jobs share. They flush; the request commits."""
from app.billing.services.balances import (
    credits,
    family_account,
    family_balances,
    open_balances,
    statement,
)
from app.billing.services.common import due_date_for
from app.billing.services.emails import email_receipt, invoice_pdf_attachment
from app.billing.services.generation import (
    check_period,
    default_period,
    generate_invoices,
    plan_invoices,
)
from app.billing.services.invoices import (
    INVOICE_PDF,
    add_line,
    apply_credit,
    create_invoice,
    credit_available,
    credit_invoice,
    delete_draft,
    email_invoice,
    filter_invoices,
    filter_payments,
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
from app.billing.services.payments import (
    open_invoices,
    record_payment,
    refund_payment,
    refundable,
    take_family_payment,
)
from app.billing.services.sending import drafts_total, period_drafts, send_drafts

__all__ = [
    "add_line", "apply_credit", "check_period", "create_invoice", "credit_available", "credit_invoice",
    "credits", "default_period", "delete_draft", "drafts_total", "due_date_for", "email_invoice",
    "email_receipt", "invoice_pdf_attachment", "INVOICE_PDF",
    "family_account", "family_balances", "filter_invoices", "filter_payments",
    "generate_invoices", "mark_overdue", "open_balances", "open_invoices", "period_drafts",
    "plan_invoices", "recalculate", "record_payment", "refund_payment", "refundable",
    "remove_line", "search_invoices", "search_payments", "send_drafts", "send_invoice",
    "settle_status", "statement", "take_family_payment", "update_invoice", "void_invoice",
]
