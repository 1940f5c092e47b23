"""Delivering the outbox through a real SMTP server: every email once, a stable Message-ID,
nothing lost while the server is down."""
import threading
import time
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.messaging.services import deliver_pending, queue_email
from tests.messaging.conftest import DOMAIN


def queue_batch(app, count, prefix="pupil"):
    with app.app_context():
        emails = [queue_email(f"{prefix}{n}@example.test", f"Lesson {n}", f"Body {n}")
                  for n in range(count)]
        db.session.commit()
        return [email.id for email in emails]


def statuses(app):
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxEmail.status)))


def unsent(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).where(OutboxEmail.status != "sent"))


def test_every_message_carries_a_message_id_made_of_its_outbox_id(app, mail_config, smtp_server):
    [email_id] = queue_batch(app, 1)

    with app.app_context():
        assert deliver_pending() == (1, 0)

    [message] = smtp_server.mailbox.messages
    assert message["Message-ID"] == f"<{email_id}@{DOMAIN}>"
    assert message["To"] == "pupil0@example.test"


def test_two_workers_racing_on_one_outbox_send_each_email_once(app, mail_config, smtp_server):
    ids = queue_batch(app, 12)
    smtp_server.mailbox.delay = 0.05  # long enough for the two workers to overlap
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            with app.app_context():
                start.wait()
                deadline = time.monotonic() + 30
                while unsent(app) and time.monotonic() < deadline:  # a worker's periodic runs
                    deliver_pending(limit=100)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    mailbox = smtp_server.mailbox
    assert sorted(mailbox.recipients) == sorted(f"pupil{n}@example.test" for n in range(12))
    assert set(mailbox.message_ids) == {f"<{i}@{DOMAIN}>" for i in ids}
    assert statuses(app) == ["sent"] * 12
    with app.app_context():  # both took part: the race was real
        assert len(set(db.session.scalars(select(OutboxEmail.claimed_by)))) == 2


def test_an_smtp_outage_keeps_every_email_and_a_later_run_delivers_each_once(
        app, mail_config, smtp_server):
    queue_batch(app, 5)
    smtp_server.stop()  # nobody listens on the port: every connection is refused

    with app.app_context():
        assert deliver_pending() == (0, 5)
    assert statuses(app) == ["pending"] * 5

    smtp_server.start()
    with app.app_context():
        assert deliver_pending() == (0, 0)  # backing off: not due yet
        with time_machine.travel(utcnow() + timedelta(minutes=1, seconds=1)):
            assert deliver_pending() == (5, 0)
            assert deliver_pending() == (0, 0)

    assert sorted(smtp_server.mailbox.recipients) == [f"pupil{n}@example.test" for n in range(5)]
    assert set(smtp_server.mailbox.message_ids.values()) == {1}
    assert statuses(app) == ["sent"] * 5


def test_a_temporary_smtp_refusal_is_retried_with_backoff_and_delivered_once(
        app, mail_config, smtp_server):
    queue_batch(app, 3)
    smtp_server.mailbox.refuse_next = 2  # 451 for the first two messages

    with app.app_context():
        assert deliver_pending() == (1, 2)
        retried = db.session.scalars(select(OutboxEmail).where(OutboxEmail.status == "pending")).all()
        assert [email.attempts for email in retried] == [1, 1]
        assert all("451" in email.last_error for email in retried)
        with time_machine.travel(utcnow() + timedelta(minutes=1, seconds=1)):
            assert deliver_pending() == (2, 0)
            assert deliver_pending() == (0, 0)

    assert sorted(smtp_server.mailbox.recipients) == [f"pupil{n}@example.test" for n in range(3)]
    assert set(smtp_server.mailbox.message_ids.values()) == {1}


def claim_as_dead_worker(app, email_id, lease_left):
    """The row as a worker leaves it when it dies mid-send."""
    with app.app_context():
        email = db.session.get(OutboxEmail, email_id)
        email.status, email.claimed_by, email.attempts = "sending", "gone:1:dead", 1
        email.lease_until = utcnow() + lease_left
        db.session.commit()


def test_a_live_claim_is_left_alone_and_an_expired_one_is_taken_over_under_the_same_message_id(
        app, mail_config, smtp_server):
    live, expired = queue_batch(app, 2)
    claim_as_dead_worker(app, live, timedelta(minutes=5))
    claim_as_dead_worker(app, expired, -timedelta(seconds=1))

    with app.app_context():
        assert deliver_pending() == (1, 0)
        taken_over = db.session.get(OutboxEmail, expired)
        assert (taken_over.status, taken_over.attempts, taken_over.lease_until) == ("sent", 2, None)
        assert db.session.get(OutboxEmail, live).status == "sending"

    assert list(smtp_server.mailbox.message_ids) == [f"<{expired}@{DOMAIN}>"]


def test_a_stop_request_lets_the_email_in_hand_finish_and_claims_no_other(app, mail_config):
    queue_batch(app, 3)
    stop = threading.Event()
    sent = []

    def send_then_get_stopped(email):
        sent.append(email.to_address)
        stop.set()  # as SIGTERM does while an email is on its way

    with app.app_context():
        assert deliver_pending(send=send_then_get_stopped, stop=stop) == (1, 0)

    assert len(sent) == 1
    assert statuses(app) == ["pending", "pending", "sent"]
