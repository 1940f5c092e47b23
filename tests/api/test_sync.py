"""Incremental sync of API lists (app/core/sync.py): `updated_since`, `include_deleted` and
the tombstones the database writes for every kind of delete."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import delete, select, update

from app.billing.models import Invoice
from app.core import sync
from app.core.db import utcnow
from app.core.sync import DeletedRecord
from app.extensions import db
from app.inventory.models import InventoryItem
from app.people.models import Family, Student, TeacherProfile
from app.scheduling.models import Lesson, LessonAttendee, Room
from app.teaching.models import LessonNote
from tests.conftest import api_login, bearer, counted

LONG_AGO = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _age_everything(studio_id):
    """Every row of the studio last changed LONG_AGO (an explicit value: onupdate keeps it)."""
    for table in db.metadata.sorted_tables:
        if "updated_at" in table.c and "studio_id" in table.c:
            db.session.execute(update(table).where(table.c.studio_id == studio_id)
                               .values(updated_at=LONG_AGO))
    db.session.commit()


def _ids(response):
    assert response.status_code == 200, response.json
    return [row["id"] for row in response.json["results"]]


@pytest.fixture()
def admin(client, studio_setup):
    return bearer(api_login(client, studio_setup.users["admin"].email))


@pytest.fixture()
def world(make, studio_setup):
    """Two of each synced kind this file looks at, all last changed LONG_AGO."""
    studio = studio_setup.studio
    teacher = db.session.scalar(select(TeacherProfile).where(
        TeacherProfile.studio_id == studio.id, TeacherProfile.user_id == studio_setup.users["teacher"].id))
    family = make.family(studio, guardians=[studio_setup.users["parent"]], name="Bennett")
    other_family = make.family(studio, name="Other")
    students = [make.student(studio, family=family, first_name="Ada"),
                make.student(studio, family=other_family, first_name="Ben")]
    lessons = [make.lesson(studio, teacher, [student]) for student in students]
    notes = [make.note(lesson, author=studio_setup.users["teacher"]) for lesson in lessons]
    invoices = [make.invoice(studio, family=f, send=True) for f in (family, other_family)]
    rooms = [make.room(studio), make.room(studio)]
    items = [InventoryItem(studio_id=studio.id, name=f"Violin {n}") for n in (1, 2)]
    db.session.add_all(items)
    db.session.commit()
    ids = {"note_ids": [n.id for n in notes], "room_ids": [r.id for r in rooms],
           "lesson_ids": [lesson.id for lesson in lessons]}
    _age_everything(studio.id)
    return type("World", (), {"studio": studio, "teacher": teacher, "families": [family, other_family],
                              "students": students, "lessons": lessons, "notes": notes,
                              "invoices": invoices, "rooms": rooms, "items": items, **ids})


def _since():
    """A moment after the world was aged (or the test's last change) and before what the test
    changes next."""
    return utcnow()


# ------------------------------------------------------------------ every list

def _list_paths(client):
    document = client.get("/api/openapi.json").json
    return [path for path, item in document["paths"].items()
            if "get" in item
            and any(p.get("name") == "updated_since" for p in item["get"].get("parameters", []))]


def test_every_paginated_list_takes_updated_since_and_include_deleted(app, client, admin, world):
    paths = _list_paths(client)
    assert len(paths) >= 24
    thread_paths = [p for p in paths if "{" in p]
    future = _iso(utcnow() + timedelta(days=1))
    for path in paths:
        if path in thread_paths:
            continue
        everything = client.get(path, headers=admin)
        assert everything.status_code == 200, (path, everything.json)
        assert "deleted" not in everything.json
        changed = client.get(f"{path}?updated_since={future}&include_deleted=true", headers=admin)
        assert changed.status_code == 200, (path, changed.json)
        assert changed.json["count"] == 0 and changed.json["results"] == [], path
        assert changed.json["deleted"] == [], path
        since = _iso(LONG_AGO - timedelta(days=1))
        old = client.get(f"{path}?updated_since={since}", headers=admin)
        assert old.status_code == 200 and old.json["count"] == everything.json["count"], path


def test_the_document_says_so(client):
    document = client.get("/api/openapi.json").json
    for path in _list_paths(client):
        operation = document["paths"][path]["get"]
        names = {p["name"]: p for p in operation["parameters"] if "name" in p}
        assert "include_deleted" in names and "`updated_at, id`" in names["updated_since"]["description"]
        assert sync.REFUSED_RULE in operation["responses"]["400"]["description"], path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = ref.rsplit("/", 1)[1]
        assert "deleted" in document["components"]["schemas"][page]["properties"], path


# ------------------------------------------------------------------ updated_since

def test_rows_changed_after_the_time_come_and_the_others_do_not(client, admin, world):
    since = _since()
    response = client.patch(f"/api/v1/students/{world.students[0].id}", headers=admin,
                            json={"last_name": "Lovelace"})
    assert response.status_code == 200
    response = client.patch(f"/api/v1/families/{world.families[1].id}", headers=admin,
                            json={"name": "Renamed"})
    assert response.status_code == 200
    note = db.session.get(LessonNote, world.notes[1].id)
    note.summary = "Arpeggios too."  # through the ORM
    db.session.commit()
    query = f"updated_since={_iso(since)}"
    assert _ids(client.get(f"/api/v1/students?{query}", headers=admin)) == [str(world.students[0].id)]
    assert _ids(client.get(f"/api/v1/families?{query}", headers=admin)) == [str(world.families[1].id)]
    assert _ids(client.get(f"/api/v1/lesson-notes?{query}", headers=admin)) == [str(world.notes[1].id)]
    for path in ("/api/v1/lessons", "/api/v1/invoices", "/api/v1/payments", "/api/v1/rooms",
                 "/api/v1/inventory/items", "/api/v1/teachers"):
        assert _ids(client.get(f"{path}?{query}", headers=admin)) == [], path
    # Without updated_side, everything, as before.
    assert len(_ids(client.get("/api/v1/students", headers=admin))) == 2


def test_changes_come_in_updated_at_then_id_order_whatever_the_ordering(client, admin, world):
    since = _since()
    for student in reversed(world.students):
        client.patch(f"/api/v1/students/{student.id}", headers=admin, json={"last_name": "Changed"})
    expected = [str(s.id) for s in reversed(world.students)]
    for ordering in ("", "&ordering=name", "&ordering=-created_at"):
        path = f"/api/v1/students?updated_since={_iso(since)}{ordering}"
        assert _ids(client.get(path, headers=admin)) == expected
    first = client.get(f"/api/v1/students?updated_since={_iso(since)}&page_size=1", headers=admin).json
    assert [r["id"] for r in first["results"]] == expected[:1] and first["next"]


def test_a_childs_change_moves_its_parents_updated_at(client, admin, world, studio_setup):
    since = _since()
    # A payment (a new child row) moves its invoice.
    response = client.post("/api/v1/payments", headers=admin, json={
        "invoice": str(world.invoices[0].id), "amount": "10.00", "payment_method": "cash"})
    assert response.status_code == 201, response.json
    # Attendance (a changed attendee) moves its lesson.
    attendee = db.session.scalar(select(LessonAttendee).where(
        LessonAttendee.lesson_id == world.lessons[1].id))
    attendee.attendance = "absent"
    db.session.commit()
    query = f"updated_since={_iso(since)}"
    assert _ids(client.get(f"/api/v1/invoices?{query}", headers=admin)) == [str(world.invoices[0].id)]
    assert _ids(client.get(f"/api/v1/lessons?{query}", headers=admin)) == [str(world.lessons[1].id)]
    # An invoice line's change (through the services) moves its invoice.
    since = _since()
    from app.billing import services

    invoice = db.session.get(Invoice, world.invoices[1].id)
    line = invoice.line_items[0]
    db.session.delete(line)
    db.session.commit()
    path = f"/api/v1/invoices?updated_since={_iso(since)}"
    assert _ids(client.get(path, headers=admin)) == [str(invoice.id)]
    assert services  # the billing services are what writes lines in the app


def test_bulk_updates_move_updated_at(client, admin, world):
    """UPDATE statements (not the ORM's flush) set updated_at too: the column's onupdate."""
    since = _since()
    db.session.execute(update(Room).where(Room.studio_id == world.studio.id, Room.id == world.rooms[1].id)
                       .values(name="Studio B"))
    db.session.execute(update(Lesson).where(Lesson.studio_id == world.studio.id, Lesson.id.in_(
        [lesson.id for lesson in world.lessons])).values(reminder_sent_at=utcnow()))
    db.session.commit()
    query = f"updated_since={_iso(since)}"
    assert _ids(client.get(f"/api/v1/rooms?{query}", headers=admin)) == [str(world.rooms[1].id)]
    assert sorted(_ids(client.get(f"/api/v1/lessons?{query}", headers=admin))) == sorted(
        str(lesson.id) for lesson in world.lessons)


def test_a_services_bulk_update_moves_updated_at(client, admin, world):
    """The overdue job marks loans with one UPDATE statement."""
    from app.inventory.models import Checkout
    from app.inventory.services import mark_all_overdue_checkouts

    item = db.session.get(InventoryItem, world.items[0].id)
    checkout = Checkout(studio_id=world.studio.id, item_id=item.id, student_id=world.students[0].id,
                        status="checked_out", quantity=1, checked_out_at=LONG_AGO,
                        due_date=(LONG_AGO + timedelta(days=7)).date())
    db.session.add(checkout)
    db.session.commit()
    _age_everything(world.studio.id)
    since = _since()
    assert mark_all_overdue_checkouts() >= 1
    db.session.commit()
    assert _ids(client.get(f"/api/v1/inventory/checkouts?updated_since={_iso(since)}", headers=admin)) == [
        str(checkout.id)]


# ------------------------------------------------------------------ deleted ids

def _deleted(client, headers, path, since):
    response = client.get(f"{path}?updated_since={_iso(since)}&include_deleted=true", headers=headers)
    assert response.status_code == 200, response.json
    return set(response.json["deleted"])


def test_deleted_rows_come_back_in_deleted_whoever_deletes_them(client, admin, world):
    since = _since()
    # The API (the ORM underneath).
    assert client.delete(f"/api/v1/lesson-notes/{world.note_ids[0]}", headers=admin).status_code == 204
    # A bulk delete() statement.
    db.session.execute(delete(LessonNote).where(LessonNote.studio_id == world.studio.id,
                                                LessonNote.id == world.note_ids[1]))
    # Raw SQL.
    room_id = world.room_ids[0]
    db.session.execute(sa.text("DELETE FROM room WHERE id = :id"),
                       {"id": room_id.hex if db.engine.dialect.name == "sqlite" else room_id})
    db.session.commit()
    assert _deleted(client, admin, "/api/v1/lesson-notes", since) == {str(i) for i in world.note_ids}
    assert _deleted(client, admin, "/api/v1/rooms", since) == {str(room_id)}
    assert _deleted(client, admin, "/api/v1/lessons", since) == set()
    # Not before: a later sync does not get them again.
    assert _deleted(client, admin, "/api/v1/lesson-notes", utcnow() + timedelta(seconds=1)) == set()
    # And only with include_deleted.
    assert "deleted" not in client.get(f"/api/v1/rooms?updated_since={_iso(since)}", headers=admin).json


def test_a_rolled_back_delete_leaves_no_tombstone(world):
    db.session.execute(delete(Room).where(Room.studio_id == world.studio.id))
    db.session.rollback()
    assert db.session.scalar(select(sa.func.count()).select_from(DeletedRecord)) == 0


def test_archived_rows_a_list_no_longer_shows_are_in_deleted(client, admin, world, studio_setup):
    since = _since()
    parent = bearer(api_login(client, studio_setup.users["parent"].email))
    assert client.patch(f"/api/v1/teachers/{world.teacher.id}", headers=admin,
                        json={"is_active": False}).status_code == 200
    item = db.session.get(InventoryItem, world.items[0].id)
    item.status = "retired"
    db.session.commit()
    assert _deleted(client, parent, "/api/v1/teachers", since) == {str(world.teacher.id)}
    assert _deleted(client, parent, "/api/v1/inventory/items", since) == {str(item.id)}
    # Staff still see them: changed, not gone.
    assert _deleted(client, admin, "/api/v1/teachers", since) == set()
    changed = _ids(client.get(f"/api/v1/teachers?updated_since={_iso(since)}", headers=admin))
    assert str(world.teacher.id) in changed
    # An archived student stays on the list (is_active false): a change, not a deletion.
    assert client.delete(f"/api/v1/students/{world.students[1].id}", headers=admin).status_code == 204
    assert _deleted(client, admin, "/api/v1/students", since) == set()
    assert _ids(client.get(f"/api/v1/students?updated_since={_iso(since)}", headers=admin)) == [
        str(world.students[1].id)]


def test_tombstones_are_the_studios_own(client, admin, make, world, studio_setup):
    other = studio_setup.other
    other_room_id = make.room(other).id
    db.session.commit()
    since = _since()
    db.session.execute(delete(Room).where(Room.studio_id == other.id))
    db.session.commit()
    other_admin = bearer(api_login(client, studio_setup.users["other_admin"].email))
    assert _deleted(client, other_admin, "/api/v1/rooms", since) == {str(other_room_id)}
    assert _deleted(client, admin, "/api/v1/rooms", since) == set()
    assert client.delete(f"/api/v1/lesson-notes/{world.note_ids[0]}", headers=admin).status_code == 204
    assert _deleted(client, other_admin, "/api/v1/lesson-notes", since) == set()
    assert _deleted(client, admin, "/api/v1/lesson-notes", since) == {str(world.note_ids[0])}


def test_what_a_delete_takes_with_it_leaves_tombstones_too(client, admin, world, studio_setup):
    """A thread's messages go with it, a lesson's notes with the lesson (the database's ON
    DELETE CASCADE, on PostgreSQL; SQLite here enforces no foreign keys): whatever went has
    its tombstone, and nothing else."""
    from app.core.tenancy import Principal
    from app.messaging.models import Message, Thread
    from app.messaging.services import threads

    users = studio_setup.users
    thread = threads.create_thread(Principal(user=users["admin"], studio=world.studio, role="admin"),
                                   "Recital", [users["teacher"].id], "Who plays first?")
    threads.post_message(Principal(user=users["teacher"], studio=world.studio, role="teacher"),
                         thread, "Sam.")
    db.session.commit()
    thread_id = thread.id
    messages = select(Message.id).where(Message.thread_id == thread_id)
    message_ids = {str(i) for i in db.session.scalars(messages)}
    assert len(message_ids) == 2
    since = _since()
    db.session.delete(db.session.get(Thread, thread_id))
    db.session.delete(db.session.get(Lesson, world.lesson_ids[0]))
    db.session.commit()
    assert _deleted(client, admin, "/api/v1/threads", since) == {str(thread_id)}
    # (A deleted thread's messages list answers 404; the messages' tombstones are there.)
    messages_left = {str(i) for i in db.session.scalars(messages)}
    assert {str(i) for i in db.session.scalars(select(DeletedRecord.row_id).where(
        DeletedRecord.table_name == "message"))} == message_ids - messages_left
    assert _deleted(client, admin, "/api/v1/lessons", since) == {str(world.lesson_ids[0])}
    left = set(db.session.scalars(select(LessonNote.id).where(LessonNote.studio_id == world.studio.id)))
    gone = {str(i) for i in world.note_ids if i not in left}
    assert _deleted(client, admin, "/api/v1/lesson-notes", since) == gone
    if db.engine.dialect.name == "postgresql":
        assert gone == {str(world.note_ids[0])} and not messages_left


# ------------------------------------------------------------------ limits

def test_bad_updated_since_is_a_400(client, admin, world):
    for bad in ("yesterday", "2026-13-01T00:00:00Z", "1800-01-01T00:00:00Z"):
        response = client.get(f"/api/v1/lessons?updated_since={bad}", headers=admin)
        assert response.status_code == 400 and "updated_since" in response.json["field_errors"], bad
    assert client.get("/api/v1/lessons?include_deleted=yes", headers=admin).status_code == 400


def test_a_sync_from_before_the_kept_tombstones_must_start_over(app, client, admin, world, monkeypatch):
    old = _iso(utcnow() - timedelta(days=sync.TOMBSTONE_DAYS, minutes=1))
    response = client.get(f"/api/v1/students?updated_since={old}&include_deleted=true", headers=admin)
    assert response.status_code == 400
    assert response.json["code"] == "VALIDATION_ERROR"
    assert list(response.json["field_errors"]) == ["updated_since"]
    assert "sync everything again" in response.json["field_errors"]["updated_since"][0]
    # Without include_deleted an old time is only a filter.
    assert client.get(f"/api/v1/students?updated_since={old}", headers=admin).status_code == 200
    # The horizon is a setting.
    monkeypatch.setitem(app.config, "TOMBSTONE_DAYS", 365)
    path = f"/api/v1/students?updated_since={old}&include_deleted=true"
    assert client.get(path, headers=admin).status_code == 200


def test_the_purge_keeps_tombstones_for_the_set_days(world):
    db.session.execute(delete(Room).where(Room.studio_id == world.studio.id))
    db.session.commit()
    old_id = world.room_ids[0]
    db.session.execute(update(DeletedRecord).where(DeletedRecord.row_id == old_id)
                       .values(deleted_at=utcnow() - timedelta(days=sync.TOMBSTONE_DAYS + 1)))
    db.session.commit()
    assert sync.purge_tombstones() == 1
    db.session.commit()
    left = db.session.scalars(select(DeletedRecord.row_id)).all()
    assert left == [world.room_ids[1]]


def test_the_daily_job_purges(world):
    from app.jobs import purge_sync_tombstones

    db.session.execute(delete(Room).where(Room.studio_id == world.studio.id))
    db.session.execute(update(DeletedRecord).values(deleted_at=LONG_AGO))
    db.session.commit()
    purge_sync_tombstones.call_local()
    db.session.remove()
    assert db.session.scalar(select(sa.func.count()).select_from(DeletedRecord)) == 0


def test_every_synced_table_has_its_tombstone_trigger(app):
    """A migration that rebuilds a synced table (SQLite's batch mode) or a table synced later
    without its trigger fails here."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            found = set(db.session.execute(sa.text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'sync_tombstone' "
                "AND c.relnamespace = current_schema()::regnamespace")).scalars())
        else:
            found = {name.removeprefix("sync_tombstone_") for name in db.session.execute(sa.text(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'sync_tombstone_%'")).scalars()}
    assert found == set(sync.SYNCED_TABLES)


def test_every_list_model_is_synced(app):
    """The tables behind the API lists are the synced tables."""
    from app.billing.models import Payment
    from app.inventory.models import Checkout
    from app.library.models import Resource, ResourceCheckout
    from app.messaging.models import Announcement, Message, Notification, Thread
    from app.scheduling.models import (
        CancellationRequest,
        MakeupCredit,
        RecurringSeries,
        RoomReservation,
        StudioClosure,
    )
    from app.teaching.models import Goal, LessonPlan, PracticeLog
    from app.webhooks.models import WebhookDelivery, WebhookEndpoint

    listed = (TeacherProfile, Student, Family, Lesson, RecurringSeries, Room, RoomReservation, StudioClosure,
              CancellationRequest, MakeupCredit, LessonNote, Goal, LessonPlan, PracticeLog, Resource,
              ResourceCheckout, Thread, Message, Announcement, Notification, Invoice, Payment, InventoryItem,
              Checkout, WebhookEndpoint, WebhookDelivery)
    assert {model.__tablename__ for model in listed} == set(sync.SYNCED_TABLES)


# ------------------------------------------------------------------ cost

def test_updated_since_costs_no_query_and_include_deleted_one(app, client, admin, world):
    since = _iso(LONG_AGO - timedelta(days=1))
    recent = _iso(utcnow() - timedelta(days=1))
    # (The lessons list keeps its pages whole while its tables are unchanged: not counted here.)
    for path in ("/api/v1/rooms", "/api/v1/invoices", "/api/v1/students", "/api/v1/lesson-notes"):
        client.get(path, headers=admin)  # warm
        with counted(app) as plain:
            client.get(path, headers=admin)
        client.get(f"{path}?updated_since={since}", headers=admin)
        with counted(app) as changed:
            client.get(f"{path}?updated_since={since}", headers=admin)
        client.get(f"{path}?updated_since={recent}", headers=admin)
        with counted(app) as changed_lately:
            client.get(f"{path}?updated_since={recent}", headers=admin)
        client.get(f"{path}?updated_since={recent}&include_deleted=true", headers=admin)
        with counted(app) as deleted:
            client.get(f"{path}?updated_since={recent}&include_deleted=true", headers=admin)
        assert len(changed) == len(plain), path
        assert len(deleted) == len(changed_lately) + 1, path


def test_amounts_stay_as_they_were(client, admin, world):
    """A parent's updated_at moving changes nothing else about it."""
    before = client.get(f"/api/v1/invoices/{world.invoices[0].id}", headers=admin).json
    client.post("/api/v1/payments", headers=admin, json={
        "invoice": str(world.invoices[0].id), "amount": "10.00", "payment_method": "cash"})
    after = client.get(f"/api/v1/invoices/{world.invoices[0].id}", headers=admin).json
    assert Decimal(after["amount_paid"]) == Decimal(before["amount_paid"]) + 10
    assert after["updated_at"] > before["updated_at"]
