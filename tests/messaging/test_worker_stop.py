"""The real worker processes, stopped mid-batch while a slow SMTP server takes each email.

SIGTERM (what a service manager or `docker stop` sends) lets the worker finish the email it is
handing over and then stop, so nothing is sent twice. SIGKILL gives it no chance: the email in
flight may have reached the server already, so after the restart it can arrive twice, but then
with the same Message-ID, and every other email arrives once.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.messaging.services import deliver_pending
from tests.messaging.conftest import DOMAIN
from tests.messaging.test_delivery import queue_batch

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3

pytestmark = pytest.mark.slow


class Processes:
    """`flask jobs ...` run as the deployment runs them, against the test's database file
    (or PostgreSQL schema) and the test's SMTP server; all are killed at the end."""

    def __init__(self, database_url, smtp_port, tmp_path):
        self.env = {**os.environ, "FLASK_APP": "wsgi.py", "CADENZA_ENV": "development",
                    "DATABASE_URL": database_url, "INSTANCE_DIR": str(tmp_path),
                    "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "MAIL_USE_TLS": "0",
                    "MAIL_MESSAGE_ID_DOMAIN": DOMAIN, "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
                    "PYTHONUNBUFFERED": "1"}
        self.env.pop("REDIS_URL", None)  # huey keeps its queue in a file under INSTANCE_DIR
        self.log = tmp_path / "jobs.log"
        self.started = []

    def start(self, *command):
        with self.log.open("a") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and app # nosec B603
                [sys.executable, "-m", "flask", "jobs", *command], cwd=ROOT, env=self.env,
                stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def output(self):
        return self.log.read_text()[-4000:]

    def kill_all(self):
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture()
def jobs(database_url, smtp_server, tmp_path):
    processes = Processes(database_url, smtp_server.port, tmp_path)
    yield processes
    processes.kill_all()


def count_by_status(app):
    with app.app_context():
        return dict(db.session.execute(
            select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())


def wait_until(condition, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{message} not reached in {timeout} s"
        time.sleep(0.1)


@pytest.mark.parametrize("command", ["send-outbox", "worker"])
def test_sigterm_finishes_the_email_being_sent_then_stops(app, mail_config, smtp_server, jobs,
                                                         command):
    ids = queue_batch(app, 6)
    mailbox = smtp_server.mailbox
    mailbox.delay = 0.5  # each email takes half a second to be accepted

    process = jobs.start(command)
    mailbox.wait_for(2)  # the second email has reached the server, which has not answered yet
    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=30) == 0, jobs.output()
    assert len(mailbox.messages) == 2  # no email was begun after the signal
    assert count_by_status(app) == {"sent": 2, "pending": 4}

    with app.app_context():  # a later run delivers the rest
        assert deliver_pending() == (4, 0)

    assert mailbox.message_ids == {f"<{email_id}@{DOMAIN}>": 1 for email_id in ids}
    assert count_by_status(app) == {"sent": 6}


def test_a_killed_worker_restarted_delivers_every_email_a_resend_keeps_its_message_id(
        app, smtp_server, jobs):
    ids = queue_batch(app, 6)
    mailbox = smtp_server.mailbox
    mailbox.delay = 0.5

    worker = jobs.start("worker")
    mailbox.wait_for(3)  # the third email has reached the server, which has not answered yet
    worker.kill()
    worker.wait(timeout=10)
    in_flight = mailbox.messages[2]["Message-ID"]
    assert count_by_status(app) == {"sent": 2, "sending": 1, "pending": 3}

    with app.app_context():  # the dead worker's claim runs out before the restart
        lease_until = db.session.scalar(
            select(OutboxEmail.lease_until).where(OutboxEmail.status == "sending"))
    time.sleep(max((lease_until - utcnow()).total_seconds(), 0) + 0.2)
    restarted = jobs.start("worker")
    wait_until(lambda: count_by_status(app) == {"sent": 6}, message="every email sent")
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(timeout=30) == 0, jobs.output()

    expected = {f"<{email_id}@{DOMAIN}>": 1 for email_id in ids}
    expected[in_flight] = 2  # handed over once before the kill, once after the restart
    assert mailbox.message_ids == expected
