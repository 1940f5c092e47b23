"""Webhook endpoints and deliveries.

An endpoint is a URL of the studio's own (or a partner's) program with the events it chose
and the secret its requests are signed with. A delivery is one event for one endpoint: it is
tried until the endpoint answers 2xx, with backoff, or given up after the last attempt; each
attempt is logged (status code, time, the first kilobyte of the answer, the error).

Delivery statuses: `pending` (waiting for its time, or for an earlier event of the same
object), `delivering` (a worker holds it until `claimed_until`), `succeeded`, `failed`
(given up, or its endpoint was disabled).
"""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime, utcnow
from app.core.webhook_events import WebhookEvent  # noqa: F401 - deliveries relate to it by name
from app.extensions import db

DELIVERY_STATUSES = ("pending", "delivering", "succeeded", "failed")
DELIVERY_STATUS_LABELS = {"pending": "Pending", "delivering": "Sending", "succeeded": "Delivered",
                          "failed": "Failed"}
EXCERPT_BYTES = 1024


class WebhookEndpoint(IdMixin, TimestampMixin, TenantMixin, db.Model):
    studio_id_index = False  # ix_webhook_endpoint_studio_created starts with it

    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    events: Mapped[list] = mapped_column(sa.JSON, default=list)
    secret: Mapped[str] = mapped_column(sa.String(80))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    disabled_reason: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    consecutive_failures: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_delivery_status: Mapped[str] = mapped_column(sa.String(12), default="", server_default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)

    created_by = relationship("User")

    __table_args__ = (
        sa.Index("ix_webhook_endpoint_studio_created", "studio_id", "created_at"),
    )

    def wants(self, event):
        return self.is_active and event in (self.events or [])

    @property
    def host(self):
        from urllib.parse import urlsplit

        return urlsplit(self.url).hostname or self.url


class WebhookDelivery(IdMixin, TenantMixin, db.Model):
    """One event for one endpoint, and where its attempts stand."""

    studio_id_index = False  # ix_webhook_delivery_studio_endpoint starts with it

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("webhook_event.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(sa.String(60))
    # "lesson:<id>": a delivery waits for the earlier ones of its object (None: it does not).
    subject_key: Mapped[str | None] = mapped_column(sa.String(80))
    # The event's time then id: the order deliveries of one object go in.
    event_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_code: Mapped[int | None] = mapped_column(sa.Integer)
    response_ms: Mapped[int | None] = mapped_column(sa.Integer)
    response_excerpt: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    error: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redelivery_of_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("webhook_delivery.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    endpoint = relationship("WebhookEndpoint")
    event_row = relationship("WebhookEvent")
    attempt_log = relationship("WebhookAttempt", order_by="WebhookAttempt.number",
                               cascade="all, delete-orphan", passive_deletes=True,
                               back_populates="delivery")

    __table_args__ = (
        sa.Index("ix_webhook_delivery_studio_endpoint", "studio_id", "endpoint_id", "created_at"),
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_delivery_subject", "endpoint_id", "subject_key", "status"),
        sa.CheckConstraint("status IN ('pending', 'delivering', 'succeeded', 'failed')",
                           name="status"),
    )

    @property
    def status_label(self):
        return DELIVERY_STATUS_LABELS[self.status]


class WebhookAttempt(IdMixin, TenantMixin, db.Model):
    """One try of a delivery: what the endpoint answered, or why it could not be reached."""

    studio_id_index = False

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    response_code: Mapped[int | None] = mapped_column(sa.Integer)
    response_ms: Mapped[int | None] = mapped_column(sa.Integer)
    response_excerpt: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    error: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    succeeded: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    delivery = relationship("WebhookDelivery", back_populates="attempt_log")
