"""The email outbox: queue in the request's transaction, deliver from the worker.

Delivery claims one email at a time (one conditional UPDATE, committed), sends it, then
records the outcome, so that two workers never send the same email and a worker stopped by
SIGTERM finishes the email in hand first (`stopping`). A worker killed outright leaves its
claim to expire; the email is then sent again, with the same Message-ID.
"""
import logging
import os
import smtplib
import socket
import threading
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# Set when the process is asked to stop: delivery ends after the email being sent.
stopping = threading.Event()
_outbox = OutboxEmail.__table__


def queue_email(to, subject, body, *, studio=None, dedupe_key=None):
    """Store an email for delivery. With a dedupe_key, a second call queues nothing."""
    if dedupe_key and db.session.scalar(
        select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key)
    ):
        return None
    email = OutboxEmail(
        studio_id=getattr(studio, "id", None), to_address=to, subject=subject[:200],
        body_text=body, dedupe_key=dedupe_key,
    )
    db.session.add(email)
    db.session.flush()
    return email


def message_id(email):
    """The email's Message-ID, the same on every attempt: its outbox id at our domain."""
    return f"<{email.id}@{current_app.config['MAIL_MESSAGE_ID_DOMAIN']}>"


def retry_delay(attempts):
    """Exponential backoff after a failed attempt: 1, 2, 4, ... minutes."""
    return timedelta(minutes=2 ** (attempts - 1))


def _send(email):
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        # Development: the console is the mail server.
        print(f"\n--- email to {email.to_address}: {email.subject}\n{email.body_text}---\n",
              flush=True)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(email)
    message.set_content(email.body_text)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                      timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _due(now):
    """Pending emails whose time has come, and claims whose lease has run out."""
    return sa.or_(
        sa.and_(_outbox.c.status == "pending", _outbox.c.next_attempt_at <= now),
        sa.and_(_outbox.c.status == "sending", _outbox.c.lease_until < now),
    )


def _claim_next(worker):
    """Claim the next due email for `worker` and commit the claim; None when none is due.

    One UPDATE whose WHERE re-checks that the row is still due, so of two workers racing for
    a row one gets it and the other none (SQLite runs writes one at a time; PostgreSQL's
    SKIP LOCKED lets the other move on to the next row instead of waiting)."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    candidate = (select(_outbox.c.id).where(_due(now)).order_by(_outbox.c.next_attempt_at)
                 .limit(1).with_for_update(skip_locked=True).scalar_subquery())
    claimed = db.session.execute(
        sa.update(_outbox).where(_outbox.c.id == candidate, _due(now))
        .values(status="sending", claimed_by=worker, lease_until=now + lease,
                attempts=_outbox.c.attempts + 1)
        .returning(*_outbox.c)
    ).first()
    db.session.commit()
    return claimed


def _record(email, worker, **values):
    """Store the outcome of `worker`'s attempt, unless its claim was taken over meanwhile."""
    recorded = db.session.execute(
        sa.update(_outbox)
        .where(_outbox.c.id == email.id, _outbox.c.status == "sending",
               _outbox.c.claimed_by == worker)
        .values(lease_until=None, **values)
    ).rowcount
    db.session.commit()
    if not recorded:
        log.warning("email %s: the claim ran out while it was being sent; another worker "
                    "took it over", email.id)


def _record_failure(email, worker, exc):
    log.warning("email %s failed (attempt %s): %s", email.id, email.attempts, exc)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if email.attempts >= MAX_ATTEMPTS:
        _record(email, worker, status="failed", last_error=error)
    else:
        _record(email, worker, status="pending", last_error=error,
                next_attempt_at=utcnow() + retry_delay(email.attempts))


def _worker_name():
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def deliver_pending(limit=100, send=None, *, stop=stopping):
    """Send up to `limit` due emails, one at a time: claim, send, record. A failure is
    retried with exponential backoff, up to MAX_ATTEMPTS. Once `stop` is set no further
    email is claimed. Returns (sent, failed)."""
    send = send or _send
    worker = _worker_name()
    sent = failed = 0
    while sent + failed < limit and not stop.is_set():
        email = _claim_next(worker)
        if email is None:
            break
        try:
            send(email)
        except Exception as exc:  # any transport failure: keep the mail, retry later
            failed += 1
            _record_failure(email, worker, exc)
        else:
            sent += 1
            _record(email, worker, status="sent", sent_at=utcnow())
    return sent, failed
