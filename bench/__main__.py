"""Benchmark the large demo studio (SPEC §8): key pages and API lists, bulk operations,
throughput under load.

    .venv/bin/python -m bench [--repeat 15] [--rebuild | --keep] [--skip-bulk] [--skip-load]
                              [--skip-live] [--only LABEL] [--postgres [SERVER_URL]]

Builds instance/bench/large.db (or $CADENZA_BENCH_DIR/large.db; with --postgres the database
cadenza_bench on that server) with `flask seed-demo --size large`, reused while the demo
seeders are unchanged (their hash is kept in large.json / large-postgres.json; new
migrations are applied to the kept data). Then:
- requests each page in-process with the Flask test client, signed in as the demo admin (and
  the demo parent for the portal), counting SQL statements with a `before_cursor_execute`
  listener (bench/__main__.py);
- times the bulk operations through the real services (bench/bulk.py);
- serves the dataset with gunicorn and drives it with wrk (bench/load.py);
- serves it as deployed with live updates, holds 300 idle streams open, times pages beside
  them and the time from an event to the client (bench/live.py; `--only live`).
Prints the tables and writes them to bench/results/latest.md (latest-postgres.md), not on
an --only run.
"""
import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from bench import live
from bench.bulk import run as run_bulk
from bench.load import WRK_ARGS
from bench.load import run as run_load

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(os.environ.get("CADENZA_BENCH_DIR") or ROOT / "instance" / "bench")
RESULTS_DIR = ROOT / "bench" / "results"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "demo-password"  # noqa: S105 - the documented demo login
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _shown(path):
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


class SQLiteBackend:
    name = "SQLite"
    results = RESULTS_DIR / "latest.md"

    def __init__(self, database="large"):
        self.path = BENCH_DIR / f"{database}.db"
        self.url = f"sqlite:///{self.path}"
        self.shown = _shown(self.path)

    def exists(self):
        return self.path.exists()

    def reset(self):
        for path in (self.path, Path(f"{self.path}-journal"), Path(f"{self.path}-wal")):
            path.unlink(missing_ok=True)


class PostgresBackend:
    """A database of its own on the PostgreSQL server of `server` (created when missing)."""

    name = "PostgreSQL"
    results = RESULTS_DIR / "latest-postgres.md"

    def __init__(self, server, database="cadenza_bench"):
        self.server, self.database = sa.engine.make_url(server), database
        self.url = self.server.set(database=database).render_as_string(hide_password=False)
        self.shown = f"database {database} on {self.server.host}:{self.server.port or 5432}"

    def _admin(self):
        return sa.create_engine(self.server, isolation_level="AUTOCOMMIT")

    def exists(self):
        engine = self._admin()
        with engine.connect() as conn:
            found = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                {"name": self.database})
        engine.dispose()
        return bool(found)

    def reset(self):
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{self.database}"'))
        engine.dispose()


BACKEND = SQLiteBackend()
META_PATH = BENCH_DIR / "large.json"


def use_postgres(server=POSTGRES_SERVER):
    """Bench the PostgreSQL dataset instead of the SQLite one."""
    global BACKEND, META_PATH
    BACKEND, META_PATH = PostgresBackend(server), BENCH_DIR / "large-postgres.json"


# SPEC §8 targets (median server time, ms)
PAGE_TARGET_MS = 50
API_TARGET_MS = 25
CALENDAR_API_TARGET_MS = 130


# ---------------------------------------------------------------- the dataset

def dataset_key():
    """Changes whenever a demo seeder changes, so the dataset is rebuilt (a new migration
    alone is applied to the kept dataset with `flask db upgrade`)."""
    digest = hashlib.sha256()
    files = sorted(ROOT.glob("app/**/demo.py")) + [ROOT / "app" / "demo.py"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def database_url():
    return BACKEND.url


def _flask(*args, quiet=False):
    env = dict(os.environ, DATABASE_URL=database_url(), FLASK_APP="wsgi.py")
    output = subprocess.DEVNULL if quiet else None
    subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True,  # noqa: S603
                   stdout=output, stderr=output)


