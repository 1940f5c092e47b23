"""Billing: invoices, auto-invoicing from lessons, payments, family credit, PDFs, reports."""
