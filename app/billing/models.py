"""Invoices, their lines, payments and family credit.

Numbers: an invoice gets its number (`INV-2025-001`) when it is sent, from the studio's
counter under a row lock, so issued invoices are numbered without gaps and a number is never
reused (voided invoices keep theirs). Drafts have no number and may be deleted.

Amounts are Numeric(12, 2) and Decimal in Python; `balance_due = total - amount_paid -
credit_applied` and never goes below zero: what a family pays beyond it becomes FamilyCredit.
"""
import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import sync
from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime, utcnow
from app.core.money import ZERO
from app.extensions import db

INVOICE_STATUSES = ("draft", "sent", "partially_paid", "paid", "overdue", "void")
OPEN_STATUSES = ("sent", "partially_paid", "overdue")  # issued and not settled
PAYABLE_STATUSES = OPEN_STATUSES
LINE_KINDS = ("lesson", "tuition", "late_fee", "manual", "rental")
PAYMENT_METHODS = ("cash", "check", "credit_card", "bank_transfer", "other")
METHOD_LABELS = {"cash": "Cash", "check": "Check", "credit_card": "Credit card",
                 "bank_transfer": "Bank transfer", "other": "Other"}
STATUS_LABELS = {"draft": "Draft", "sent": "Sent", "partially_paid": "Partially paid",
                 "paid": "Paid", "overdue": "Overdue", "void": "Void"}
CREDIT_KINDS = ("overpayment", "applied", "credit_note", "restored", "refund", "adjustment")


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _money_column(**kwargs):
    return mapped_column(sa.Numeric(12, 2), default=ZERO, server_default="0", **kwargs)


