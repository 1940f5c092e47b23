"""Billing pages: invoices, the draft editor, auto-invoicing, payments, statements, reports,
and the parents' portal (their family's invoices, payments and balance)."""
from flask import Blueprint

billing_bp = Blueprint("billing", __name__)

from app.billing.views import activity_reports, invoices, payments, portal, reports  # noqa: E402, F401
