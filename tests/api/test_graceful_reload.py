"""A graceful reload of gunicorn (SIGHUP) under a stream of writes loses none of them.

gunicorn runs as in production (two sync workers, on a loopback port) against the test's own
database: the SQLite file, or the PostgreSQL schema when TEST_DATABASE_URL is set. Two threads
create families over the API while the master is told to reload; afterwards the families in
the database are exactly those whose creation was answered 201.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.people.models import Family
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 2
WRITES_PER_WRITER = 40
STREAM_SECONDS = 60  # a safety bound: the stream takes a few seconds on an idle machine

pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base, path, body=None, token=None, timeout=30):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        f"{base}{path}", data=json.dumps(body).encode() if body else None, headers=headers,
        method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback # nosec B310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def answers_health(base):
    try:
        return call(base, "/api/v1/health", timeout=5)[0] == 200
    except OSError:  # not listening yet, or its workers still booting
        return False


def worker_pids(master):
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return set(children.read_text().split()) if children.exists() else set()


@pytest.fixture()
def gunicorn(database_url, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "CADENZA_ENV": "development",
           "INSTANCE_DIR": str(tmp_path), "RATELIMIT_ENABLED": "0"}
    env.pop("REDIS_URL", None)
    log = (tmp_path / "gunicorn.log").open("w")
    master = subprocess.Popen(  # noqa: S603 - our own interpreter and app # nosec B603
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--graceful-timeout", "20", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not answers_health(base):
            assert master.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.2)
        yield master, base
    finally:
        master.terminate()
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()
        log.close()


def test_sighup_under_a_stream_of_writes_loses_no_committed_write(app, studio_setup, gunicorn):
    master, base = gunicorn
    status, tokens = call(base, "/api/v1/auth/login",
                          {"email": studio_setup.users["admin"].email, "password": PASSWORD})
    assert status == 200
    answers = {}  # family name -> HTTP status, or the error that came instead of an answer
    answered = threading.Semaphore(0)
    stop_at = time.monotonic() + STREAM_SECONDS

    def writer(number):
        for n in range(WRITES_PER_WRITER):
            if time.monotonic() > stop_at:
                return
            name = f"Reload {number}-{n}"
            try:
                answers[name] = call(base, "/api/v1/families", {"name": name}, tokens["access"])[0]
            except OSError as error:
                answers[name] = repr(error)
            answered.release()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for _ in range(20):  # the stream is under way
        assert answered.acquire(timeout=30)
    old_workers = worker_pids(master)
    master.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while not (len(worker_pids(master)) == 2 and not worker_pids(master) & old_workers):
        assert time.monotonic() < deadline, "gunicorn did not replace its workers"
        time.sleep(0.05)
    during_reload = len(answers)
    for thread in threads:
        thread.join(timeout=STREAM_SECONDS + 30)

    with app.app_context():
        stored = set(db.session.scalars(select(Family.name).where(Family.name.like("Reload %"))))
    created = {name for name, status in answers.items() if status == 201}
    assert stored == created
    assert len(answers) > during_reload, "no write was answered by the new workers"
    failures = {name: status for name, status in answers.items() if status != 201}
    assert failures == {}
