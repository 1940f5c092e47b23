"""Rate-limit counters are shared by every process (SPEC §6: scaling out), in Redis and in
the database store used without Redis (app/core/ratelimit_storage.py).

One app runs in this process, a second one in a child process; both count against the same
store. (Two apps inside one process would prove nothing: the Limiter extension object is
shared, so they would share a budget even with in-memory storage.)
"""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from app import create_app
from app.extensions import limiter

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"
STUDIOS = "/api/v1/studios"
LOGIN = "/api/v1/auth/login"

OTHER_PROCESS = """
import json, sys
from app import create_app

database_url, storage, ip, email = sys.argv[1:5]
app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_STORAGE_URI=storage)
client = app.test_client()
env = {"REMOTE_ADDR": ip}
for _ in range(3):
    budget = client.get("/api/v1/studios", environ_base=env)
logins = [client.post("/api/v1/auth/login", json={"email": email, "password": "wrong-password"},
                      environ_base=env).status_code for _ in range(6)]
print(json.dumps({"remaining": budget.headers["X-RateLimit-Remaining"], "logins": logins}))
"""


def random_ip():
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


@pytest.fixture()
def client_ips():
    """Client addresses of this test's own, so parallel runs never share counters."""
    return [random_ip(), random_ip()]


@pytest.fixture()
def client_ip(client_ips):
    return client_ips[0]


@pytest.fixture(params=["redis", "database"])
def storage(request, app):
    """The URI of a store both processes count in: Redis, or the database's own store."""
    return REDIS_URL if request.param == "redis" else app.config["RATELIMIT_STORAGE_URI"]


@pytest.fixture()
def shared_app(app, database_url, client_ips, storage):
    shared_app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                            RATELIMIT_STORAGE_URI=storage)
    yield shared_app
    limiter.init_app(app)  # the shared extension goes back to the session app's storage
    if storage == REDIS_URL:  # the database store is reset after every test
        connection = redis.Redis.from_url(REDIS_URL)
        for ip in client_ips:  # API budget, login limits
            for pattern in (f"*/ip:{ip}/*", f"*/login/{ip}|*", f"*/login-address/{ip}/*"):
                for key in connection.scan_iter(match=pattern):
                    connection.delete(key)
        connection.close()


def run_other_process(database_url, storage, client_ip, email):
    result = subprocess.run(  # noqa: S603 - our own interpreter and script # nosec B603
        [sys.executable, "-c", OTHER_PROCESS, database_url, storage, client_ip, email],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_processes_share_one_api_budget(shared_app, database_url, storage, client_ips):
    client_ip, stranger_ip = client_ips
    client = shared_app.test_client()
    env = {"REMOTE_ADDR": client_ip}
    first = client.get(STUDIOS, environ_base=env)
    assert first.headers["X-RateLimit-Remaining"] == "99"

    other = run_other_process(database_url, storage, client_ip, "shared@example.test")

    # The other process saw this one's request, and this one sees the other's nine.
    assert other["remaining"] == "96"
    after = client.get(STUDIOS, environ_base=env)
    assert after.headers["X-RateLimit-Remaining"] == "89"
    stranger = client.get(STUDIOS, environ_base={"REMOTE_ADDR": stranger_ip})
    assert stranger.headers["X-RateLimit-Remaining"] == "99"


def test_two_processes_share_the_login_limit(shared_app, database_url, storage, client_ip):
    client = shared_app.test_client()
    env = {"REMOTE_ADDR": client_ip}
    for _ in range(4):
        client.post(LOGIN, json={"email": "shared@example.test", "password": "x"}, environ_base=env)

    other = run_other_process(database_url, storage, client_ip, "shared@example.test")

    assert other["logins"] == [401] * 6
    eleventh = client.post(LOGIN, json={"email": "shared@example.test", "password": "x"}, environ_base=env)
    assert eleventh.status_code == 429
    assert eleventh.json["code"] == "RATE_LIMITED"
