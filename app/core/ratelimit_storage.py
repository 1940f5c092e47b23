"""Rate-limit counters in a database, shared by every process of one deployment.

Without Redis, flask-limiter's memory storage counts per process: four gunicorn workers gave
four budgets. `DatabaseStorage` is a `limits` storage (scheme `db+<SQLAlchemy URL>`), so
flask-limiter and our own login limits use it exactly as they use Redis:

- on PostgreSQL, the `rate_limit_counter` table of the app's own database, UNLOGGED (no
  write-ahead log: counters may be lost in a crash, and cost less to write);
- on SQLite, the same table in a file of its own beside the database, in WAL mode, so
  counting never waits for the app's write lock nor holds it.

One fixed window of one limit is one row. A hit is one UPSERT ... RETURNING: it starts a new
window when the old one has expired, else adds to it, atomically across processes. Expired
rows are deleted by each process once a minute. Times are the app's clock (time.time()).
"""
import os
import time
from pathlib import Path

import sqlalchemy as sa
from flask import g, has_app_context
from limits.storage import Storage
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

SCHEME_PREFIX = "db+"
SWEEP_SECONDS = 60
SQLITE_PRAGMAS = ("PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL",
                  "PRAGMA synchronous = NORMAL")


class RateLimitCounter(db.Model):
    """The count of one rate-limit window (`key` names the limit and the caller).

    On SQLite the rows live in a file of their own (see the module); the table in the app's
    database stays empty there.
    """

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer)
    expires_at: Mapped[float] = mapped_column(sa.Float)  # seconds since the epoch


TABLE = RateLimitCounter.__table__
STATEMENTS = {
    "hit": sa.text("""
        INSERT INTO rate_limit_counter (key, count, expires_at) VALUES (:key, :start, :expires_at)
        ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN rate_limit_counter.expires_at > :now
                         THEN rate_limit_counter.count + :amount ELSE excluded.count END,
            expires_at = CASE WHEN rate_limit_counter.expires_at > :now
                              THEN rate_limit_counter.expires_at ELSE excluded.expires_at END
        RETURNING count, expires_at
    """),
    "window": sa.text(
        "SELECT count, expires_at FROM rate_limit_counter WHERE key = :key AND expires_at > :now"),
    "sweep": sa.text("DELETE FROM rate_limit_counter WHERE expires_at <= :now"),
    "clear": sa.text("DELETE FROM rate_limit_counter WHERE key = :key"),
    "reset": sa.text("DELETE FROM rate_limit_counter"),
    "check": sa.text("SELECT 1"),
}

def storage_uri(database_url, redis_url=None):
    """Where the counters of an app on this database live: Redis when configured, else the
    database's store; in memory only for an in-memory SQLite database (one process anyway)."""
    if redis_url:
        return redis_url
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return SCHEME_PREFIX + database_url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        return f"{SCHEME_PREFIX}sqlite:///{path.with_name(path.stem + '-ratelimit.db')}"
    return "memory://"


class DatabaseStorage(Storage):
    """A `limits` storage for the fixed-window strategy, in PostgreSQL or a SQLite file."""

    STORAGE_SCHEME = [SCHEME_PREFIX + name for name in (
        "postgresql", "postgresql+psycopg", "postgresql+psycopg2", "sqlite", "sqlite+pysqlite")]

    def __init__(self, uri, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        url = make_url(uri.removeprefix(SCHEME_PREFIX))
        sqlite = url.get_backend_name() == "sqlite"
        # Every statement commits on its own; no pool reset needed on return. SQLite takes
        # named parameters, so one dict of them serves both drivers.
        self.engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
                                       **({"paramstyle": "named"} if sqlite else {}))
        if sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            TABLE.create(self.engine, checkfirst=True)
            self.engine.dispose()  # no connection is carried into forked workers
        self._sql = {name: str(statement.compile(dialect=self.engine.dialect))
                     for name, statement in STATEMENTS.items()}
        self._pid = os.getpid()
        self._next_sweep = 0.0

    @property
    def base_exceptions(self):
        return (sa.exc.SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error)

    def _run(self, name, params, fetch=False):
        """Run one statement on a pooled DBAPI connection: the driver's cursor directly, as
        this runs on most requests (half the time of a SQLAlchemy Connection)."""
        if os.getpid() != self._pid:  # a forked child: never share the parent's sockets
            self.engine.dispose(close=False)
            self._pid = os.getpid()
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self._sql[name], params)
            result = cursor.fetchone() if fetch else cursor.rowcount
            cursor.close()
        except self.engine.dialect.loaded_dbapi.Error:
            connection.invalidate()  # perhaps broken: the pool opens a new one next time
            raise
        finally:
            connection.close()
        return result

    def _seen(self):
        """Windows this request has seen, by key: the headers of a request report the window
        its own hit returned without reading it again."""
        if not has_app_context():
            return {}
        return g.setdefault("rate_limit_windows", {}).setdefault(self.engine.url, {})

    def incr(self, key, expiry, amount=1):
        now = time.time()
        count, expires_at = self._run("hit", {
            "key": key, "start": max(amount, 0), "amount": amount, "expires_at": now + expiry,
            "now": now}, fetch=True)
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._run("sweep", {"now": now})
        self._seen()[key] = (count, expires_at)
        return count

    def _window(self, key):
        now = time.time()
        seen = self._seen()
        if key not in seen:
            row = self._run("window", {"key": key, "now": now}, fetch=True)
            seen[key] = tuple(row) if row else (0, now)
        count, expires_at = seen[key]
        return (count, expires_at) if expires_at > now else (0, now)

    def get(self, key):
        return self._window(key)[0]

    def get_expiry(self, key):
        return self._window(key)[1]

    def check(self):
        try:
            self._run("check", {}, fetch=True)
        except self.base_exceptions:
            return False
        return True

    def clear(self, key):
        self._run("clear", {"key": key})
        self._seen().pop(key, None)

    def reset(self):
        deleted = self._run("reset", {})
        self._seen().clear()
        return deleted


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
