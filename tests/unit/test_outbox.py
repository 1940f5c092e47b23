"""The email outbox: queued in the request's transaction, delivered and retried by the worker."""
import socket
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.messaging.services import MAX_ATTEMPTS, deliver_pending, queue_email


@pytest.fixture()
def frozen():
    with time_machine.travel(utcnow().replace(microsecond=0), tick=False) as traveller:
        yield traveller


@pytest.fixture()
def dead_mail_server(app, monkeypatch):
    """A real SMTP connection to a port nobody listens on: every send fails."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    return port


class Recorder:
    def __init__(self):
        self.sent = []

    def __call__(self, email):
        self.sent.append(email.to_address)


def reload(email):
    db.session.expire_all()
    return db.session.get(OutboxEmail, email.id)


def test_queued_email_is_pending_until_delivered(ctx):
    email = queue_email("ada@example.test", "Hello", "Body")

    assert (email.status, email.attempts, email.sent_at) == ("pending", 0, None)


def test_deliver_pending_sends_due_mail_only(ctx, frozen):
    due = queue_email("due@example.test", "Due", "Body")
    later = queue_email("later@example.test", "Later", "Body")
    later.next_attempt_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    recorder = Recorder()

    assert deliver_pending(send=recorder) == (1, 0)

    assert recorder.sent == ["due@example.test"]
    assert reload(due).status == "sent" and reload(due).sent_at == utcnow()
    assert reload(due).attempts == 1
    assert reload(later).status == "pending"


def test_sent_mail_is_not_sent_again(ctx):
    queue_email("ada@example.test", "Hello", "Body")
    db.session.commit()
    recorder = Recorder()

    deliver_pending(send=recorder)
    deliver_pending(send=recorder)

    assert recorder.sent == ["ada@example.test"]


def test_without_a_mail_server_the_console_is_the_mail_server(ctx, capsys):
    queue_email("ada@example.test", "Your invitation", "Click the link")
    db.session.commit()

    assert deliver_pending() == (1, 0)

    out = capsys.readouterr().out
    assert "email to ada@example.test: Your invitation" in out
    assert "Click the link" in out


def test_a_failing_mail_server_keeps_the_mail_with_backoff(ctx, frozen, dead_mail_server):
    email = queue_email("ada@example.test", "Hello", "Body")
    db.session.commit()

    assert deliver_pending() == (0, 1)

    stored = reload(email)
    assert stored.status == "pending"
    assert stored.attempts == 1
    assert stored.next_attempt_at == utcnow() + timedelta(minutes=1)
    assert "ConnectionRefusedError" in stored.last_error


def test_retries_back_off_exponentially(ctx, frozen):
    email = queue_email("ada@example.test", "Hello", "Body")
    db.session.commit()

    def failing(_email):
        raise OSError("mail server down")

    delays = []
    for _ in range(4):
        deliver_pending(send=failing)
        assert deliver_pending(send=failing) == (0, 0)  # not due again yet
        stored = reload(email)
        delays.append(stored.next_attempt_at - utcnow())
        frozen.move_to(stored.next_attempt_at)

    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert reload(email).attempts == 4


def test_mail_fails_for_good_after_max_attempts(ctx, frozen):
    email = queue_email("ada@example.test", "Hello", "Body")
    db.session.commit()

    def failing(_email):
        raise OSError("mail server down")

    for _ in range(MAX_ATTEMPTS):
        deliver_pending(send=failing)
        frozen.move_to(reload(email).next_attempt_at)

    stored = reload(email)
    assert (stored.status, stored.attempts) == ("failed", MAX_ATTEMPTS)
    frozen.shift(timedelta(days=30))
    recorder = Recorder()
    deliver_pending(send=recorder)
    assert recorder.sent == []


def test_a_failure_does_not_stop_the_other_mails(ctx):
    queue_email("bad@example.test", "Hello", "Body")
    queue_email("good@example.test", "Hello", "Body")
    db.session.commit()
    delivered = []

    def flaky(email):
        if email.to_address.startswith("bad"):
            raise OSError("mailbox unavailable")
        delivered.append(email.to_address)

    assert deliver_pending(send=flaky) == (1, 1)
    assert delivered == ["good@example.test"]


def test_dedupe_key_queues_once(ctx):
    first = queue_email("ada@example.test", "Reminder", "Body", dedupe_key="lesson-reminder:42")
    second = queue_email("ada@example.test", "Reminder", "Body", dedupe_key="lesson-reminder:42")
    other = queue_email("ada@example.test", "Reminder", "Body", dedupe_key="lesson-reminder:43")

    assert first is not None and second is None and other is not None
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 2


def test_long_subjects_are_truncated_to_the_column(ctx):
    email = queue_email("ada@example.test", "x" * 500, "Body")
    db.session.commit()

    assert len(reload(email).subject) == 200


def test_the_worker_task_delivers_the_outbox(ctx):
    from app.jobs import deliver_outbox

    queue_email("ada@example.test", "Hello", "Body")
    db.session.commit()

    result = deliver_outbox.call_local()

    assert result == (1, 0)
