"""The worker's side of webhooks: fan each event out to the endpoints that chose it, then
deliver, retry and log.

- **Fan-out.** A run claims events nobody has fanned out (a conditional UPDATE of
  `fanned_out_at`, skipping rows another run holds) and writes one delivery per endpoint of
  the studio that is active, chose the event and existed when it happened, in the same
  transaction.
- **Claims.** A delivery is sent by the run that moved it from `pending` to `delivering`
  (one conditional UPDATE, committed before the request goes out), so two workers never send
  it twice. A claim lasts CLAIM_SECONDS; a worker that died while sending leaves it to be
  taken again then (the receiver may then see it twice: deduplicate on the body's `id`).
- **Order per object.** A delivery waits while an earlier event of the same object is not
  fanned out yet, or its delivery to the same endpoint is pending or being sent: a receiver
  never hears `lesson.cancelled` before that lesson's `lesson.created`. A given-up delivery
  no longer holds the next one back.
- **Retries.** A delivery succeeds on a 2xx answer. Anything else (3xx included: redirects are
  not followed, a timeout, a refused address) is tried again after BACKOFF (1 min, 5, 25, 2 h,
  6 h, 12 h, 24 h: eight attempts over about 45 hours), then given up.
- **Disabled endpoints** get nothing but test events (how one checks an endpoint works
  again before enabling it).
- **The log** is kept LOG_DAYS (30): older finished deliveries go with their attempts, and
  an event goes once no delivery refers to it (one no endpoint chose, after a day)
  (`purge_old`, daily).
- **Auto-disable.** An endpoint that has failed every attempt for DISABLE_AFTER (3 days),
  and at least DISABLE_MIN_FAILURES times in a row, is disabled; its waiting deliveries are
  given up and the studio's owners and admins are emailed.
"""
import json
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import aliased

from app.accounts.models import Membership, Studio, User
from app.core.db import utcnow
from app.core.links import public_url
from app.core.permissions import MANAGERS
from app.core.webhook_events import TEST_EVENT, WebhookEvent
from app.extensions import db
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.webhooks.services import addresses
from app.webhooks.services.signing import SIGNATURE_HEADER, signature

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=25), timedelta(hours=2),
           timedelta(hours=6), timedelta(hours=12), timedelta(hours=24))
MAX_ATTEMPTS = len(BACKOFF) + 1
CLAIM_SECONDS = 120
DISABLE_AFTER = timedelta(days=3)
DISABLE_MIN_FAILURES = 10
BATCH = 20
OPEN = ("pending", "delivering")
FINISHED = ("succeeded", "failed")
LOG_DAYS = 30
UNCHOSEN_EVENT_KEPT = timedelta(days=1)


# ---------------------------------------------------------------- fan-out

def fan_out(now=None, limit=500):
    """Make the deliveries of the events no run has fanned out yet. Returns how many
    deliveries it made; the caller commits."""
    now = now or utcnow()
    waiting = (select(WebhookEvent.id).where(WebhookEvent.fanned_out_at.is_(None))
               .order_by(WebhookEvent.created_at).limit(limit)
               .with_for_update(skip_locked=True))
    claimed = db.session.scalars(
        update(WebhookEvent).where(WebhookEvent.id.in_(waiting), WebhookEvent.fanned_out_at.is_(None))
        .values(fanned_out_at=now).returning(WebhookEvent.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return 0
    events = db.session.scalars(select(WebhookEvent).where(WebhookEvent.id.in_(claimed))
                                .order_by(WebhookEvent.created_at)).all()
    endpoints = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.studio_id.in_({event.studio_id for event in events}),
        WebhookEndpoint.is_active.is_(True))).all()
    made = 0
    for event in events:
        for endpoint in endpoints:
            if (endpoint.studio_id == event.studio_id and endpoint.wants(event.event)
                    and endpoint.created_at <= event.created_at):
                db.session.add(new_delivery(endpoint, event, now))
                made += 1
    db.session.flush()
    return made


def new_delivery(endpoint, event, now, *, in_order=True, redelivery_of=None):
    return WebhookDelivery(
        studio_id=endpoint.studio_id, endpoint_id=endpoint.id, event_id=event.id,
        event=event.event, subject_key=event.subject_key if in_order else None,
        event_created_at=event.created_at, status="pending", next_attempt_at=now,
        redelivery_of_id=getattr(redelivery_of, "id", None), created_at=now,
    )


# ---------------------------------------------------------------- claims

