"""Rate limits hold across the processes of one deployment, with no Redis and no setup.

A real `gunicorn -w 4` serves the test database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set) on a loopback port; requests go in eight at a time, so every worker
takes some. Each budget must let exactly its number of requests through, not that number per
worker. The counters live in the store this process's app uses too, so `limiter.reset()`
after every test clears them for the server as well.
"""
import concurrent.futures
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import CSRF_RE

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
IN_FLIGHT = 8


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def _wait_up(port, server, log):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if _request(port, "GET", "/api/v1/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer in time:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(app, database_url, tmp_path_factory):
    """The port of gunicorn with four workers on the test database (migrated by `app`)."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("gunicorn")
    log = folder / "gunicorn.log"
    env = {name: value for name, value in os.environ.items()
           if name not in {"REDIS_URL", "TEST_DATABASE_URL", "FLASK_ENV"}}
    env.update(DATABASE_URL=database_url, CADENZA_ENV="development", INSTANCE_DIR=str(folder),
               RATELIMIT_ENABLED="1", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
               f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output,  # noqa: S603 # nosec B603
                                  start_new_session=True)
    try:
        _wait_up(port, server, log)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture()
def teacher(make):
    studio = make.studio()
    user = make.member(studio, "teacher")
    db.session.commit()
    return user


def fire(port, requests):
    """Send (method, path, body, headers) requests, IN_FLIGHT at a time; their statuses."""
    with concurrent.futures.ThreadPoolExecutor(IN_FLIGHT) as pool:
        answers = list(pool.map(lambda request: _request(port, *request), requests))
    return answers


def statuses(answers):
    return Counter(status for status, _headers, _body in answers)


def api_login(email):
    body = json.dumps({"email": email, "password": "wrong-password"})
    return "POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"}


def test_failed_api_sign_ins_are_limited_across_workers(server, teacher):
    answers = fire(server, [api_login(teacher.email)] * 24)

    assert statuses(answers) == {401: 10, 429: 14}
    refused = next(answer for answer in answers if answer[0] == 429)
    assert json.loads(refused[2])["code"] == "RATE_LIMITED"
    assert int(refused[1]["Retry-After"]) >= 1


def test_failed_page_sign_ins_are_limited_across_workers(server, teacher):
    status, headers, html = _request(server, "GET", "/login")
    match = CSRF_RE.search(html)
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    form = urllib.parse.urlencode({"email": teacher.email, "password": "wrong-password",
                                   "csrf_token": match.group(1) or match.group(2)})
    post = ("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                     "Cookie": cookie})

    answers = fire(server, [post] * 24)

    assert statuses(answers) == {422: 10, 429: 14}
    assert sum("Email or password is not correct" in body for _s, _h, body in answers) == 10


def test_failed_sign_ins_from_one_address_are_limited_whatever_the_email(server):
    emails = [f"nobody-{uuid.uuid4().hex[:8]}@example.test" for _ in range(60)]

    answers = fire(server, [api_login(email) for email in emails])

    assert statuses(answers) == {401: 50, 429: 10}


def test_the_anonymous_api_budget_is_shared_by_the_workers(server):
    answers = fire(server, [("GET", "/api/v1/studios", None, {})] * 130)

    assert statuses(answers) == {401: 100, 429: 30}
    remaining = sorted(int(headers["X-RateLimit-Remaining"]) for _s, headers, _b in answers)
    assert remaining[:31] == [0] * 31 and remaining[31:] == list(range(1, 100))

