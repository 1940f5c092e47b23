"""The email outbox: queue in the request's transaction, deliver from the worker."""
import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


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
    message.set_content(email.body_text)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def deliver_pending(limit=100, send=None):
    """Send due emails; failures retry with exponential backoff. Returns (sent, failed)."""
    send = send or _send
    now = utcnow()
    due = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    sent = failed = 0
    for email in due:
        email.attempts += 1
        try:
            send(email)
        except Exception as exc:  # any transport failure: keep the mail, retry later
            failed += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = "failed"
            else:
                email.next_attempt_at = utcnow() + timedelta(minutes=2 ** (email.attempts - 1))
            log.warning("email %s failed (attempt %s): %s", email.id, email.attempts, exc)
        else:
            sent += 1
            email.status, email.sent_at = "sent", utcnow()
        db.session.commit()
    return sent, failed