def build_dataset(rebuild=False, keep=False):
    """Returns the metadata of the (possibly reused) dataset: key, seed seconds."""
    key = dataset_key()
    if not rebuild and META_PATH.exists() and BACKEND.exists():
        meta = json.loads(META_PATH.read_text())
        if keep or meta.get("key") == key:
            _flask("db", "upgrade", quiet=True)  # new migrations (indexes) apply to the kept data
            meta["reused"] = True
            return meta
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    META_PATH.unlink(missing_ok=True)
    BACKEND.reset()
    print("Building the large demo dataset in", BACKEND.shown, flush=True)
    _flask("db", "upgrade", quiet=True)
    started = time.perf_counter()
    _flask("seed-demo", "--size", "large")
    meta = {"key": key, "seed_seconds": round(time.perf_counter() - started, 1),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    META_PATH.write_text(json.dumps(meta, indent=2))
    meta["reused"] = False
    return meta


def make_app():
    from app import create_app

    return create_app(SQLALCHEMY_DATABASE_URI=database_url(), RATELIMIT_ENABLED=False,
                      WTF_CSRF_ENABLED=True)


@contextmanager
def counted(engine):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


# ---------------------------------------------------------------- signing in

def web_client(app, email):
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(html)
    token = match.group(1) or match.group(2)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"login of {email} failed: {response.status_code}"
    return client


def api_headers(app, email):
    client = app.test_client()
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return {"Authorization": f"Bearer {response.json['access']}"}


# ---------------------------------------------------------------- what to request

def fixtures(app):
    """Ids of the demo rows the pages are about."""
    from sqlalchemy import func, select

    from app.accounts.models import Studio, User
    from app.billing.models import Invoice
    from app.extensions import db
    from app.people.models import Family, FamilyGuardian, Student, TeacherProfile

    with app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.name == "Harmony Music Studio"))
        teacher = db.session.scalar(
            select(TeacherProfile).join(User, User.id == TeacherProfile.user_id)
            .where(User.email == "teacher@demo.test"))
        family = db.session.scalar(
            select(Family).join(FamilyGuardian, FamilyGuardian.family_id == Family.id)
            .join(User, User.id == FamilyGuardian.user_id).where(User.email == "parent@demo.test"))
        student = db.session.scalar(select(Student).where(Student.family_id == family.id)
                                    .order_by(Student.first_name))
        invoice = db.session.scalar(select(Invoice).where(Invoice.family_id == family.id)
                                    .order_by(Invoice.issue_date.desc()))
        if invoice is None:
            invoice = db.session.scalar(select(Invoice).order_by(Invoice.issue_date.desc()))
        from app.core.db import utcnow
        from app.core.formatting import local_datetime

        today = local_datetime(utcnow(), studio).date()
        counts = {}
        for name, table in sorted(db.metadata.tables.items()):
            counts[name] = db.session.scalar(select(func.count()).select_from(table))
        return {
            "studio": studio.id, "teacher": teacher.id, "family": family.id, "student": student.id,
            "student_name": student.first_name, "invoice": invoice.id, "today": today,
            "counts": counts,
        }


