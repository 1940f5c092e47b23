"""Loaders shared by the thread pages and the API: a thread the caller takes part in, or 404
(also for an admin who is not in it), before any input is read."""
from app.core.tenancy import get_or_404
from app.messaging import policies
from app.messaging.models import Thread


def visible_thread(thread_id):
    return get_or_404(Thread, thread_id, stmt=policies.visible_threads())
