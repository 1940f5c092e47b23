"""The email outbox: queue in the request's transaction, deliver from the worker.

Delivery claims one email at a time (one conditional UPDATE, committed), sends it, then
records the outcome, so that two workers never send the same email and a worker stopped by
SIGTERM finishes the email in hand first (`stopping`). A worker killed outright leaves its
claim to expire; the email is then sent again, with the same Message-ID.

What goes on the wire is made at send time from the row: the text, and the HTML (with the
studio's logo as an inline part when the HTML shows it) as alternatives, the row's extra
headers, and its attachment, made by the maker another domain registered for its kind
(`register_attachment`), so the outbox stores no file and knows no domain's documents.
"""
import email.policy
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
from sqlalchemy.orm import undefer

from app.accounts.models import Studio
from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# Set when the process is asked to stop: delivery ends after the email being sent.
stopping = threading.Event()
# Headers up to RFC 5322's 998 characters stay on one line: folded at 78, a long header
# without spaces (List-Unsubscribe's URL) would be sent as encoded words no client reads.
UNFOLDED = email.policy.default.clone(max_line_length=998)
_outbox = OutboxEmail.__table__
# The HTML shows the studio's logo as <img src="cid:studio-logo">; the part carries this id.
LOGO_CID = "studio-logo"
# Headers the outbox writes itself; an email's own `headers` may not replace them.
OWN_HEADERS = frozenset({"from", "to", "subject", "date", "message-id", "mime-version",
                         "content-type", "content-transfer-encoding"})
_attachment_makers = {}


def register_attachment(kind, maker):
    """Let emails carry attachments of `kind` ("invoice-pdf"), made at send time by
    `maker(value, studio_id) -> (filename, content_type, bytes)` from the email's
    `attachment` "kind:value". The app factory registers each kind once."""
    _attachment_makers[kind] = maker


def _check_headers(headers):
    """Extra headers as {name: value}; a programming error (ValueError) for a header the
    outbox writes itself, or a name or value that would break the message."""
    headers = {str(name): str(value) for name, value in (headers or {}).items()}
    for name, value in headers.items():
        if (name.lower() in OWN_HEADERS or not name.isascii() or ":" in name
                or any(c.isspace() for c in name) or "\r" in value or "\n" in value):
            raise ValueError(f"header {name!r} cannot be set on an outbox email")
    return headers


def _check_attachment(attachment):
    if attachment is not None and attachment.partition(":")[0] not in _attachment_makers:
        raise ValueError(f"no maker is registered for the attachment {attachment!r}")
    return attachment


def queue_email(to, subject, body, *, studio=None, dedupe_key=None, html="", headers=None,
                attachment=None):
    """Store an email for delivery: its text `body`, optionally an `html` part, extra
    `headers` (List-Unsubscribe) and an `attachment` made when it is sent
    ("invoice-pdf:<id>"). With a dedupe_key, a second call queues nothing."""
    headers, attachment = _check_headers(headers), _check_attachment(attachment)
    if dedupe_key and db.session.scalar(
        select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key)
    ):
        return None
    email = OutboxEmail(
        studio_id=getattr(studio, "id", None), to_address=to, subject=subject[:200],
        body_text=body, body_html=html or "", headers=headers,
        attachment=attachment, dedupe_key=dedupe_key,
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


def _logo(studio_id):
    """The studio's logo (PNG bytes), or None."""
    if studio_id is None:
        return None
    studio = db.session.get(Studio, studio_id, options=[undefer(Studio.logo)])
    return studio.logo if studio is not None and studio.logo_digest else None


def make_attachment(attachment, studio_id):
    """(filename, content_type, bytes) of an email's `attachment` "kind:value"."""
    kind, _, value = attachment.partition(":")
    maker = _attachment_makers.get(kind)
    if maker is None:
        raise LookupError(f"no maker is registered for the attachment {attachment!r}")
    return maker(value, studio_id)


def build_message(email):
    """The MIME message of an outbox row: multipart/alternative text and HTML (the HTML
    multipart/related with the logo when it shows it), inside multipart/mixed when it has
    an attachment."""
    message = EmailMessage(policy=UNFOLDED)
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(email)
    for name, value in (email.headers or {}).items():
        message[name] = value
    message.set_content(email.body_text)
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
        logo = _logo(email.studio_id) if f"cid:{LOGO_CID}" in email.body_html else None
        if logo:
            html_part = message.get_payload()[1]
            html_part.add_related(logo, "image", "png", cid=f"<{LOGO_CID}>",
                                  disposition="inline", filename="logo.png")
    if email.attachment:
        filename, content_type, data = make_attachment(email.attachment, email.studio_id)
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype, subtype, filename=filename)
    return message


def _send(email):
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        # Development: the console is the mail server.
        extra = f"[attached: {email.attachment}]\n" if email.attachment else ""
        print(f"\n--- email to {email.to_address}: {email.subject}\n{email.body_text}{extra}---\n",
              flush=True)
        return
    message = build_message(email)
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
            db.session.rollback()  # end what making the message began (a failed query)
            _record_failure(email, worker, exc)
        else:
            sent += 1
            _record(email, worker, status="sent", sent_at=utcnow())
    return sent, failed