def _earlier_open_delivery():
    earlier = aliased(WebhookDelivery)
    return exists().where(
        earlier.endpoint_id == WebhookDelivery.endpoint_id,
        earlier.subject_key == WebhookDelivery.subject_key,
        earlier.status.in_(OPEN),
        earlier.id != WebhookDelivery.id,
        (earlier.event_created_at < WebhookDelivery.event_created_at)
        | and_(earlier.event_created_at == WebhookDelivery.event_created_at,
               earlier.event_id < WebhookDelivery.event_id),
    )


def _earlier_event_not_fanned_out(this):
    earlier = aliased(WebhookEvent)
    return exists().where(
        earlier.studio_id == this.studio_id, earlier.subject_type == this.subject_type,
        earlier.subject_id == this.subject_id, earlier.fanned_out_at.is_(None),
        earlier.created_at < this.created_at,
    )


def release_stale_claims(now):
    """Deliveries whose worker stopped while sending go back to pending."""
    db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.status == "delivering",
                                      WebhookDelivery.claimed_until < now)
        .values(status="pending", claimed_until=None, next_attempt_at=now)
        .execution_options(synchronize_session=False))


def claim_due(now, limit=BATCH):
    """Claim the deliveries whose time has come and whose object has nothing earlier on the
    way; returns [(id, claim)]. Rows another run holds are skipped, not waited for."""
    this_event = aliased(WebhookEvent)
    candidates = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(this_event, this_event.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
               WebhookEndpoint.is_active.is_(True) | (WebhookDelivery.event == TEST_EVENT),
               ~(WebhookDelivery.subject_key.is_not(None) & _earlier_open_delivery()),
               ~_earlier_event_not_fanned_out(this_event))
        .order_by(WebhookDelivery.event_created_at).limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    claim = now + timedelta(seconds=CLAIM_SECONDS)
    claimed = db.session.scalars(
        update(WebhookDelivery).where(WebhookDelivery.id.in_(candidates),
                                      WebhookDelivery.status == "pending")
        .values(status="delivering", claimed_until=claim).returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    return [(delivery_id, claim) for delivery_id in claimed]


# ---------------------------------------------------------------- sending

def request_for(delivery, endpoint, event, timestamp):
    """(body bytes, headers) of one attempt."""
    body = json.dumps(event.body(), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json", "User-Agent": "Cadenza-Webhooks/1",
        "X-Cadenza-Event": event.event, "X-Cadenza-Delivery": str(delivery.id),
        SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
    }
    return body, headers


def send_claimed(delivery_id, claim, now=None):
    """Send one claimed delivery and record the attempt; commits the outcome. Returns the
    delivery's new status, or None when the claim was lost."""
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.status != "delivering" or delivery.claimed_until != claim:
        db.session.rollback()
        return None
    endpoint, event = delivery.endpoint, delivery.event_row
    if not endpoint.is_active and delivery.event != TEST_EVENT:  # disabled since the claim
        delivery.status, delivery.claimed_until = "failed", None
        delivery.next_attempt_at, delivery.error = None, "The endpoint was disabled."
        db.session.commit()
        return None
    body, headers = request_for(delivery, endpoint, event, time.time())
    url = endpoint.url
    db.session.commit()  # no transaction stays open while the endpoint answers
    answer = addresses.post(url, body, headers, timeout=current_app.config.get(
        "WEBHOOK_TIMEOUT_SECONDS", addresses.TIMEOUT_SECONDS))
    return record_attempt(delivery_id, claim, answer, now or utcnow())


def record_attempt(delivery_id, claim, answer, now):
    """Log one attempt and move the delivery on: delivered, tried again later, or given up."""
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
        .with_for_update().execution_options(populate_existing=True))
    if delivery is None or delivery.status != "delivering" or delivery.claimed_until != claim:
        db.session.rollback()
        return None
    delivery.attempts += 1
    db.session.add(WebhookAttempt(
        studio_id=delivery.studio_id, delivery_id=delivery.id, number=delivery.attempts,
        response_code=answer.status, response_ms=answer.ms, response_excerpt=answer.excerpt,
        error=answer.error[:500], succeeded=answer.ok, created_at=now))
    delivery.response_code, delivery.response_ms = answer.status, answer.ms
    delivery.response_excerpt, delivery.error = answer.excerpt, answer.error[:500]
    delivery.claimed_until = None
    endpoint = delivery.endpoint
    endpoint.last_delivery_at = now
    if answer.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "succeeded", now, None
        endpoint.last_delivery_status = "succeeded"
        endpoint.consecutive_failures, endpoint.failing_since = 0, None
    else:
        _failed(delivery, endpoint, now)
    db.session.commit()
    return delivery.status


