"""Test fixtures: one app per session on a migrated database, cleaned after every test.

SQLite by default (a file per test worker); PostgreSQL when TEST_DATABASE_URL is set (a
schema per test worker). Tests hit real databases; nothing is mocked.
"""
import os
import re
import uuid
from contextlib import contextmanager

import flask_migrate
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db, limiter
from tests import factories

PASSWORD = factories.PASSWORD


def _worker():
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    # One schema per test process, so parallel runs on one server never share tables.
    schema = f"test_{_worker()}_{os.getpid()}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        _drop_stale_schemas(conn)
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def _drop_stale_schemas(conn):
    """Schemas of test processes that are gone (killed runs leave theirs behind)."""
    names = conn.execute(sa.text(
        "SELECT nspname FROM pg_namespace WHERE nspname ~ '^test_[a-z0-9]+_[0-9]+$'")).scalars()
    for name in list(names):
        pid = int(name.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        except PermissionError:
            pass  # a live process of another user


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    yield url
    if url.startswith("postgresql"):
        schema = make_url(url).query["options"].split("=", 1)[1]
        engine = sa.create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("SET lock_timeout = '10s'"))
            try:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            except sa.exc.OperationalError:
                pass  # still in use by a lingering connection; the next run drops it
        engine.dispose()


class IsolatedClient(FlaskClient):
    """Runs every request in an application context of its own, as a server does.

    Without this, a request made while the test holds a context (the `ctx`/`make` fixtures)
    reuses the test's context: `g` (the cached API principal, flask-login's user) and the
    database session would leak from one request into the next. Data a test creates must
    therefore be committed before a request can see it.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                     PDF_CACHE_DIR=str(tmp_path_factory.mktemp("pdf-cache")),
                     UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")))
    app.test_client_class = IsolatedClient
    with app.app_context():
        flask_migrate.upgrade()
    app.extensions["session_rate_limit_storage"] = limiter.storage
    yield app
    with app.app_context():  # close pooled connections so the worker's schema can be dropped
        db.session.remove()
        db.engine.dispose()


def _clean_database():
    # DELETE in reverse dependency order: on the few rows a test leaves it is much faster
    # than TRUNCATE, which rewrites every table's files on PostgreSQL.
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.execute(sa.text("DELETE FROM deleted_record"))  # the tombstones of those deletes
    db.session.commit()


@pytest.fixture(autouse=True)
def _isolation(app):
    """Every test starts with empty tables and fresh rate-limit counters."""
    yield
    with app.app_context():
        db.session.rollback()
        _clean_database()
        db.session.remove()
    if limiter.storage is not app.extensions["session_rate_limit_storage"]:
        # A test made an app of its own, which bound the one Limiter to its own storage
        # (perhaps in a database since dropped): bind it back to this app's.
        limiter.init_app(app)
        app.extensions["session_rate_limit_storage"] = limiter.storage
    limiter.reset()


@pytest.fixture(autouse=True)
def _postgres_marker(request, database_url):
    """Tests marked `postgres` race concurrent writers, which SQLite serializes on its own."""
    if request.node.get_closest_marker("postgres") and not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: SQLite serializes concurrent writers on its own")


@pytest.fixture()
def ctx(app):
    """An application + request context for calling services directly."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def make(ctx):
    """Factories bound to the test database: make.user(), make.studio(), make.member(...)."""
    return factories.Maker()


# --------------------------------------------------------------- web and API helpers

@contextmanager
def counted(app):
    """The SQL statements run inside the block, as a list that fills as they run."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def web_login(client, email, password=PASSWORD):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def post_form(client, path, data=None, *, token_path=None, **kwargs):
    """POST form data with a CSRF token read from `token_path` (a page with a form; `path`
    by default). Pass `csrf_token` in `data` to send your own, or `None` to send none."""
    data = dict(data or {})
    if "csrf_token" not in data:
        data["csrf_token"] = csrf_token(client, token_path or path)
    elif data["csrf_token"] is None:
        del data["csrf_token"]
    return client.post(path, data=data, **kwargs)


def api_login(client, email, password=PASSWORD):
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return response.json


def bearer(tokens_or_access, studio=None):
    access = tokens_or_access["access"] if isinstance(tokens_or_access, dict) else tokens_or_access
    headers = {"Authorization": f"Bearer {access}"}
    if studio is not None:
        headers["X-Studio-ID"] = str(getattr(studio, "id", studio))
    return headers


@pytest.fixture()
def studio_setup(make):
    """A studio with one member of each role, plus a second studio with its own admin."""
    studio = make.studio(name="Harmony Test Studio")
    people = {role: make.member(studio, role) for role in ("owner", "admin", "teacher", "parent", "student")}
    other = make.studio(name="Other Studio")
    people["other_admin"] = make.member(other, "admin")
    db.session.commit()
    return type("StudioSetup", (), {"studio": studio, "other": other, "users": people,
                                     "id": uuid.uuid4()})


# --------------------------------------------------------------- file storage (S3)

S3_TEST_BUCKET = "cadenza-test-uploads"


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server (moto in server mode) on 127.0.0.1; yields its URL."""
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_settings(endpoint_url, bucket=S3_TEST_BUCKET):
    """The config that points an app's uploads at the test S3 server."""
    return {"S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint_url, "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing",
            "S3_URL_SECONDS": 300}


def make_s3_app(database_url, endpoint_url, **overrides):
    """An app like `app` whose uploads go to a fresh bucket on the test S3 server."""
    settings = s3_settings(endpoint_url)
    settings.update(overrides)
    s3_app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **settings)
    s3_app.test_client_class = IsolatedClient
    from app.core.storage import get_store

    store = get_store(s3_app)
    buckets = [b["Name"] for b in store.client.list_buckets().get("Buckets", [])]
    if store.bucket not in buckets:
        store.client.create_bucket(Bucket=store.bucket)
    return s3_app


@pytest.fixture(scope="session")
def _s3_app_once(database_url, s3_server):
    return make_s3_app(database_url, s3_server)


@pytest.fixture()
def s3_app(_s3_app_once, app):
    """An app on the test database whose uploads go to the S3 server (bucket emptied after
    each test). Use `with s3_app.test_request_context():` or `s3_app.test_client()`."""
    from app.core.storage import get_store

    yield _s3_app_once
    store = get_store(_s3_app_once)
    for key in store.keys():
        store.delete(key)
    with _s3_app_once.app_context():
        db.session.remove()
