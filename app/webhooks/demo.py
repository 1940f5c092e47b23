"""Demo webhooks for Harmony Music Studio: one endpoint for the bookkeeping program, disabled
by hand (the demo sends nothing out), with the test event it once received in its log."""
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Membership, User
from app.core.db import utcnow
from app.extensions import db
from app.webhooks import services
from app.webhooks.models import WebhookAttempt


def seed_webhooks(studio):
    admin = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.studio_id == studio.id, User.email == "admin@demo.test"))
    endpoint = services.create_endpoint(
        studio, admin, url="https://books.example.com/hooks/cadenza",
        events=["invoice.sent", "invoice.paid", "payment.recorded"],
        description="Bookkeeping: invoices and payments")
    delivery = services.send_test_event(studio, admin, endpoint)
    when = utcnow() - timedelta(days=2)
    delivery.status, delivery.attempts, delivery.delivered_at = "succeeded", 1, when
    delivery.next_attempt_at, delivery.response_code, delivery.response_ms = None, 200, 184
    delivery.response_excerpt = '{"received": true}'
    db.session.add(WebhookAttempt(studio_id=studio.id, delivery_id=delivery.id, number=1,
                                  response_code=200, response_ms=184, succeeded=True,
                                  response_excerpt=delivery.response_excerpt, created_at=when))
    endpoint.last_delivery_at, endpoint.last_delivery_status = when, "succeeded"
    services.pause_endpoint(studio, admin, endpoint)
    db.session.flush()
    return endpoint
