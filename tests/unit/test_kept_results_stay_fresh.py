"""What is kept between requests (list counts, the lessons API's pages and calendars) never
shows what was true before a write, whoever wrote it: the services, core.bulk, raw SQL
through the session or on a connection of its own, a migration. On PostgreSQL the database
moves the versions itself; on SQLite writes past the ORM show once `flask versions touch`
moved them, or when the kept entries' time limit passes."""
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import or_, select, text, update

from app.accounts.models import Membership, Studio, User
from app.core import versions
from app.core.bulk import bulk_insert
from app.extensions import db
from app.scheduling.models import Lesson
from app.scheduling.services.lessons import cancel_lesson
from tests.conftest import api_login, bearer

START = datetime(2031, 3, 3, 15, tzinfo=timezone.utc)
WEEK = "start=2031-03-03&end=2031-03-09"


def _postgres():
    return db.engine.dialect.name == "postgresql"


def _lists(app):
    """Every API GET that takes no id: each list (with its count), the calendar, the reports.
    Not the live stream: it keeps nothing, and what it says depends on how long it stayed open
    (a keep-alive line under a slow machine)."""
    paths = sorted({rule.rule.rstrip("/") for rule in app.url_map.iter_rules()
                    if rule.rule.startswith("/api/v1/") and "GET" in rule.methods and not rule.arguments
                    and not rule.rule.startswith(("/api/v1/health", "/api/v1/calendar-feed",
                                                  "/api/v1/stream"))})
    return [*paths, f"/api/v1/lessons/calendar?{WEEK}", "/api/v1/lessons?status=cancelled",
            "/api/v1/lessons?search=Renamed", "/api/v1/students?search=Renamed",
            "/api/v1/teachers?search=Renamed", "/api/v1/lessons?page_size=1&page=2"]


def _read_all(client, app, headers):
    """{path: body} of every list that answers 200 (errors carry a request id of their own)."""
    responses = {path: client.get(path, headers=headers) for path in _lists(app)}
    return {path: response.get_data(as_text=True) for path, response in responses.items()
            if response.status_code == 200}


@pytest.fixture()
def world(app, client, make, studio_setup):
    """A studio with a teacher, a student and three lessons that week; every list read once
    (so that it is kept), as its admin."""
    studio = studio_setup.studio
    teacher = make.teacher(studio, first_name="Tess")
    student = make.student(studio, first_name="Sam")
    made = [make.lesson(studio, teacher, [student], start=START + timedelta(days=n)) for n in range(3)]
    db.session.commit()
    headers = bearer(api_login(client, studio_setup.users["admin"].email))
    first = _read_all(client, app, headers)
    assert _read_all(client, app, headers) == first
    return type("World", (), {"studio": studio, "teacher": teacher, "student": student, "made": made,
                              "headers": headers})


def _lesson_rows(world, days):
    return [{"id": uuid.uuid4(), "studio_id": world.studio.id, "teacher_id": world.teacher.id,
             "start_at": START + timedelta(days=day, hours=2), "end_at": START + timedelta(days=day, hours=3),
             "status": "scheduled", "lesson_type": "private", "location": "", "online_url": "", "notes": "",
             "created_at": START, "updated_at": START} for day in days]


def _sql(statement):
    return text(statement).bindparams(sa.bindparam("id", type_=sa.Uuid))


RENAME_TEACHER = _sql('UPDATE "user" SET first_name = \'Renamed\' WHERE id = :id')
CANCEL = _sql("UPDATE lesson SET status = 'cancelled' WHERE id = :id")
RENAME_STUDENT = _sql("UPDATE student SET first_name = 'Renamed' WHERE id = :id")


def _write_through_services(world):
    cancel_lesson(world.studio, world.teacher.user, world.made[0], "Snow")
    world.teacher.user.first_name = "Renamed"
    world.student.first_name = "Renamed"
    db.session.commit()


def _write_in_bulk(world):
    bulk_insert(Lesson, _lesson_rows(world, (1, 2)))
    db.session.commit()


def _raw_statements(world):
    return [(CANCEL, {"id": world.made[0].id}), (RENAME_TEACHER, {"id": world.teacher.user_id}),
            (RENAME_STUDENT, {"id": world.student.id})]


def _write_text_through_the_session(world):
    for sql, values in _raw_statements(world):
        db.session.execute(sql, values)
    db.session.commit()


def _write_on_a_connection_of_its_own(world):
    statements = _raw_statements(world)
    db.session.commit()
    with db.engine.begin() as connection:
        for sql, values in statements:
            connection.execute(sql, values)


