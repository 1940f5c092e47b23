"""Studios (tenants), users, memberships, invitations, sign-ins and API refresh tokens."""
import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime, utcnow
from app.core.permissions import ROLES
from app.core.search import Searchable
from app.extensions import db

BILLING_MODES = ("after_attended", "in_advance", "monthly_flat")
# What parents and students see of the other children in a group lesson.
CLASSMATE_NAMES = ("first_name", "hidden")


class Studio(IdMixin, TimestampMixin, Searchable, db.Model):
    search_fields = ("name",)

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

    # Privacy: classmates' first names (or nothing) for families; teachers see the students
    # they teach and those students' families unless this widens it to the whole studio.
    classmate_names: Mapped[str] = mapped_column(sa.String(12), default="first_name",
                                                 server_default="first_name")
    teachers_see_all_students: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                                            server_default=sa.false())

    # Studio details printed on invoices: where it is, its tax id, how families pay.
    address_line1: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    address_line2: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    city: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    region: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    postal_code: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    country: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    tax_id: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    payment_instructions: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The logo as a re-encoded PNG, loaded only when served or printed; its digest names
    # the version (for URLs and caches) and says whether there is one without loading it.
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    logo_digest: Mapped[str | None] = mapped_column(sa.String(16))
    # Room for uploaded files (resource library, item photos), in MiB; settings show the use.
    # Lesson reminders go this many hours before a lesson (0: none).
    reminder_lead_hours: Mapped[int] = mapped_column(sa.Integer, default=24, server_default="24")
    storage_quota_mb: Mapped[int] = mapped_column(sa.Integer, default=5120, server_default="5120")
    checklist_dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="studio", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="tax_rate_range"),
        sa.CheckConstraint(f"billing_mode IN {BILLING_MODES}", name="billing_mode"),
        sa.CheckConstraint(f"classmate_names IN {CLASSMATE_NAMES}", name="classmate_names"),
    )

    @property
    def address_lines(self):
        """The postal address as printed: street lines, then "city, region postal code"
        ("city postal code" without a region), then the country; empty parts left out."""
        place = " ".join(part for part in (self.region, self.postal_code) if part)
        town = (", " if self.region else " ").join(part for part in (self.city, place) if part)
        return [line for line in (self.address_line1, self.address_line2, town, self.country) if line]

    def __repr__(self):
        return f"<Studio {self.slug}>"


class User(IdMixin, TimestampMixin, UserMixin, Searchable, db.Model):
    search_fields = ("first_name", "last_name", "email")

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-cased
    first_name: Mapped[str] = mapped_column(sa.String(80), default="")
    last_name: Mapped[str] = mapped_column(sa.String(80), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    avatar: Mapped[str] = mapped_column(sa.String(500), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preferences: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Membership.created_at",
    )

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    # The SignIn this request runs under, set by whoever authenticated it (not a column).
    current_sign_in = None

    def get_id(self):
        """What the session cookie (and the remember-me cookie) carries: the sign-in's id,
        so ending that sign-in on the server ends the cookie too."""
        if self.current_sign_in is None:
            raise RuntimeError("sign the user in with sign_ins.start_sign_in() first")
        return str(self.current_sign_in.id)

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


SIGN_IN_KINDS = ("browser", "api")
# (marker in the User-Agent, name), the first match wins: Edge and Opera also say Chrome,
# Chrome says Safari, an iPhone says "like Mac OS X" and Android says Linux.
BROWSERS = (("Edg", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
            ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
           ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


def _first_match(text, markers):
    return next((name for marker, name in markers if marker in text), None)


class SignIn(IdMixin, TimestampMixin, db.Model):
    """One device signed in: a browser session or an API client's token family.

    The browser's session cookie carries its id; API access and refresh tokens carry it as
    `sid` (refresh tokens are rotated within it). Every request checks it has not ended, so
    signing out, or ending it from another device, takes effect at once."""

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(8))
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="")
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.CheckConstraint(f"kind IN {SIGN_IN_KINDS}", name="kind"),)

    @property
    def device(self):
        """"Firefox on Windows", "Safari on iPhone", "API client (python-requests)"."""
        agent = self.user_agent or ""
        if self.kind == "api":
            product = agent.split("/", 1)[0].split(" ", 1)[0]
            return f"API client ({product})" if product else "API client"
        browser = _first_match(agent, BROWSERS) or "Unknown browser"
        system = _first_match(agent, SYSTEMS)
        return f"{browser} on {system}" if system else browser


class RefreshToken(IdMixin, TimestampMixin, db.Model):
    """Every refresh token issued to the API. Rotation revokes the old one; reusing a
    rotated token ends its whole family, the SignIn whose id is `family_id` (a stolen token
    stops working for both sides)."""

    jti: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The SignIn's id; not a foreign key, as families older than sign-ins have none.
    family_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_by_jti: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship()




class PasswordReset(IdMixin, TimestampMixin, db.Model):
    """An emailed link that lets a user choose a new password: once, within its lifetime.

    Only the SHA-256 of the link's secret is stored. Using one link (or changing the password
    any other way) ends every other link of the user too."""

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_from: Mapped[str] = mapped_column(sa.String(45), default="", server_default="")

    user: Mapped[User] = relationship()
