"""The database store of rate-limit counters (app/core/ratelimit_storage.py).

Two instances of the storage have two engines, as two server processes do; what one counts
the other sees. On SQLite the counters live in a WAL file beside the database, on PostgreSQL
in an UNLOGGED table of the app's database.
"""
import concurrent.futures
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from limits.storage import storage_from_string
from sqlalchemy.engine import make_url

from app.core.db import utcnow
from app.core.ratelimit_storage import DatabaseStorage, storage_uri
from app.extensions import db, limiter
from tests.conftest import bearer

STUDIOS = "/api/v1/studios"


@pytest.fixture()
def storages(app):
    """Two stores on the app's counters, as two processes have."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    first, second = storage_from_string(uri), storage_from_string(uri)
    yield first, second
    first.engine.dispose()
    second.engine.dispose()


def a_key():
    return f"test/{uuid.uuid4().hex}"


def test_the_app_counts_in_the_database_store_without_redis(app):
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("db+")
    assert isinstance(limiter.storage, DatabaseStorage)


def test_two_stores_share_one_count(storages):
    first, second = storages
    key = a_key()

    assert [first.incr(key, 60), second.incr(key, 60), first.incr(key, 60)] == [1, 2, 3]
    assert second.get(key) == 3
    assert first.get_expiry(key) == pytest.approx(second.get_expiry(key))


def test_concurrent_hits_from_two_stores_are_counted_once_each(storages):
    key = a_key()
    jobs = [storages[n % 2] for n in range(200)]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(lambda store: store.incr(key, 60), jobs))

    assert sorted(counts) == list(range(1, 201))
    assert storages[0].get(key) == 200


def test_a_window_ends_at_its_expiry_and_the_next_hit_starts_a_new_one(storages):
    first, second = storages
    key = a_key()
    with time_machine.travel(utcnow(), tick=False) as traveller:
        first.incr(key, 60)
        first.incr(key, 60)
        traveller.shift(timedelta(seconds=61))

        assert second.get(key) == 0
        assert second.incr(key, 60) == 1


def test_a_negative_amount_gives_a_hit_back_but_never_below_zero(storages):
    first, _second = storages
    key = a_key()
    first.incr(key, 60)

    assert first.incr(key, 60, amount=-1) == 0
    assert first.incr(a_key(), 60, amount=-1) == 0


def test_expired_windows_are_deleted(app, storages):
    first, second = storages
    old, new = a_key(), a_key()
    with time_machine.travel(utcnow(), tick=False) as traveller:
        first.incr(old, 60)
        traveller.shift(timedelta(seconds=120))
        second.incr(new, 60)  # a fresh store sweeps at its first hit

    with first.engine.connect() as connection:
        keys = set(connection.execute(sa.text("SELECT key FROM rate_limit_counter")).scalars())
    assert new in keys and old not in keys


def test_clear_and_reset(storages):
    first, second = storages
    kept, cleared = a_key(), a_key()
    first.incr(kept, 60)
    first.incr(cleared, 60)

    second.clear(cleared)
    assert (first.get(kept), first.get(cleared)) == (1, 0)
    assert second.reset() >= 1
    assert first.get(kept) == 0
    assert first.check()


def test_an_api_request_costs_one_statement_on_the_counters(app, client, make, monkeypatch):
    studio = make.studio()
    user = make.member(studio, "admin")
    db.session.commit()
    headers = bearer(client.post("/api/v1/auth/login", json={
        "email": user.email, "password": "correct-horse-battery"}).json)
    statements = []
    run = limiter.storage._run
    monkeypatch.setattr(limiter.storage, "_run", lambda name, *args, **kwargs: (
        statements.append(name), run(name, *args, **kwargs))[1])

    response = client.get(STUDIOS, headers=headers)

    assert response.headers["X-RateLimit-Remaining"] == "999"
    assert statements in (["hit"], ["hit", "sweep"])


def backend(app):
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def test_the_counters_table_skips_the_write_ahead_log_on_postgresql(app):
    if backend(app) != "postgresql":
        pytest.skip("PostgreSQL only")
    with app.app_context():
        persistence = db.session.scalar(sa.text(
            "SELECT relpersistence FROM pg_class WHERE oid = 'rate_limit_counter'::regclass"))
    assert persistence == "u"


def test_sqlite_counters_are_a_wal_file_of_their_own(app, storages):
    if backend(app) != "sqlite":
        pytest.skip("SQLite only")
    store = storages[0]
    assert store.engine.url.database.endswith("-ratelimit.db")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_where_the_counters_live():
    assert storage_uri("sqlite:////srv/cadenza.db", "redis://r:6379/0") == "redis://r:6379/0"
    assert (storage_uri("postgresql+psycopg://u@h/cadenza")
            == "db+postgresql+psycopg://u@h/cadenza")
    assert storage_uri("sqlite:////srv/cadenza.db") == "db+sqlite:////srv/cadenza-ratelimit.db"
    assert storage_uri("sqlite://") == "memory://"
