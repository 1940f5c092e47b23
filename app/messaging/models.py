"""Outgoing email, kept in a table until a worker has delivered it (SPEC §3).

A worker claims a row before sending it: `sending`, with its name in `claimed_by` and a lease
(`lease_until`). The claim is committed before the SMTP conversation starts, so no other worker
takes the row while it is being sent; a worker that dies mid-send leaves its lease to run out,
and the next worker takes the row over and sends it again under the same Message-ID.
"""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import IdMixin, TimestampMixin, UTCDateTime, utcnow
from app.extensions import db

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class OutboxEmail(IdMixin, TimestampMixin, db.Model):
    studio_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("studio.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
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
