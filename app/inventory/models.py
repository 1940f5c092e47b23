"""The studio's lendable things and who has them.

An item counts `quantity` units, of which `available_quantity` are on the shelf. Approving
a checkout takes its units off the shelf (a guarded UPDATE that never goes below zero, also
under concurrent approvals); returning puts them back. A checkout moves
requested -> approved -> checked_out (handed out) -> returned, or requested -> rejected /
cancelled; a checked-out one past its due date is marked overdue by the daily job.
"""
import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime
from app.core.files import StoredFile  # noqa: F401 - photos relate to it by name
from app.core.search import Searchable
from app.extensions import db

ITEM_CATEGORIES = ("instrument", "equipment", "accessory", "book", "other")
ITEM_STATUSES = ("available", "checked_out", "maintenance", "retired")
ITEM_CONDITIONS = ("new", "excellent", "good", "fair", "poor", "damaged")
CHECKOUT_STATUSES = ("requested", "approved", "checked_out", "overdue", "returned", "rejected",
                     "cancelled")
# Checkouts holding units off the shelf.
OPEN_CHECKOUT_STATUSES = ("approved", "checked_out", "overdue")
# A waiting request or a loan: a student has at most one of an item at a time.
CURRENT_CHECKOUT_STATUSES = ("requested", *OPEN_CHECKOUT_STATUSES)
CHECKOUT_STATUS_LABELS = {"requested": "Requested", "approved": "Approved", "checked_out": "Out",
                          "overdue": "Overdue", "returned": "Returned", "rejected": "Rejected",
                          "cancelled": "Cancelled"}
MAX_CHECKOUT_DAYS = 365


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class InventoryItem(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    search_fields = ("name", "serial_number", "location", "category")

    name: Mapped[str] = mapped_column(sa.String(120))
    category: Mapped[str] = mapped_column(sa.String(16), default="instrument")
    quantity: Mapped[int] = mapped_column(sa.Integer, default=1)
    available_quantity: Mapped[int] = mapped_column(sa.Integer, default=1)
    condition: Mapped[str] = mapped_column(sa.String(16), default="good")
    location: Mapped[str] = mapped_column(sa.String(120), default="")
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    serial_number: Mapped[str] = mapped_column(sa.String(80), default="")
    is_borrowable: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    max_checkout_days: Mapped[int] = mapped_column(sa.Integer, default=14)
    # Optional rent per month a unit is out, billed on the borrower's family invoice.
    rental_fee: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    status: Mapped[str] = mapped_column(sa.String(16), default="available")
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    photos: Mapped[list["ItemPhoto"]] = relationship(
        back_populates="item", cascade="all, delete-orphan",
        order_by="(ItemPhoto.is_primary.desc(), ItemPhoto.created_at)",
    )

    __table_args__ = (
        sa.Index("ix_inventory_item_studio_name", "studio_id", "name"),
        sa.CheckConstraint(f"category IN {_in(ITEM_CATEGORIES)}", name="category"),
        sa.CheckConstraint(f"status IN {_in(ITEM_STATUSES)}", name="status"),
        sa.CheckConstraint(f"condition IN {_in(ITEM_CONDITIONS)}", name="condition"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        sa.CheckConstraint("available_quantity >= 0 AND available_quantity <= quantity",
                           name="available_within_quantity"),
        sa.CheckConstraint(f"max_checkout_days >= 1 AND max_checkout_days <= {MAX_CHECKOUT_DAYS}",
                           name="max_checkout_days_range"),
        sa.CheckConstraint("value IS NULL OR value >= 0", name="value_not_negative"),
        sa.CheckConstraint("rental_fee IS NULL OR rental_fee >= 0", name="rental_fee_not_negative"),
    )

    @property
    def primary_photo(self):
        return next((photo for photo in self.photos if photo.is_primary), None)

    def __repr__(self):
        return f"<InventoryItem {self.name} {self.available_quantity}/{self.quantity}>"


class ItemPhoto(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A photo of an item, re-encoded without EXIF, with a server-made thumbnail. Exactly one
    photo of an item with photos is primary (a partial unique index keeps it to one)."""

    item_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("inventory_item.id", ondelete="CASCADE")
    )
    file_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("stored_file.id", ondelete="RESTRICT")
    )
    thumbnail_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("stored_file.id", ondelete="RESTRICT")
    )
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    is_primary: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    item: Mapped[InventoryItem] = relationship(back_populates="photos")
    file = relationship("StoredFile", foreign_keys=[file_id], lazy="joined", innerjoin=True)
    thumbnail = relationship("StoredFile", foreign_keys=[thumbnail_id], lazy="joined",
                             innerjoin=True)

    __table_args__ = (
        sa.Index("ix_item_photo_item", "item_id"),
        sa.Index("uq_item_photo_one_primary", "item_id", unique=True,
                 postgresql_where=sa.text("is_primary"), sqlite_where=sa.text("is_primary")),
    )


class Checkout(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """Units of one item lent to one student."""

    __tablename__ = "inventory_checkout"

    item_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("inventory_item.id", ondelete="CASCADE")
    )
    student_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="CASCADE")
    )
    quantity: Mapped[int] = mapped_column(sa.Integer, default=1)
    status: Mapped[str] = mapped_column(sa.String(12), default="requested")
    notes: Mapped[str] = mapped_column(sa.Text, default="")  # the request's note
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str] = mapped_column(sa.Text, default="")
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    condition_out: Mapped[str | None] = mapped_column(sa.String(16))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_to_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    condition_on_return: Mapped[str | None] = mapped_column(sa.String(16))
    return_note: Mapped[str] = mapped_column(sa.Text, default="")

    item: Mapped[InventoryItem] = relationship(lazy="joined", innerjoin=True)
    student = relationship("Student", lazy="joined", innerjoin=True)
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    returned_to = relationship("User", foreign_keys=[returned_to_id])

    __table_args__ = (
        sa.Index("ix_inventory_checkout_studio_status", "studio_id", "status", "due_date"),
        sa.Index("ix_inventory_checkout_item_created", "item_id", "created_at"),
        sa.Index("ix_inventory_checkout_student_created", "student_id", "created_at"),
        sa.CheckConstraint(f"status IN {_in(CHECKOUT_STATUSES)}", name="status"),
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
        sa.CheckConstraint(f"condition_out IS NULL OR condition_out IN {_in(ITEM_CONDITIONS)}",
                           name="condition_out"),
        sa.CheckConstraint(
            f"condition_on_return IS NULL OR condition_on_return IN {_in(ITEM_CONDITIONS)}",
            name="condition_on_return"),
    )

    @property
    def is_current(self):
        return self.status in CURRENT_CHECKOUT_STATUSES

    @property
    def status_label(self):
        return CHECKOUT_STATUS_LABELS[self.status]

    def __repr__(self):
        return f"<Checkout {self.item_id} {self.student_id} {self.status}>"
