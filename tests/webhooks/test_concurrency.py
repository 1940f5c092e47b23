"""Two workers delivering at once (PostgreSQL): each delivery is claimed by one of them, so
the receiver gets every event once, and the events of one object still in order."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.core.webhook_events import emit
from app.extensions import db
from app.webhooks import services
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.services.endpoints import MAX_ENDPOINTS
from tests.concurrency import parallel

EVENTS = 40


class Subject:
    """Stands for an object events are about (emit reads its id and type name)."""

    def __init__(self, number):
        import uuid

        self.id = uuid.UUID(int=number + 1)


def _worker(app):
    def run(_client):
        with app.app_context():
            try:
                return services.deliver_due(now=utcnow() + timedelta(seconds=1))
            except Exception:
                db.session.rollback()
                raise
    return run


@pytest.mark.postgres
def test_two_workers_deliver_each_event_once_and_in_order(app, hook_world, receiver):
    subjects = [Subject(n) for n in range(4)]
    for number in range(EVENTS):
        emit(hook_world.studio, "invoice.paid", subjects[number % 4], {"n": number})
    db.session.commit()
    results = parallel(app, [_worker(app), _worker(app)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    while services.deliver_due(now=utcnow() + timedelta(seconds=1)) != (0, 0):
        pass  # what a later run picks up (a subject's next event waits for the one before)
    numbers = [r.json["data"]["n"] for r in receiver.requests]
    assert sorted(numbers) == list(range(EVENTS))  # each once
    for subject in range(4):
        mine = [n for n in numbers if n % 4 == subject]
        assert mine == sorted(mine)  # in order per object
    db.session.expire_all()
    assert set(db.session.scalars(select(WebhookDelivery.status))) == {"succeeded"}
    assert sum(sum(r) for r in results) <= EVENTS


@pytest.mark.postgres
def test_twenty_endpoints_added_at_once_never_pass_the_studios_limit(app, client, hook_world):
    """The studio has one endpoint; 20 more at once: 19 fit (201), the others get 409."""
    from tests.conftest import api_login, bearer

    headers = bearer(api_login(client, hook_world.admin.email))

    def add(number):
        def run(each):
            return each.post("/api/v1/webhooks", headers=headers, json={
                "url": f"https://hooks{number}.example.com/in", "events": ["lesson.created"]}
            ).status_code
        return run

    statuses = parallel(app, [add(n) for n in range(20)])
    assert sorted(statuses) == [201] * 19 + [409], statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == MAX_ENDPOINTS