def _write_in_a_migration(world):
    """What a data migration does: op.execute and op.bulk_insert on the migration's connection."""
    statements, rows = _raw_statements(world), _lesson_rows(world, (4,))
    db.session.commit()
    with db.engine.begin() as connection:
        op = Operations(MigrationContext.configure(connection))
        for sql, values in statements:
            op.execute(sql.bindparams(**values))
        op.bulk_insert(Lesson.__table__, rows)


PAST_THE_ORM = {_write_text_through_the_session, _write_on_a_connection_of_its_own, _write_in_a_migration}


@pytest.mark.parametrize("write", [_write_through_services, _write_in_bulk, _write_text_through_the_session,
                                   _write_on_a_connection_of_its_own, _write_in_a_migration],
                         ids=lambda write: write.__name__.removeprefix("_write_"))
def test_every_kept_page_and_count_shows_every_write(app, client, world, write):
    write(world)
    if write in PAST_THE_ORM and not _postgres():  # SQLite: the documented remedy
        result = app.test_cli_runner().invoke(args=["versions", "touch", "--studio", str(world.studio.id)])
        assert result.exit_code == 0, result.output
    seen = _read_all(client, app, world.headers)
    versions.forget()
    assert seen == _read_all(client, app, world.headers)


def test_a_kept_page_expires_after_its_time_limit(app, client, world):
    """Even a write nothing recorded shows once the time limit passed (here, SQLite's raw
    connection; on PostgreSQL the database records every write)."""
    app.config["KEPT_SECONDS"] = 0.5
    try:
        kept = client.get("/api/v1/lessons", headers=world.headers).json
        with db.engine.begin() as connection:
            connection.execute(CANCEL, {"id": world.made[0].id})
        time.sleep(0.6)
        now = client.get("/api/v1/lessons", headers=world.headers).json
        statuses = [row["status"] for row in now["results"]]
        assert statuses.count("cancelled") == 1
        assert [row["status"] for row in kept["results"]].count("cancelled") == 0
    finally:
        app.config["KEPT_SECONDS"] = versions.KEPT_SECONDS


def test_renaming_someone_no_longer_a_member_shows_where_they_are_shown(app, client, world):
    """A teacher who left still teaches the lessons they taught: their name (their user's)
    stays on that studio's pages, and follows a rename."""
    db.session.execute(sa.delete(Membership).where(Membership.user_id == world.teacher.user_id))
    db.session.commit()
    page = client.get("/api/v1/lessons", headers=world.headers).json
    assert {row["teacher"]["first_name"] for row in page["results"]} == {"Tess"}
    user = db.session.get(User, world.teacher.user_id)
    user.first_name = "Renamed"
    db.session.commit()
    page = client.get("/api/v1/lessons", headers=world.headers).json
    assert {row["teacher"]["first_name"] for row in page["results"]} == {"Renamed"}


# ---------------------------------------------------------------- studios a statement moves

def _versions_of(studio_id):
    return dict(db.session.execute(select(versions.TableVersion.table_name, versions.TableVersion.version)
                                   .where(versions.TableVersion.studio_id == studio_id)).all())


def test_writes_in_one_studio_move_no_other_studios_versions(make, world, studio_setup):
    """Releasing an invoice's lesson, locking a studio for a billing run, an UPDATE by id:
    the other studio's versions stay where they were."""
    from app.billing.services import common, invoices

    make.lesson(studio_setup.other, start=START)
    db.session.commit()
    before = _versions_of(studio_setup.other.id)
    invoice = make.invoice(world.studio, world.student.family, lines=())
    line = invoices._line(world.studio, invoice, 0, description="Lesson", unit_price="40.00", kind="lesson",
                          lesson=world.made[1], student=world.student)
    invoice.line_items.append(line)
    db.session.flush()
    world.made[1].billed_line_item_id = line.id
    db.session.commit()
    invoices.delete_draft(world.studio, None, invoice)
    common.lock_studio(world.studio)
    db.session.execute(update(Lesson).where(Lesson.id == world.made[2].id).values(notes="unscoped"))
    db.session.commit()
    assert db.session.get(Lesson, world.made[1].id).billed_line_item_id is None
    assert _versions_of(studio_setup.other.id) == before


def test_a_statement_moves_the_studios_whose_rows_it_changes(ctx, world, studio_setup, make):
    """Only a top-level `studio_id = …` term scopes a statement: under an OR (or in a
    subquery) it says nothing of the rows changed."""
    make.lesson(studio_setup.other, start=START)
    db.session.commit()
    before = _versions_of(world.studio.id).get("lesson", 0)
    db.session.execute(update(Lesson).where(or_(Lesson.studio_id == studio_setup.other.id,
                                                Lesson.id == world.made[0].id)).values(notes="either"))
    db.session.commit()
    assert _versions_of(world.studio.id).get("lesson", 0) == before + 1


