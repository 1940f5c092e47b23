"""`flask seed-demo` shows a webhook endpoint with its log, and the demo's own writes (sent
invoices, payments, loans) are events that nothing is sent for (SPEC §6)."""
from sqlalchemy import select

from app.core.webhook_events import WebhookEvent
from app.demo import seed
from app.extensions import db
from app.webhooks import services
from app.webhooks.models import WebhookDelivery, WebhookEndpoint


def test_demo_has_a_disabled_bookkeeping_endpoint_with_a_delivered_test(ctx):
    studio = seed()
    db.session.flush()
    [endpoint] = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.studio_id == studio.id)).all()
    assert not endpoint.is_active and "invoice.paid" in endpoint.events
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    assert delivery.status == "succeeded" and delivery.attempt_log[0].response_code == 200
    names = set(db.session.scalars(select(WebhookEvent.event)))
    assert {"invoice.sent", "payment.recorded", "checkout.approved"} <= names
    db.session.commit()
    assert services.deliver_due() == (0, 0)  # a disabled endpoint: nothing goes out
