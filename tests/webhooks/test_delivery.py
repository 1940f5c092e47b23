"""Delivery against a real HTTP receiver on loopback: signatures (checked here with hmac and
hashlib, not the app's helper), retries with backoff, exactly once, in order per object,
redirects not followed, the attempt log, test events and redelivery."""
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.core.webhook_events import WebhookEvent
from app.extensions import db
from app.scheduling import services as scheduling
from app.webhooks import services
from app.webhooks.models import WebhookAttempt, WebhookDelivery

T0 = datetime(2030, 3, 4, 15, 0, tzinfo=timezone.utc)


def verify(secret, header, body, now=None, tolerance=300):
    """A receiver's own check, written from the documentation."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = abs((now or time.time()) - timestamp) <= tolerance
    return hmac.compare_digest(expected, parts["v1"]) and fresh


def _book(world, make, start=None):
    teacher = make.teacher(world.studio)
    student = make.student(world.studio)
    booking = scheduling.schedule_lesson(
        world.studio, world.admin, scheduling.Placement(teacher=teacher, students=(student,)),
        start=start or datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3))
    db.session.commit()
    return booking.lesson


def _deliveries(event=None):
    stmt = select(WebhookDelivery).order_by(WebhookDelivery.event_created_at)
    if event:
        stmt = stmt.where(WebhookDelivery.event == event)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).all()


def test_an_event_arrives_signed_with_the_endpoint_secret(hook_world, receiver, make):
    lesson = _book(hook_world, make)
    sent, failed = services.deliver_due()
    assert (sent, failed) == (1, 0)
    [request] = receiver.requests
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Cadenza-Event"] == "lesson.created"
    assert verify(hook_world.endpoint.secret, request.headers["X-Cadenza-Signature"], request.body)
    assert not verify("whsec_wrong", request.headers["X-Cadenza-Signature"], request.body)
    tampered = request.body.replace(b"lesson.created", b"lesson.cancelled")
    assert not verify(hook_world.endpoint.secret, request.headers["X-Cadenza-Signature"], tampered)
    body = request.json
    assert set(body) == {"id", "event", "created_at", "data"}
    assert body["event"] == "lesson.created" and body["created_at"].endswith("Z")
    assert body["data"]["id"] == str(lesson.id) and body["data"]["status"] == "scheduled"
    assert body["data"]["students"][0]["attendance"] == "pending"
    assert request.headers["X-Cadenza-Delivery"] == str(_deliveries()[0].id)


def test_an_old_signature_is_outside_the_replay_window(hook_world, receiver, make):
    _book(hook_world, make)
    services.deliver_due()
    [request] = receiver.requests
    header = request.headers["X-Cadenza-Signature"]
    assert verify(hook_world.endpoint.secret, header, request.body)
    assert not verify(hook_world.endpoint.secret, header, request.body, now=time.time() + 301)


def test_a_failing_endpoint_is_retried_with_backoff_and_succeeds_once(hook_world, receiver, make):
    receiver.script = [500, 503]
    _book(hook_world, make)
    assert services.deliver_due(now=T0) == (0, 1)
    [delivery] = _deliveries()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at == T0 + timedelta(minutes=1)
    assert delivery.response_code == 500 and delivery.response_excerpt == "answer 500"
    assert services.deliver_due(now=T0 + timedelta(seconds=59)) == (0, 0)  # not due yet
    assert services.deliver_due(now=T0 + timedelta(minutes=1)) == (0, 1)
    [delivery] = _deliveries()
    assert delivery.next_attempt_at == T0 + timedelta(minutes=1 + 5)
    assert services.deliver_due(now=T0 + timedelta(minutes=6)) == (1, 0)
    assert services.deliver_due(now=T0 + timedelta(days=3)) == (0, 0)  # never again
    [delivery] = _deliveries()
    assert delivery.status == "succeeded" and delivery.attempts == 3
    assert delivery.response_code == 200 and delivery.response_ms is not None
    assert [r.json["id"] for r in receiver.requests] == [delivery.event_row.body()["id"]] * 3
    codes = db.session.scalars(select(WebhookAttempt.response_code).order_by(WebhookAttempt.number)).all()
    assert codes == [500, 503, 200]
    assert hook_world.endpoint.consecutive_failures == 0


def test_events_of_one_object_arrive_in_order_while_the_first_is_retried(hook_world, receiver, make):
    receiver.script = [500]
    lesson = _book(hook_world, make)
    scheduling.cancel_lesson(hook_world.studio, hook_world.admin, lesson, "Sick",
                             initiated_by="studio")
    db.session.commit()
    assert services.deliver_due(now=T0) == (0, 1)
    assert receiver.events() == ["lesson.created"]  # the cancellation waits for it
    assert [d.status for d in _deliveries()] == ["pending", "pending"]
    assert services.deliver_due(now=T0 + timedelta(minutes=1)) == (2, 0)
    assert receiver.events() == ["lesson.created", "lesson.created", "lesson.cancelled"]


def test_other_objects_do_not_wait_for_a_failing_one(hook_world, receiver, make):
    receiver.script = [500]
    _book(hook_world, make)
    make.student(hook_world.studio)  # no event: the factory writes rows directly
    second = _book(hook_world, make,
                   start=datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=4))
    assert services.deliver_due(now=T0) == (1, 1)
    assert receiver.requests[1].json["data"]["id"] == str(second.id)


def test_a_delivery_is_given_up_after_the_last_attempt(hook_world, receiver, make):
    receiver.default = 500
    _book(hook_world, make)
    moment = T0
    for _ in range(services.MAX_ATTEMPTS):
        services.deliver_due(now=moment)
        moment += timedelta(days=2)
    [delivery] = _deliveries()
    assert delivery.status == "failed" and delivery.attempts == services.MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == services.MAX_ATTEMPTS


def test_a_redirect_is_a_failure_and_is_not_followed(hook_world, receiver, make):
    receiver.script = [302]
    receiver.redirect_to = f"http://127.0.0.1:{receiver.port}/elsewhere"
    _book(hook_world, make)
    assert services.deliver_due(now=T0) == (0, 1)
    assert [r.path for r in receiver.requests] == ["/hooks"]
    [delivery] = _deliveries()
    assert delivery.response_code == 302 and "Redirects are not followed" in delivery.error


def test_a_timeout_is_a_failed_attempt(app, hook_world, make):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    hook_world.endpoint.url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    db.session.commit()
    _book(hook_world, make)
    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 0.5
    try:
        assert services.deliver_due(now=T0) == (0, 1)
    finally:
        app.config.pop("WEBHOOK_TIMEOUT_SECONDS")
        silent.close()
    [delivery] = _deliveries()
    assert delivery.response_code is None and "timed out" in delivery.error.lower()


def test_an_endpoint_gets_only_the_events_it_chose(hook_world, receiver, make):
    hook_world.endpoint.events = ["lesson.cancelled"]
    db.session.commit()
    lesson = _book(hook_world, make)
    scheduling.cancel_lesson(hook_world.studio, hook_world.admin, lesson, initiated_by="studio")
    db.session.commit()
    services.deliver_due()
    assert receiver.events() == ["lesson.cancelled"]
    assert db.session.scalar(select(WebhookEvent).where(WebhookEvent.event == "lesson.created"))


def test_a_disabled_endpoint_gets_nothing(hook_world, receiver, make):
    services.pause_endpoint(hook_world.studio, hook_world.admin, hook_world.endpoint)
    db.session.commit()
    _book(hook_world, make)
    assert services.deliver_due() == (0, 0)
    assert receiver.requests == [] and _deliveries() == []


def test_the_test_event_and_a_redelivery(hook_world, receiver):
    delivery = services.send_test_event(hook_world.studio, hook_world.admin, hook_world.endpoint)
    db.session.commit()
    services.deliver_due()
    [first] = receiver.requests
    assert first.json["event"] == "webhook.test"
    assert first.json["data"]["webhook"] == str(hook_world.endpoint.id)
    again = services.redeliver(hook_world.studio, hook_world.admin,
                               db.session.get(WebhookDelivery, delivery.id))
    db.session.commit()
    services.deliver_due()
    second = receiver.requests[1]
    assert second.json == first.json  # the same event id: receivers deduplicate on it
    assert second.headers["X-Cadenza-Delivery"] == str(again.id)
    assert db.session.get(WebhookDelivery, again.id).redelivery_of_id == delivery.id


def test_a_rolled_secret_signs_from_then_on(hook_world, receiver):
    old = hook_world.endpoint.secret
    services.roll_secret(hook_world.studio, hook_world.admin, hook_world.endpoint)
    db.session.commit()
    services.send_test_event(hook_world.studio, hook_world.admin, hook_world.endpoint)
    db.session.commit()
    services.deliver_due()
    [request] = receiver.requests
    assert hook_world.endpoint.secret != old
    assert verify(hook_world.endpoint.secret, request.headers["X-Cadenza-Signature"], request.body)
    assert not verify(old, request.headers["X-Cadenza-Signature"], request.body)


def test_the_body_is_exactly_what_was_signed(hook_world, receiver, make):
    _book(hook_world, make)
    services.deliver_due()
    [request] = receiver.requests
    assert json.loads(request.body) == request.json
    assert int(request.headers["Content-Length"]) == len(request.body)


def test_a_run_out_of_time_hands_its_claims_back(hook_world, receiver, make):
    for _ in range(3):
        services.send_test_event(hook_world.studio, hook_world.admin, hook_world.endpoint)
    db.session.commit()
    assert services.deliver_due(now=T0, budget_seconds=-1) == (0, 0)
    assert {d.status for d in _deliveries()} == {"pending"} and receiver.requests == []
    assert services.deliver_due(now=T0) == (3, 0)