def requests_for(ids):
    today = ids["today"]
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    week = f"start={monday.isoformat()}&end={sunday.isoformat()}"
    teacher = f"teacher={ids['teacher']}"
    lessons_week = f"/api/v1/lessons?page_size=20&start_date={monday}&end_date={sunday}"
    # Sync (updated_since): a first sync walks every row in (updated_at, id) order; a later one
    # asks for the last few minutes, when little or nothing changed.
    minute_ago = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    first_sync = "updated_since=2000-01-01T00:00:00Z&page_size=50&page={n}"
    later_sync = f"updated_since={minute_ago}&page_size=50&v={{n}}"
    # (label, who, path, kind): who is web-admin / api-admin / web-parent; kind is the target
    return [
        ("Dashboard (admin)", "web", "/", "page"),
        ("Calendar week, one teacher", "web", f"/calendar?view=week&date={today}&{teacher}", "page"),
        ("Calendar week, whole studio", "web", f"/calendar?view=week&date={today}", "page"),
        ("Lessons list page", "web", "/lessons", "page"),
        ("Students list", "web", "/students", "page"),
        ("Students search", "web", f"/students?q={ids['student_name'][:4]}", "page"),
        ("Student page", "web", f"/students/{ids['student']}", "page"),
        ("Family page", "web", f"/families/{ids['family']}", "page"),
        ("Families list", "web", "/families", "page"),
        ("Teachers list", "web", "/teachers", "page"),
        ("Invoices list", "web", "/invoices", "page"),
        ("Invoice detail", "web", f"/invoices/{ids['invoice']}", "page"),
        ("Invoice PDF", "web", f"/invoices/{ids['invoice']}/pdf", "pdf"),
        ("Payments list", "web", "/payments", "page"),
        ("Notes list", "web", "/notes", "page"),
        ("Reports page", "web", "/reports", "page"),
        ("Portal home (parent)", "parent", "/", "page"),
        ("Portal family (parent)", "parent", f"/families/{ids['family']}", "page"),
        ("API lessons, page of 20", "api", "/api/v1/lessons?page_size=20", "api"),
        # {n}: a page no request asked for before, so rendered, not kept (see versions.kept)
        ("API lessons, page of 20, a new page each time", "api",
         "/api/v1/lessons?page_size=20&page={n}", "api"),
        ("API lessons, one week", "api", lessons_week, "api"),
        ("API calendar, studio week", "api", f"/api/v1/lessons/calendar?{week}", "calendar"),
        # an unknown parameter (ignored) makes each URL new: the week is built, not kept
        ("API calendar, studio week, built each time", "api",
         f"/api/v1/lessons/calendar?{week}&v={{n}}", "calendar"),
        ("API calendar, teacher week", "api", f"/api/v1/lessons/calendar?{week}&{teacher}", "api"),
        ("API students, page of 20", "api", "/api/v1/students?page_size=20", "api"),
        ("API families, page of 20", "api", "/api/v1/families?page_size=20", "api"),
        ("API invoices, page of 20", "api", "/api/v1/invoices?page_size=20", "api"),
        ("API invoice detail", "api", f"/api/v1/invoices/{ids['invoice']}", "api"),
        ("API payments, page of 20", "api", "/api/v1/payments?page_size=20", "api"),
        ("API lesson notes, page of 20", "api", "/api/v1/lesson-notes?page_size=20", "api"),
        ("API lessons, first sync, a new page of 50 each time", "api",
         f"/api/v1/lessons?{first_sync}", "api"),
        ("API lessons, sync of the last minute", "api", f"/api/v1/lessons?{later_sync}", "api"),
        ("API invoices, first sync, a new page of 50 each time", "api",
         f"/api/v1/invoices?{first_sync}", "api"),
        ("API invoices, sync of the last minute", "api", f"/api/v1/invoices?{later_sync}", "api"),
        ("API report: revenue", "api", "/api/v1/reports/revenue", "report"),
        ("API report: outstanding", "api", "/api/v1/reports/outstanding", "report"),
    ]


TARGETS = {"page": PAGE_TARGET_MS, "pdf": PAGE_TARGET_MS, "api": API_TARGET_MS,
           "calendar": CALENDAR_API_TARGET_MS, "report": PAGE_TARGET_MS}


def measure(app, engine, client, path, headers, repeat):
    client.get(path.replace("{n}", "1"), headers=headers)  # warm caches (templates, statements)
    times, queries, status = [], None, None
    for run in range(repeat):
        with counted(engine) as statements:
            started = time.perf_counter()
            response = client.get(path.replace("{n}", str(run + 2)), headers=headers)
            response.get_data()
            times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        queries = len(statements) if queries is None else max(queries, len(statements))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"status": status, "queries": queries, "median": statistics.median(times), "p95": p95,
            "size": len(response.get_data())}


# ---------------------------------------------------------------- report

