"""Messaging: the email outbox, in-app notifications, threads and announcements.

Outgoing email is kept in a table until a worker has delivered it (SPEC §3).

A worker claims a row before sending it: `sending`, with its name in `claimed_by` and a lease
(`lease_until`). The claim is committed before the SMTP conversation starts, so no other worker
takes the row while it is being sent; a worker that dies mid-send leaves its lease to run out,
and the next worker takes the row over and sends it again under the same Message-ID.
"""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime, utcnow
from app.extensions import db

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class OutboxEmail(IdMixin, TimestampMixin, db.Model):
    studio_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("studio.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    # The HTML part (empty: text only), extra headers such as List-Unsubscribe, and an
    # attachment made when the email is sent ("invoice-pdf:<invoice id>"), so the outbox
    # keeps no copies of PDFs.
    body_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    headers: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}")
    attachment: Mapped[str | None] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Lets a sender dedupe (e.g. one reminder per lesson): unique when set.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)

    __table_args__ = (
        sa.Index("ix_outbox_email_due", "status", "next_attempt_at"),
        sa.CheckConstraint(f"status IN {OUTBOX_STATUSES}", name="status"),
    )


# ------------------------------------------------------------------ in-app notifications

NOTIFICATION_TYPES = (
    "lesson_scheduled", "lesson_reminder", "lesson_cancelled", "lesson_rescheduled",
    "note_shared", "invoice_sent", "payment_received", "invoice_overdue",
    "checkout_approved", "checkout_overdue", "new_message", "cancellation_requested",
    "announcement",
)


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Notification(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """One line in a member's bell: what happened, and the page it is about (`link`, a path
    inside the app). `dedupe_key`, when set, is unique per user: the same event raised twice
    (a job run twice, two workers) notifies once."""
    studio_id_index = False  # the (user, studio, read, time) index below starts with studio

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"))
    notification_type: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(200))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    is_read: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(160))

    __table_args__ = (
        sa.Index("ix_notification_inbox", "studio_id", "user_id", "is_read", "created_at"),
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notification_dedupe"),
        sa.CheckConstraint(f"notification_type IN {_in(NOTIFICATION_TYPES)}",
                           name="notification_type"),
    )


# ------------------------------------------------------------------ threads and messages

class Thread(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A conversation among members of one studio. `last_message_at` orders the inbox."""
    studio_id_index = False

    subject: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL"))
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("User")
    participants: Mapped[list["ThreadParticipant"]] = relationship(
        back_populates="thread", cascade="all, delete-orphan")

    __table_args__ = (sa.Index("ix_thread_studio_last", "studio_id", "last_message_at"),)


class ThreadParticipant(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A member in a thread: what they have read (`last_read_at`) and when they were last
    emailed a digest of it (`digest_sent_at`, at most one per thread per hour)."""

    thread_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("thread.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"))
    last_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship(back_populates="participants")
    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("thread_id", "user_id", name="uq_thread_participant"),
        sa.Index("ix_thread_participant_user", "user_id", "thread_id"),
    )


class Message(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """One message: its Markdown as written and the sanitised HTML shown (as lesson notes)."""

    thread_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("thread.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")

    author = relationship("User")

    __table_args__ = (sa.Index("ix_message_thread_created", "thread_id", "created_at"),)


class MessageResource(TenantMixin, db.Model):
    """A library resource attached to a message."""
    __tablename__ = "message_resource"

    message_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("message.id", ondelete="CASCADE"), primary_key=True)
    resource_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (sa.Index("ix_message_resource_resource", "resource_id"),)


# ------------------------------------------------------------------ announcements

AUDIENCES = ("everyone", "families", "teachers", "teacher_students", "instrument", "day")


class Announcement(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """One message from the studio to an audience, by email and in-app. `audience_value`
    says which teacher (id), instrument (name) or day (ISO date) the audience is."""

    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    audience: Mapped[str] = mapped_column(sa.String(20))
    audience_value: Mapped[str] = mapped_column(sa.String(100), default="")
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL"))
    recipient_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sent_by = relationship("User")

    __table_args__ = (sa.CheckConstraint(f"audience IN {_in(AUDIENCES)}", name="audience"),)
