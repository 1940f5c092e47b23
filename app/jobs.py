"""Background jobs (huey): the email outbox now; reminders and other jobs join here.

Storage is SQLite under instance/ by default and Redis when REDIS_URL is set. Tasks run
inside an application context of the worker's own app.
"""
import os
from functools import wraps

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

from config import INSTANCE_DIR


def _make_huey():
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("cadenza", url=redis_url)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("cadenza", filename=str(INSTANCE_DIR / "jobs.db"))


huey = _make_huey()
_worker_app = None


def init_app(app):
    huey.immediate = bool(app.config.get("HUEY_IMMEDIATE"))


def _with_app(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        global _worker_app
        if _worker_app is None:
            from app import create_app

            _worker_app = create_app()
        with _worker_app.app_context():
            return fn(*args, **kwargs)

    return wrapper


@huey.periodic_task(crontab(minute="*"))
@_with_app
def deliver_outbox():
    from app.messaging.services import deliver_pending

    sent, failed = deliver_pending()
    if sent or failed:
        current_app.logger.info("outbox: %s sent, %s failed", sent, failed)
    return sent, failed


@huey.periodic_task(crontab(minute="15", hour="*"))
@_with_app
def mark_overdue_invoices():
    """Hourly, so each studio's invoices turn overdue soon after its local midnight; the job
    is idempotent (an invoice is marked, charged a late fee and reminded once)."""
    from app.billing.jobs import mark_all_overdue

    return mark_all_overdue()


@huey.periodic_task(crontab(minute="5", hour="*"))
@_with_app
def extend_lesson_horizons():
    """Hourly and idempotent: open-ended recurring series keep their lessons generated 26
    weeks ahead of each studio's own today (clashing occurrences are skipped and logged)."""
    from app.extensions import db
    from app.scheduling.services import extend_all_series

    try:
        created = extend_all_series()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if created:
        current_app.logger.info("lesson horizon: %s lessons created", created)
    return created


@huey.periodic_task(crontab(minute="*/10"))
@_with_app
def send_lesson_reminders():
    """Queue a reminder email for every lesson starting within 24 hours, once per lesson
    (the outbox delivers them)."""
    from app.extensions import db
    from app.scheduling.services import send_due_reminders

    try:
        queued = send_due_reminders()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return queued
