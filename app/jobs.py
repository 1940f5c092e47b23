"""Background jobs (huey): the email outbox now; reminders and other jobs join here.

Storage is SQLite under instance/ by default and Redis when REDIS_URL is set. Tasks run
inside an application context of the worker's own app.
"""
import os
import signal
from functools import wraps

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from app import create_app
from app.billing.jobs import auto_invoice, mark_all_overdue
from app.core import idempotency
from app.core import jobs as background
from app.extensions import db
from app.messaging.services import deliver_pending, send_due_digests, stopping
from app.people.jobs import import_people
from app.scheduling.services import extend_all_series, send_due_reminders
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
    background.enqueue_with(run_background_job)


background.register("auto_invoice", auto_invoice, permission="invoices.manage",
                    label="Auto-invoicing")
background.register("people_import", import_people, permission="people.import",
                    label="Import of families and students")


def _with_app(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        global _worker_app
        if _worker_app is None:
            _worker_app = create_app()
        with _worker_app.app_context():
            return fn(*args, **kwargs)

    return wrapper


def _committed(work, *args):
    """Run a job's `work` and commit what it wrote; roll back and re-raise if it fails."""
    try:
        result = work(*args)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


class GracefulConsumer(Consumer):
    """huey's consumer, stopping gracefully on SIGTERM as on SIGINT: running tasks finish, and
    the outbox finishes the email it is sending and claims no other. A second signal stops it
    at once. SIGHUP still restarts it, gracefully too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, graceful_signal="TERM", **kwargs)
        self._signal_actions[signal.SIGINT] = self._signal_actions[signal.SIGTERM]

    def _handle_signal(self, signum, frame):
        super()._handle_signal(signum, frame)
        if self._graceful:
            stopping.set()


def run_worker(workers=1):
    """Run the consumer with the periodic tasks until stopped; the outbox is delivered at
    once rather than at the next minute."""
    deliver_outbox()
    GracefulConsumer(huey, workers=workers, periodic=True, check_worker_health=True).run()


@huey.task()
@_with_app
def run_background_job(job_id):
    """A job a page started (app/core/jobs.py): its progress is on its page."""
    job = background.run_job(job_id)
    return getattr(job, "status", None)


@huey.periodic_task(crontab(minute="*"))
@_with_app
def deliver_outbox():
    sent, failed = deliver_pending()
    if sent or failed:
        current_app.logger.info("outbox: %s sent, %s failed", sent, failed)
    return sent, failed


@huey.periodic_task(crontab(minute="15", hour="*"))
@_with_app
def mark_overdue_invoices():
    """Hourly, so each studio's invoices turn overdue soon after its local midnight; the job
    is idempotent (an invoice is marked, charged a late fee and reminded once)."""
    return mark_all_overdue()


@huey.periodic_task(crontab(minute="5", hour="*"))
@_with_app
def extend_lesson_horizons():
    """Hourly and idempotent: open-ended recurring series keep their lessons generated 26
    weeks ahead of each studio's own today (clashing occurrences are skipped and logged)."""
    created = _committed(extend_all_series)
    if created:
        current_app.logger.info("lesson horizon: %s lessons created", created)
    return created


@huey.periodic_task(crontab(minute="*/10"))
@_with_app
def send_lesson_reminders():
    """Remind every lesson whose studio's lead time has come (24 hours by default), by email
    (the outbox delivers them) and in the bell, once per lesson and recipient, also when two
    runs overlap (app/scheduling/services/reminders.py)."""
    return _committed(send_due_reminders)


@huey.periodic_task(crontab(minute="20", hour="*"))
@_with_app
def mark_overdue_checkouts():
    """Hourly, so loans turn overdue soon after each studio's local midnight; idempotent
    (a loan already overdue is left alone)."""
    from app.inventory.services import mark_all_overdue_checkouts

    return _committed(mark_all_overdue_checkouts)


@huey.periodic_task(crontab(minute="*"))
@_with_app
def deliver_webhooks():
    """Every minute: fan new events out to the endpoints that chose them and send what is
    due, each delivery once, in order per object, retried with backoff
    (app/webhooks/services/delivery.py)."""
    from app.webhooks.services import deliver_due

    try:
        return deliver_due()
    except Exception:
        db.session.rollback()
        raise


@huey.periodic_task(crontab(minute="*/5"))
@_with_app
def send_thread_digests():
    """Every five minutes: email each participant the messages they have not read, at most
    once per thread per hour, once also when two runs overlap (the claim commits with the
    email, app/messaging/services/digests.py)."""
    return send_due_digests()


@huey.periodic_task(crontab(minute="40", hour="3"))
@_with_app
def purge_sync_tombstones():
    """Daily: the ids of deleted rows that API lists give with `include_deleted` are kept
    TOMBSTONE_DAYS (app/core/sync.py); older ones go."""
    from app.core.sync import purge_tombstones

    return _committed(purge_tombstones)


@huey.periodic_task(crontab(minute="40", hour="*"))
@_with_app
def purge_idempotency_keys():
    """Hourly: forget the answers kept for `Idempotency-Key` retries once they are 24 hours
    old (app/core/idempotency.py); a retry after that runs as a new request."""
    return _committed(idempotency.purge_expired)


@huey.periodic_task(crontab(minute="50", hour="3"))
@_with_app
def purge_webhook_log():
    """Daily: webhook deliveries are shown for 30 days; older finished ones, their attempts
    and the events nothing refers to any more go (app/webhooks/services/delivery.py)."""
    from app.webhooks.services import purge_old

    return _committed(purge_old)
