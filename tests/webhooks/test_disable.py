"""An endpoint that fails every attempt for three days is disabled, its waiting deliveries
are given up, and the studio's owners and admins are emailed; enabling it clears that."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.core.webhook_events import emit
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.webhooks import services
from app.webhooks.models import WebhookDelivery

T0 = datetime(2030, 5, 6, 12, 0, tzinfo=timezone.utc)


def _send_tests(world, count):
    for _ in range(count):
        services.send_test_event(world.studio, world.admin, world.endpoint)
    db.session.commit()


def _send_events(world, count):
    for number in range(count):
        emit(world.studio, "invoice.paid", None, {"number": number})
    db.session.commit()


def test_an_endpoint_failing_for_three_days_is_disabled_and_admins_are_emailed(hook_world, receiver, make):
    make.member(hook_world.studio, "teacher")
    receiver.default = 500
    _send_events(hook_world, 10)
    services.deliver_due(now=T0)
    endpoint = hook_world.endpoint
    db.session.refresh(endpoint)
    assert endpoint.is_active and endpoint.consecutive_failures == 10
    assert endpoint.failing_since == T0
    _send_events(hook_world, 1)
    services.deliver_due(now=T0 + timedelta(days=3))
    db.session.refresh(endpoint)
    assert not endpoint.is_active
    assert "failed for 3 days" in endpoint.disabled_reason
    statuses = db.session.scalars(select(WebhookDelivery.status)).all()
    assert set(statuses) == {"failed"}
    emails = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.subject.like("Webhook endpoint disabled%"))).all()
    assert sorted(e.to_address for e in emails) == sorted([hook_world.admin.email, hook_world.owner.email])
    assert endpoint.url in emails[0].body_text and "failed for 3 days" in emails[0].body_text
    requests_so_far = len(receiver.requests)
    _send_events(hook_world, 1)
    services.deliver_due(now=T0 + timedelta(days=4))
    assert len(receiver.requests) == requests_so_far  # nothing goes to a disabled endpoint


def test_one_success_resets_the_failures(hook_world, receiver):
    receiver.script = [500] * 10
    _send_events(hook_world, 10)
    services.deliver_due(now=T0)
    _send_events(hook_world, 1)
    receiver.script = []
    services.deliver_due(now=T0 + timedelta(days=3))
    db.session.refresh(hook_world.endpoint)
    assert hook_world.endpoint.is_active and hook_world.endpoint.consecutive_failures == 0


def test_enabling_again_clears_the_reason(hook_world):
    endpoint = hook_world.endpoint
    services.disable_endpoint(endpoint, "every delivery failed.", T0)
    db.session.commit()
    services.update_endpoint(hook_world.studio, hook_world.admin, endpoint, is_active=True)
    db.session.commit()
    assert endpoint.is_active and endpoint.disabled_reason == "" and endpoint.consecutive_failures == 0


def test_a_disabled_endpoint_still_gets_a_test_event(hook_world, receiver):
    services.pause_endpoint(hook_world.studio, hook_world.admin, hook_world.endpoint)
    _send_tests(hook_world, 1)
    assert services.deliver_due(now=T0) == (1, 0)
    assert receiver.events() == ["webhook.test"]
