"""Webhook events: what happened in a studio, for the programs it told us to call.

A domain service calls `emit(studio, "lesson.cancelled", lesson, data)` beside the change it
makes. The event is a row added to the same session, so it commits with the change or rolls
back with it: a change undone never announces itself, and one committed always does. The
job worker (app/webhooks) later fans each event out to the studio's endpoints that chose it
and delivers it.

`data` is a stable subset of the object, not the whole API answer: the fields a receiver
needs to act and to fetch the rest (`snapshot(obj, FIELDS)` builds it, with UUIDs, times,
dates and money written as the API writes them). Core knows no domain: each service says
which fields its event carries.
"""
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import IdMixin, TenantMixin, UTCDateTime, utcnow
from app.extensions import db

# The events an endpoint may choose, by area (the page groups its checkboxes so).
EVENT_AREAS = {
    "Lessons": {
        "lesson.created": "A lesson is booked.",
        "lesson.rescheduled": "A lesson moves: the data is the new lesson (`rescheduled_from` "
                              "names the old one).",
        "lesson.cancelled": "A lesson is cancelled.",
        "lesson.completed": "Attendance is taken and the lesson is completed.",
    },
    "People": {
        "student.created": "A student is added.",
        "family.updated": "A family's name or contact details change.",
    },
    "Billing": {
        "invoice.sent": "An invoice is sent to its family.",
        "invoice.paid": "An invoice's balance reaches zero.",
        "payment.recorded": "A payment (or a refund) is recorded.",
    },
    "Inventory": {
        "checkout.approved": "A request to borrow an item is approved.",
        "checkout.returned": "A borrowed item comes back.",
    },
    "Messages": {
        "message.created": "A message is written in a conversation.",
    },
}
EVENTS = tuple(name for events in EVENT_AREAS.values() for name in events)
TEST_EVENT = "webhook.test"


class WebhookEvent(IdMixin, TenantMixin, db.Model):
    """One event, kept once however many endpoints receive it. `fanned_out_at` is set when
    the worker has made its deliveries (none when no endpoint chose it)."""

    studio_id_index = False  # ix_webhook_event_studio_pending starts with it

    event: Mapped[str] = mapped_column(sa.String(60))
    subject_type: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    subject_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.Index("ix_webhook_event_studio_pending", "studio_id", "fanned_out_at"),
        sa.Index("ix_webhook_event_pending", "fanned_out_at", "created_at"),
    )

    @property
    def subject_key(self):
        """Events of one object are delivered in order: this names the object."""
        return f"{self.subject_type}:{self.subject_id}" if self.subject_id else None

    def body(self):
        """The JSON body every endpoint receives: {id, event, created_at, data}."""
        return {"id": str(self.id), "event": self.event, "created_at": api_value(self.created_at),
                "data": self.data}


def emit(studio, event, subject, data):
    """Announce `event` about `subject` (a row with an id) with `data` (JSON-able), in the
    current transaction. `studio` is a Studio or its id."""
    if event not in EVENTS and event != TEST_EVENT:
        raise KeyError(f"unknown webhook event {event!r}")
    row = WebhookEvent(
        id=uuid.uuid4(), studio_id=getattr(studio, "id", studio), event=event,
        subject_type=type(subject).__name__.lower() if subject is not None else "",
        subject_id=getattr(subject, "id", None), data=data, created_at=utcnow(),
    )
    db.session.add(row)
    return row


def api_value(value):
    """A value as the API writes it: UUIDs and money as strings, times ISO 8601 UTC with Z."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return [api_value(item) for item in value]
    return value


def snapshot(obj, fields):
    """{name: value} of `obj`'s fields as the API writes them. `fields` holds attribute
    names, or (name, attribute) pairs where the API's name differs (dotted attributes follow
    relationships; a missing link gives None)."""
    data = {}
    for entry in fields:
        name, path = (entry, entry) if isinstance(entry, str) else entry
        value = obj
        for part in path.split("."):
            value = getattr(value, part, None) if value is not None else None
        data[name] = api_value(value)
    return data