def render(meta, ids, rows, bulk, load, repeat, streams=None):
    counts = ids["counts"]
    lines = [
        "# Cadenza bench (large demo)",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {BACKEND.name} ({BACKEND.shown}); "
        f"in-process Flask test client, {repeat} requests each after one warm-up; "
        "queries = SQL statements of one request (max over the runs).",
        "",
        "Dataset: " + ", ".join(f"{counts.get(t, 0):,} {t}" for t in (
            "teacher_profile", "student", "family", "room", "lesson", "lesson_attendee",
            "lesson_note", "invoice", "invoice_line_item", "payment")),
        "",
        "| Request | Status | Queries | Median ms | p95 ms | Target ms | OK |",
        "|---|---:|---:|---:|---:|---:|:-:|",
    ]
    for label, path, kind, result in rows:
        target = TARGETS[kind]
        ok = "yes" if result["status"] == 200 and result["median"] < target else "**no**"
        lines.append(f"| {label} (`{path.split('?')[0]}`) | {result['status']} | {result['queries']} | "
                     f"{result['median']:.1f} | {result['p95']:.1f} | {target} | {ok} |")
    lines += ["", "| Bulk operation | Seconds | Detail |", "|---|---:|---|"]
    seed = "reused (built earlier)" if meta.get("reused") else "built now"
    seconds = meta.get("seed_seconds", "?")
    lines.append(f"| `flask seed-demo --size large` (whole dataset) | {seconds} | {seed} |")
    for label, seconds, detail in bulk:
        lines.append(f"| {label} | {seconds:.2f} | {detail} |")
    if isinstance(load, str):
        lines += ["", f"Throughput under load: not measured ({load})."]
    elif load:
        lines += ["", f"Throughput: gunicorn, 2 sync workers, {BACKEND.name}; `wrk {' '.join(WRK_ARGS)}` on "
                      "loopback from the same machine; median (range) of 3 interleaved runs.", "",
                  "| Endpoint | Requests/s | Range | Share of the ceiling |", "|---|---:|---:|---:|"]
        for label, median, (low, high), ratio in load:
            lines.append(f"| {label} | {median:.0f} | {low:.0f}–{high:.0f} | {100 * ratio:.0f}% |")
    if streams is not None:
        lines += live.render(streams)
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true", help="Re-seed the large dataset.")
    parser.add_argument("--keep", action="store_true",
                        help="Reuse the built dataset even if the demo seeders changed since.")
    parser.add_argument("--skip-bulk", action="store_true", help="Skip the bulk operations.")
    parser.add_argument("--skip-load", action="store_true", help="Skip the wrk throughput runs.")
    parser.add_argument("--skip-live", action="store_true",
                        help="Skip the live-update run (300 idle streams, event latency).")
    parser.add_argument("--only", default="", help="Only requests whose label contains this.")
    parser.add_argument("--postgres", nargs="?", const=POSTGRES_SERVER, metavar="SERVER_URL",
                        help="Run on PostgreSQL: a database `cadenza_bench` on this server "
                             f"(default {POSTGRES_SERVER}) instead of SQLite.")
    args = parser.parse_args(argv)
    if args.postgres:
        use_postgres(args.postgres)

    meta = build_dataset(args.rebuild, args.keep)
    app = make_app()
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    ids = fixtures(app)
    clients = {"web": (web_client(app, "admin@demo.test"), {}),
               "parent": (web_client(app, "parent@demo.test"), {}),
               "api": (app.test_client(), api_headers(app, "admin@demo.test"))}
    rows = []
    for label, who, path, kind in requests_for(ids):
        if args.only and args.only.lower() not in label.lower():
            continue
        client, headers = clients[who]
        result = measure(app, engine, client, path, headers, args.repeat)
        rows.append((label, path, kind, result))
        print(f"{label:40} {result['status']} q={result['queries']:4} "
              f"median={result['median']:8.1f} ms p95={result['p95']:8.1f} ms", flush=True)
    scratch = SQLiteBackend("scratch") if BACKEND.name == "SQLite" else PostgresBackend(
        args.postgres, "cadenza_bench_scratch")
    bulk = [] if args.skip_bulk else run_bulk(app, ids, scratch, ROOT, PASSWORD)
    load = [] if args.skip_load else run_load(database_url(), ROOT, PASSWORD, ids)
    # `--only live` runs this alone (with --skip-bulk --skip-load)
    wants_live = not args.skip_live and (not args.only or "live" in args.only.lower())
    streams = live.run(database_url(), ROOT, PASSWORD, ids) if wants_live else None
    table = render(meta, ids, rows, bulk, load, args.repeat, streams)
    print()
    print(table)
    if not args.only:  # a partial run leaves the full table alone
        BACKEND.results.parent.mkdir(parents=True, exist_ok=True)
        BACKEND.results.write_text(table)
        print(f"Written to {_shown(BACKEND.results)}")


if __name__ == "__main__":
    main()
