"""The delivery log is kept 30 days: finished deliveries older than that go with their
attempts, and events go once nothing refers to them (an event no endpoint chose after a day).
What is still being tried, and everything recent, stays."""
from datetime import timedelta

from sqlalchemy import func, select, update

from app.core.db import utcnow
from app.core.webhook_events import WebhookEvent, emit
from app.extensions import db
from app.jobs import purge_webhook_log
from app.webhooks import services
from app.webhooks.models import WebhookAttempt, WebhookDelivery


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _age(delivery_ids, days):
    """Move these deliveries and their events `days` into the past."""
    past = utcnow() - timedelta(days=days)
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(delivery_ids))
                       .values(created_at=past, event_created_at=past))
    events = select(WebhookDelivery.event_id).where(WebhookDelivery.id.in_(delivery_ids))
    db.session.execute(update(WebhookEvent).where(WebhookEvent.id.in_(events))
                       .values(created_at=past, fanned_out_at=past))
    db.session.commit()


def test_old_finished_deliveries_go_with_their_attempts_and_events(hook_world, receiver):
    studio, admin, endpoint = hook_world.studio, hook_world.admin, hook_world.endpoint
    old_ok = services.send_test_event(studio, admin, endpoint)
    old_failed = services.send_test_event(studio, admin, endpoint)
    recent = services.send_test_event(studio, admin, endpoint)
    db.session.commit()
    assert services.deliver_due() == (3, 0)
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == old_failed.id)
                       .values(status="failed"))
    waiting = services.send_test_event(studio, admin, endpoint)  # not tried yet
    db.session.commit()
    copy = services.redeliver(studio, admin, db.session.get(WebhookDelivery, old_ok.id))
    db.session.commit()
    ids = {d.id for d in (old_ok, old_failed, recent, waiting, copy)}
    old_ok_id, old_failed_id, copy_id = old_ok.id, old_failed.id, copy.id
    old_ok_event, old_failed_event = old_ok.event_id, old_failed.event_id
    _age([old_ok_id, old_failed_id, waiting.id], days=31)
    assert _count(WebhookAttempt) == 3

    assert purge_webhook_log.call_local() == 2

    left = set(db.session.scalars(select(WebhookDelivery.id)))
    assert left == ids - {old_ok_id, old_failed_id}
    assert _count(WebhookAttempt) == 1  # the recent delivery's attempt
    events = set(db.session.scalars(select(WebhookEvent.id)))
    assert old_failed_event not in events
    assert old_ok_event in events  # its redelivery, a day old, still shows it
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, copy_id).redelivery_of_id is None


def test_events_no_endpoint_chose_go_after_a_day(make):
    studio = make.studio()
    fresh = emit(studio, "student.created", None, {})
    stale = emit(studio, "student.created", None, {})
    unfanned = emit(studio, "student.created", None, {})
    db.session.flush()
    now = utcnow()
    for event, age in ((fresh, timedelta(hours=2)), (stale, timedelta(days=2))):
        event.created_at = event.fanned_out_at = now - age
    unfanned.created_at = now - timedelta(days=5)
    db.session.commit()

    purge_webhook_log.call_local()

    assert set(db.session.scalars(select(WebhookEvent.id))) == {fresh.id, unfanned.id}
