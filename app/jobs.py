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
