"""Studios (tenants), users, memberships, invitations and API refresh tokens."""
import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime, utcnow
from app.core.permissions import ROLES
from app.extensions import db

BILLING_MODES = ("after_attended", "in_advance", "monthly_flat")


class Studio(IdMixin, TimestampMixin, db.Model):
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/New_York")
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    locale: Mapped[str] = mapped_column(sa.String(16), default="en_US")
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0.00"))

    invoice_prefix: Mapped[str] = mapped_column(sa.String(16), default="INV")
    next_invoice_number: Mapped[int] = mapped_column(sa.Integer, default=1)
    invoice_due_days: Mapped[int] = mapped_column(sa.Integer, default=14)
    late_fee: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), default=Decimal("0.00"))
    billing_mode: Mapped[str] = mapped_column(sa.String(20), default="after_attended")

    cancellation_notice_hours: Mapped[int] = mapped_column(sa.Integer, default=24)
    makeup_credits_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    makeup_credit_expiry_days: Mapped[int] = mapped_column(sa.Integer, default=60)
    lesson_buffer_minutes: Mapped[int] = mapped_column(sa.Integer, default=0)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="studio", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="tax_rate_range"),
        sa.CheckConstraint(f"billing_mode IN {BILLING_MODES}", name="billing_mode"),
    )

    def __repr__(self):
        return f"<Studio {self.slug}>"


class User(IdMixin, TimestampMixin, UserMixin, db.Model):
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-cased
    first_name: Mapped[str] = mapped_column(sa.String(80), default="")
    last_name: Mapped[str] = mapped_column(sa.String(80), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    avatar: Mapped[str] = mapped_column(sa.String(500), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preferences: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Bumped when the password changes, so other browser sessions end.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Membership.created_at",
    )

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    def membership_in(self, studio_id):
        return next((m for m in self.memberships if m.studio_id == studio_id), None)

    def __repr__(self):
        return f"<User {self.email}>"


class Membership(IdMixin, TimestampMixin, TenantMixin, db.Model):
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(16))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    studio: Mapped[Studio] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "user_id"),
        sa.CheckConstraint(f"role IN {ROLES}", name="role"),
    )


class Invitation(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """An emailed link that lets a person join a studio with a role."""

    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(16))
    # Looked up by token alone (the link carries no studio), hence its own index; the
    # uniqueness rule itself starts with studio_id like every tenant constraint.
    token_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    studio: Mapped[Studio] = relationship()
    invited_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "token_hash"),
        sa.Index("ix_invitation_studio_email", "studio_id", "email"),
        sa.CheckConstraint(f"role IN {ROLES}", name="role"),
    )

    @property
    def is_pending(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()


class RefreshToken(IdMixin, TimestampMixin, db.Model):
    """Every refresh token issued to the API. Rotation revokes the old one; reusing a
    rotated token revokes its whole family (a stolen token stops working for both sides)."""

    jti: Mapped[str] = mapped_column(sa.String(64), unique=True)
    family_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_by_jti: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship()