class Invoice(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A bill to one family. Drafts are editable; once sent only payments, a credit,
    the overdue job (status and late fee) or voiding change it."""

    family_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("family.id", ondelete="RESTRICT")
    )
    number: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft", server_default="draft")
    issue_date: Mapped[date] = mapped_column(sa.Date)
    due_date: Mapped[date] = mapped_column(sa.Date)
    # Billing period of an auto-generated invoice (informational).
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    # The studio's rate when the invoice was made; later rate changes leave it alone.
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=ZERO, server_default="0")
    subtotal: Mapped[Decimal] = _money_column()
    discount: Mapped[Decimal] = _money_column()
    tax: Mapped[Decimal] = _money_column()
    total: Mapped[Decimal] = _money_column()
    amount_paid: Mapped[Decimal] = _money_column()
    credit_applied: Mapped[Decimal] = _money_column()
    balance_due: Mapped[Decimal] = _money_column()
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    late_fee_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    family = relationship("Family", lazy="joined", innerjoin=True)
    line_items: Mapped[list["InvoiceLineItem"]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(InvoiceLineItem.position, InvoiceLineItem.created_at)", lazy="selectin",
    )
    payments: Mapped[list["Payment"]] = relationship(
        back_populates="invoice", order_by="(Payment.paid_at, Payment.created_at)",
    )

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "number"),
        sa.Index("ix_invoice_studio_family_issue", "studio_id", "family_id", "issue_date"),
        # Covering indexes: the reports add up open balances and invoiced totals from the index.
        sa.Index("ix_invoice_studio_status_due_balance", "studio_id", "status", "due_date",
                 "family_id", "balance_due"),
        sa.Index("ix_invoice_studio_issue_total", "studio_id", "issue_date", "status", "total"),
        # The invoice lists: newest first, ties by id, one page read straight off the index.
        sa.Index("ix_invoice_studio_issue_id", "studio_id", "issue_date", "id"),
        sa.Index("ix_invoice_studio_updated_id", "studio_id", "updated_at", "id"),  # sync (updated_since)
        sa.CheckConstraint(f"status IN {_in(INVOICE_STATUSES)}", name="status"),
        sa.CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        sa.CheckConstraint("discount >= 0 AND subtotal >= 0 AND tax >= 0 AND total >= 0",
                           name="amounts_positive"),
        sa.CheckConstraint("amount_paid >= 0 AND credit_applied >= 0 AND balance_due >= 0",
                           name="balance_positive"),
        sa.CheckConstraint("status = 'draft' OR number IS NOT NULL", name="issued_has_number"),
    )

    @property
    def is_draft(self):
        return self.status == "draft"

    @property
    def is_editable(self):
        return self.status == "draft"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def accepts_payments(self):
        return self.status in PAYABLE_STATUSES

    @property
    def is_voidable(self):
        return self.status != "void"

    @property
    def display_number(self):
        return self.number or "Draft"

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def amount_settled(self):
        return self.amount_paid + self.credit_applied

    def days_overdue(self, today):
        return max(0, (today - self.due_date).days)

    def __repr__(self):
        return f"<Invoice {self.number or self.id} {self.status}>"


class InvoiceLineItem(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """One line: quantity × unit price, rounded half-up to the cent.

    `billing_key` says what the line charges for ("lesson:<lesson>:<student>",
    "tuition:<student>:<YYYY-MM>", "rental:<checkout>:<YYYY-MM>") and is unique per studio, so
    a lesson or a month of tuition or rent is never billed twice, also under concurrent runs.
    Voiding the invoice clears the key (the lesson may be billed again); `lesson_id` stays for
    the record.
    """

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("invoice.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    kind: Mapped[str] = mapped_column(sa.String(12), default="manual", server_default="manual")
    description: Mapped[str] = mapped_column(sa.String(300))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2), default=Decimal(1))
    unit_price: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    total: Mapped[Decimal] = _money_column()
    lesson_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("lesson.id", ondelete="SET NULL")
    )
    student_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="SET NULL")
    )
    billing_key: Mapped[str | None] = mapped_column(sa.String(120))

    invoice: Mapped[Invoice] = relationship(back_populates="line_items")
    lesson = relationship("Lesson")
    student = relationship("Student")

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "billing_key"),
        sa.Index("ix_invoice_line_item_studio_invoice", "studio_id", "invoice_id"),
        sa.Index("ix_invoice_line_item_invoice", "invoice_id"),  # Invoice.line_items (selectin)
        sa.Index("ix_invoice_line_item_studio_lesson", "studio_id", "lesson_id"),
        sa.CheckConstraint(f"kind IN {_in(LINE_KINDS)}", name="kind"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price >= 0", name="unit_price_positive"),
    )


class Payment(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """Money received for an invoice, or (negative, `refund_of` set) paid back.

    `credit_amount` is the part of a payment beyond the invoice's balance; it went to the
    family's credit. The rest (`applied_amount`) counts in the invoice's `amount_paid`.
    """

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("invoice.id", ondelete="RESTRICT")
    )
    family_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("family.id", ondelete="RESTRICT")
    )
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    credit_amount: Mapped[Decimal] = _money_column()
    method: Mapped[str] = mapped_column(sa.String(16))
    transaction_id: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    refund_of_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("payment.id", ondelete="RESTRICT")
    )

    invoice: Mapped[Invoice] = relationship(back_populates="payments", lazy="joined",
                                            innerjoin=True)
    family = relationship("Family")
    recorded_by = relationship("User")
    refund_of: Mapped["Payment | None"] = relationship(remote_side="Payment.id",
                                                       back_populates="refunds")
    refunds: Mapped[list["Payment"]] = relationship(back_populates="refund_of")

    __table_args__ = (
        sa.Index("ix_payment_studio_paid_amount", "studio_id", "paid_at", "method", "amount"),  # reports
        sa.Index("ix_payment_studio_paid_id", "studio_id", "paid_at", "id"),  # the payment lists
        sa.Index("ix_payment_studio_updated_id", "studio_id", "updated_at", "id"),  # sync
        sa.Index("ix_payment_studio_invoice", "studio_id", "invoice_id"),
        sa.Index("ix_payment_invoice", "invoice_id"),  # Invoice.payments loads by invoice_id alone
        sa.Index("ix_payment_studio_family_paid", "studio_id", "family_id", "paid_at"),
        sa.CheckConstraint(f"method IN {_in(PAYMENT_METHODS)}", name="method"),
        sa.CheckConstraint("amount <> 0", name="amount_nonzero"),
        sa.CheckConstraint("(refund_of_id IS NULL AND amount > 0) OR "
                           "(refund_of_id IS NOT NULL AND amount < 0)", name="refund_negative"),
        sa.CheckConstraint("credit_amount >= 0", name="credit_positive"),
    )

    @property
    def is_refund(self):
        return self.refund_of_id is not None

    @property
    def method_label(self):
        return METHOD_LABELS[self.method]

    @property
    def applied_amount(self):
        """What this payment (or refund, negative) changed on the invoice's amount paid."""
        return self.amount + self.credit_amount if self.is_refund else self.amount - self.credit_amount

    @property
    def refunded_amount(self):
        return -sum((r.amount for r in self.refunds), ZERO)

    @property
    def refundable_amount(self):
        return self.amount - self.refunded_amount if not self.is_refund else ZERO


class FamilyCredit(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """The family's credit ledger: signed entries whose sum is the credit available.

    overpayment (+, a payment beyond the balance), applied (-, used on an invoice),
    credit_note (+, granted on a sent invoice, then applied), restored (+, credit given back
    when its invoice is voided, or payments of a voided invoice), refund (-, paid back).
    """

    family_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("family.id", ondelete="CASCADE")
    )
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    kind: Mapped[str] = mapped_column(sa.String(16))
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("invoice.id", ondelete="SET NULL")
    )
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("payment.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    invoice = relationship("Invoice")
    # Declared so the unit of work inserts the payment before its credit entry.
    payment = relationship("Payment")

    __table_args__ = (
        sa.Index("ix_family_credit_studio_family", "studio_id", "family_id", "created_at"),
        sa.CheckConstraint(f"kind IN {_in(CREDIT_KINDS)}", name="kind"),
        sa.CheckConstraint("amount <> 0", name="amount_nonzero"),
    )


# An invoice as the API shows it holds its lines and payments: a change to one is a change to it.
sync.bumps(InvoiceLineItem, "invoice_id", Invoice)
sync.bumps(Payment, "invoice_id", Invoice)