def _failed(delivery, endpoint, now):
    endpoint.last_delivery_status = "failed"
    endpoint.consecutive_failures += 1
    endpoint.failing_since = endpoint.failing_since or now
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    if (endpoint.is_active and endpoint.consecutive_failures >= DISABLE_MIN_FAILURES
            and endpoint.failing_since <= now - DISABLE_AFTER):
        days = DISABLE_AFTER.days
        disable_endpoint(endpoint, f"every delivery failed for {days} days "
                                   f"({endpoint.consecutive_failures} attempts in a row; the last: "
                                   f"{_describe(delivery)}).", now)


def _describe(delivery):
    if delivery.error:
        return delivery.error
    return f"HTTP {delivery.response_code}"


def disable_endpoint(endpoint, reason, now):
    """Stop sending to `endpoint`: its waiting deliveries are given up, and the studio's
    owners and admins are told why."""
    from app.messaging.services import send_templated  # messaging emits webhook events too

    endpoint.is_active, endpoint.disabled_reason = False, reason[:300]
    db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id,
                                      WebhookDelivery.status == "pending")
        .values(status="failed", next_attempt_at=None, error="The endpoint was disabled.")
        .execution_options(synchronize_session=False))
    studio = db.session.get(Studio, endpoint.studio_id)
    admins = db.session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.studio_id == endpoint.studio_id, Membership.is_active.is_(True),
               Membership.role.in_(MANAGERS), User.is_active.is_(True))).all()
    page = public_url("webhooks.endpoint", endpoint_id=endpoint.id)
    for address in sorted(set(admins)):
        send_templated(address, f"Webhook endpoint disabled: {endpoint.host}", "webhook_disabled",
                       studio=studio, url=endpoint.url, reason=reason, page=page,
                       dedupe_key=f"webhook-disabled:{endpoint.id}:{now.isoformat()}:{address}")


# ---------------------------------------------------------------- the worker's run

def _release(claims):
    """Hand back claims this run will not send (its time is up): pending again at once."""
    for delivery_id, claim in claims:
        db.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                          WebhookDelivery.status == "delivering",
                                          WebhookDelivery.claimed_until == claim)
            .values(status="pending", claimed_until=None)
            .execution_options(synchronize_session=False))
    db.session.commit()


def deliver_due(now=None, *, budget_seconds=40):
    """One run of the worker: fan out new events, then claim and send what is due until
    nothing is left or the time budget is spent (the rest is handed back for the next run,
    so one slow endpoint does not hold the worker's other jobs). Returns (succeeded, failed
    attempts)."""
    started = time.monotonic()
    succeeded = failed = 0
    while True:
        moment = now or utcnow()
        release_stale_claims(moment)
        fan_out(moment)
        claims = claim_due(moment)
        db.session.commit()
        if not claims:
            break
        for index, (delivery_id, claim) in enumerate(claims):
            if time.monotonic() - started > budget_seconds:
                _release(claims[index:])
                return succeeded, failed
            status = send_claimed(delivery_id, claim, now)
            if status == "succeeded":
                succeeded += 1
            elif status is not None:
                failed += 1
    return succeeded, failed


# ---------------------------------------------------------------- the log's end

def purge_old(now=None):
    """Delete finished deliveries older than LOG_DAYS with their attempts, then the events
    no delivery refers to (fanned out more than a day ago: those no endpoint chose, and those
    whose deliveries have gone). Returns how many deliveries went; the caller commits.
    Deliveries still being tried stay, however old."""
    now = now or utcnow()
    old = (select(WebhookDelivery.id)
           .where(WebhookDelivery.status.in_(FINISHED),
                  WebhookDelivery.created_at < now - timedelta(days=LOG_DAYS))
           .scalar_subquery())
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.redelivery_of_id.in_(old))
                       .values(redelivery_of_id=None)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(old))
                       .execution_options(synchronize_session=False))
    gone = db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(old))
                              .execution_options(synchronize_session=False)).rowcount
    db.session.execute(delete(WebhookEvent).where(
        WebhookEvent.fanned_out_at < now - UNCHOSEN_EVENT_KEPT,
        ~exists().where(WebhookDelivery.event_id == WebhookEvent.id),
    ).execution_options(synchronize_session=False))
    return gone
