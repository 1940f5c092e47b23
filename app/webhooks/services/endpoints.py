"""The studio's side of webhooks: endpoints (made, changed, enabled, disabled, deleted),
their secrets, a test event, and redelivering one event.

Secrets work as Stripe's do: a secret `whsec_…` is made with the endpoint, answered once by
the API when the endpoint is made (and when it is rolled), and shown to owners and admins on
the endpoint's page; rolling it makes a new one at once (the old one stops signing).
"""
from sqlalchemy import delete, func, select

from app.accounts.models import Studio
from app.core import audit
from app.core.db import lock, utcnow
from app.core.errors import Conflict
from app.core.validation import FieldErrors, Invalid, text
from app.core.webhook_events import EVENTS, TEST_EVENT, WebhookEvent, emit
from app.extensions import db
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.webhooks.services.addresses import check_url
from app.webhooks.services.delivery import new_delivery
from app.webhooks.services.signing import new_secret

MAX_ENDPOINTS = 20


def _events(value):
    if not isinstance(value, (list, tuple)) or not value:
        raise Invalid("Choose at least one event.")
    unknown = [name for name in value if name not in EVENTS]
    if unknown:
        raise Invalid(f"Unknown events: {', '.join(map(str, unknown))}.")
    return [name for name in EVENTS if name in value]


def _description(value):
    return text(value or "", max_length=200)


def _clean(changes):
    errors = FieldErrors()
    errors.clean(changes, "url", check_url)
    errors.clean(changes, "events", _events)
    errors.clean(changes, "description", _description)
    errors.raise_if_any()
    return changes


def create_endpoint(studio, actor, *, url, events, description=""):
    """Add an endpoint (active) with a new secret. The URL must be http(s) and, unless
    WEBHOOK_ALLOW_PRIVATE is on, not a loopback, private or link-local address."""
    fields = _clean({"url": url, "events": events, "description": description})
    lock(Studio, studio)  # endpoints added at once take turns, so the count below holds
    count = db.session.scalar(select(func.count()).select_from(WebhookEndpoint)
                              .where(WebhookEndpoint.studio_id == studio.id))
    if count >= MAX_ENDPOINTS:
        raise Conflict(f"A studio has at most {MAX_ENDPOINTS} webhook endpoints.")
    endpoint = WebhookEndpoint(studio_id=studio.id, secret=new_secret(), is_active=True,
                               created_by_id=getattr(actor, "id", None), **fields)
    db.session.add(endpoint)
    db.session.flush()
    audit.record(studio, actor, "webhook.created", endpoint, url=endpoint.url)
    return endpoint


def update_endpoint(studio, actor, endpoint, **changes):
    """Change the URL, events or description; `is_active` enables (clearing the failures
    that disabled it) or disables the endpoint."""
    is_active = changes.pop("is_active", None)
    fields = _clean(changes)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    if is_active is True and not endpoint.is_active:
        enable_endpoint(studio, actor, endpoint)
    elif is_active is False and endpoint.is_active:
        pause_endpoint(studio, actor, endpoint)
    db.session.flush()
    return endpoint


def enable_endpoint(studio, actor, endpoint):
    endpoint.is_active, endpoint.disabled_reason = True, ""
    endpoint.consecutive_failures, endpoint.failing_since = 0, None
    db.session.flush()
    return endpoint


def pause_endpoint(studio, actor, endpoint):
    """Disable the endpoint by hand: nothing is sent to it (its waiting deliveries wait)."""
    endpoint.is_active, endpoint.disabled_reason = False, "Disabled by hand."
    db.session.flush()
    return endpoint


def delete_endpoint(studio, actor, endpoint):
    """Delete the endpoint and its delivery log."""
    audit.record(studio, actor, "webhook.deleted", endpoint, url=endpoint.url)
    # Deleted here, not left to the foreign keys' ON DELETE CASCADE: SQLite does not
    # enforce foreign keys unless asked to.
    log = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(log)),
                       execution_options={"synchronize_session": False})
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id),
                       execution_options={"synchronize_session": False})
    db.session.delete(endpoint)
    db.session.flush()


def roll_secret(studio, actor, endpoint):
    """A new secret for the endpoint, in force at once."""
    endpoint.secret = new_secret()
    audit.record(studio, actor, "webhook.secret_rolled", endpoint)
    db.session.flush()
    return endpoint


def send_test_event(studio, actor, endpoint):
    """Queue a `webhook.test` event for this endpoint alone (also when it is disabled: a
    test is how one checks it works again). Returns the delivery."""
    now = utcnow()
    event = emit(studio, TEST_EVENT, None, {
        "webhook": str(endpoint.id), "message": "A test event from Cadenza.",
    })
    event.fanned_out_at = now
    delivery = new_delivery(endpoint, event, now, in_order=False)
    db.session.add(delivery)
    db.session.flush()
    return delivery


def redeliver(studio, actor, delivery):
    """Send the delivery's event to its endpoint once more, as a new delivery with its own
    attempts (the body, and so its `id`, are the same: receivers deduplicate on it). It does
    not wait for other events of its object."""
    now = utcnow()
    event = db.session.get(WebhookEvent, delivery.event_id)
    copy = new_delivery(delivery.endpoint, event, now, in_order=False, redelivery_of=delivery)
    db.session.add(copy)
    db.session.flush()
    return copy


def deliveries_of(endpoint):
    """The endpoint's deliveries, newest first (a statement to paginate)."""
    return (select(WebhookDelivery).where(WebhookDelivery.studio_id == endpoint.studio_id,
                                          WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()))
