"""Command-line tools: flask seed-demo, flask create-user, flask jobs ..., flask versions touch."""
import logging
import signal
import sys
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select, text

from app.accounts import services
from app.accounts.models import User
from app.core.errors import ValidationFailed
from app.demo import LARGE_STAGES, seed
from app.extensions import db
from app.jobs import run_worker
from app.messaging.services import deliver_pending, stopping


def register(app):
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(jobs)
    app.cli.add_command(versions_cli)


@click.command("seed-demo")
@click.option("--size", type=click.Choice(["small", "large"]), default="small", show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo(size, if_empty):
    """Create the demo studio, Harmony Music Studio, with its demo accounts."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Database already has data; demo seeding skipped.")
        return
    with _stage_bar(size == "large") as progress:
        studio = seed(size=size, progress=progress)
        progress("saving")
        db.session.commit()
        name = studio.name
        _analyze()
    click.echo(f"Seeded {name}. Sign in as admin@demo.test / demo-password.")


def _analyze():
    """Fresh planner statistics: without them SQLite ignores the studio_id-first indexes. On
    PostgreSQL a VACUUM too, which marks the new rows visible to all, so that counts and pages
    read the indexes alone rather than every row (autovacuum would, some time later)."""
    if db.engine.dialect.name == "postgresql":
        db.session.close()
        quote = db.engine.dialect.identifier_preparer.quote
        tables = ", ".join(quote(table.name) for table in db.metadata.sorted_tables)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


@contextmanager
def _stage_bar(shown):
    """A progress bar on stderr that moves on as each seeding stage begins (the large demo
    takes a minute); a no-op reporter when not `shown`."""
    if not shown:
        yield lambda stage: None
        return
    stages = [*LARGE_STAGES, "saving"]
    with click.progressbar(length=len(stages), label="Seeding the large demo", file=sys.stderr,
                           item_show_func=lambda stage: stage, show_eta=False,
                           update_min_steps=0) as bar:  # update(0, stage) redraws too
        begun = []

        def progress(stage):
            bar.update(1 if begun else 0, stage)
            begun.append(stage)
            if not sys.stderr.isatty():  # no bar to redraw: one line per stage instead
                click.echo(f"  {stage}", err=True)

        yield progress
        bar.update(1, "done")


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--studio", "studio_name", default=None, help="Create this studio, owned by the user.")
def create_user(email, password, first_name, last_name, studio_name):
    """Create a login (and optionally a studio it owns)."""
    try:
        user = services.create_user(email, password, first_name=first_name, last_name=last_name)
        if studio_name:
            services.create_studio(user, studio_name)
    except ValidationFailed as exc:
        db.session.rollback()
        for field, messages in exc.field_errors.items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    click.echo(f"Created {user.email}.")


jobs = AppGroup("jobs", help="Background jobs.")


@jobs.command("worker")
@click.option("--workers", default=1, show_default=True)
def jobs_worker(workers):
    """Run the job worker (periodic tasks included) until stopped. SIGTERM or Ctrl-C lets
    running jobs finish (the outbox finishes the email it is sending); a second one stops it
    at once."""
    logging.getLogger("huey").setLevel(logging.WARNING)  # one line per task run is noise
    current_app.logger.info("job worker started")
    run_worker(workers)


@jobs.command("send-outbox")
def jobs_send_outbox():
    """Deliver due emails from the outbox once. SIGTERM or Ctrl-C: the email being sent is
    finished first; a second one stops at once."""
    def stop(signum, frame):
        stopping.set()
        signal.signal(signum, signal.SIG_DFL if signum == signal.SIGTERM else signal.default_int_handler)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    sent, failed = deliver_pending()
    click.echo(f"{sent} sent, {failed} failed")


versions_cli = AppGroup("versions", help="The table versions that kept counts and lists follow.")


@versions_cli.command("touch")
@click.option("--studio", "studio_id", type=click.UUID, default=None, help="Only this studio (default: all).")
@click.option("--table", "table_name", default=None, help="Only this table (default: all versioned tables).")
def versions_touch(studio_id, table_name):
    """Move table versions on, so that every process drops what it kept of them: after
    writing to SQLite past the app (the sqlite3 shell, raw SQL). PostgreSQL moves them itself."""
    from app.accounts.models import Studio
    from app.core import versions

    if table_name is not None and table_name not in versions.versioned_tables():
        raise click.BadParameter(f"{table_name!r} is not a versioned table; those are: "
                                 + ", ".join(versions.versioned_tables()), param_hint="--table")
    if studio_id is not None and db.session.get(Studio, studio_id) is None:
        raise click.BadParameter(f"no studio has the id {studio_id}.", param_hint="--studio")
    moved = versions.move(db.session.connection(), None if studio_id is None else [studio_id],
                          None if table_name is None else [table_name])
    db.session.commit()
    click.echo(f"{moved} versions moved.")