def test_only_top_level_studio_terms_are_trusted(ctx, world, studio_setup):
    theirs = select(Lesson.id).where(Lesson.studio_id == studio_setup.other.id).scalar_subquery()
    mine = world.studio.id
    assert versions.studios_named(update(Lesson).where(Lesson.id == theirs), Lesson.__table__) == []
    assert versions.studios_named(update(Lesson).where(or_(Lesson.studio_id == mine, Lesson.id == theirs)),
                                  Lesson.__table__) == []
    assert versions.studios_named(update(Lesson).where(Lesson.studio_id == mine, Lesson.id == theirs),
                                  Lesson.__table__) == [mine]
    assert versions.studios_named(update(Studio).where(Studio.id == mine), Studio.__table__) == [mine]


def test_a_write_moves_its_version_once(ctx, world):
    before = _versions_of(world.studio.id)
    world.made[0].notes = "once"
    db.session.commit()
    bulk_insert(Lesson, _lesson_rows(world, range(5, 40)))
    db.session.commit()
    after = _versions_of(world.studio.id)
    assert after["lesson"] == before["lesson"] + 2
    assert after["teacher_profile"] == before["teacher_profile"]


def test_every_versioned_table_has_its_triggers(ctx):
    """A tenant table added later without the triggers fails here (PostgreSQL): add them in
    its migration, as the docstring of the table-change migration shows."""
    if not _postgres():
        pytest.skip("the database records writes itself on PostgreSQL only")
    rows = db.session.execute(text(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace AND t.tgname LIKE 'versions%'")).all()
    found = {}
    for table, trigger in rows:
        found.setdefault(table, set()).add(trigger)
    every = {"versions_insert", "versions_update", "versions_delete", "versions_truncate"}
    expected = {name: every for name in versions.versioned_tables()}
    expected["user"] = every - {"versions_insert"}  # a new user is shown nowhere yet
    expected["table_change"] = {"versions_bump"}
    assert found == expected


# ---------------------------------------------------------------- the CLI

def test_versions_touch_moves_the_versions_asked_for(app, ctx, world, studio_setup):
    runner = app.test_cli_runner()
    before, theirs = _versions_of(world.studio.id), _versions_of(studio_setup.other.id)
    result = runner.invoke(args=["versions", "touch", "--studio", str(world.studio.id), "--table", "lesson"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    after = _versions_of(world.studio.id)
    assert after["lesson"] == before["lesson"] + 1
    assert {name: v for name, v in after.items() if name != "lesson"} == \
        {name: v for name, v in before.items() if name != "lesson"}
    assert _versions_of(studio_setup.other.id) == theirs
    result = runner.invoke(args=["versions", "touch"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert _versions_of(studio_setup.other.id)["lesson"] == theirs.get("lesson", 0) + 1


@pytest.mark.parametrize("args", [["--table", "nonsense"], ["--studio", "not-a-uuid"],
                                  ["--studio", str(uuid.uuid4())]])
def test_versions_touch_refuses_what_is_not_there(app, args):
    result = app.test_cli_runner().invoke(args=["versions", "touch", *args])
    assert result.exit_code == 2 and "Error" in result.output and "Traceback" not in result.output


def test_writers_wait_for_no_version_row_until_they_commit(app, world, make):
    """PostgreSQL: the triggers only stage a transaction's changes, so two transactions that
    write the same studio's tables in opposite orders do not wait for each other (nor
    deadlock) before they commit; at commit each moves its versions in one order."""
    if not _postgres():
        pytest.skip("SQLite serializes writers itself")
    other_lesson, other_student = world.made[1].id, make.student(world.studio).id
    db.session.commit()
    update_lesson = _sql("UPDATE lesson SET notes = 'x' WHERE id = :id")
    update_student = _sql("UPDATE student SET notes = 'x' WHERE id = :id")
    before = _versions_of(world.studio.id)
    db.session.commit()
    with db.engine.connect() as first, db.engine.connect() as second:
        for connection in (first, second):
            connection.execute(text("SET lock_timeout = '2s'"))
        first.execute(update_lesson, {"id": world.made[0].id})
        second.execute(update_student, {"id": world.student.id})
        first.execute(update_student, {"id": other_student})  # would wait on `second` if it
        second.execute(update_lesson, {"id": other_lesson})   # held the version rows already
        first.commit()
        second.commit()
    after = _versions_of(world.studio.id)
    assert (after["lesson"], after["student"]) == (before["lesson"] + 2, before["student"] + 2)
    assert db.session.scalar(select(sa.func.count()).select_from(versions.TableChange)) == 0
