"""The event outbox: an event is a row of the change's own transaction (a rolled-back change
announces nothing, a committed one always does), and each domain's services announce their
events with the object's stable fields."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.billing import services as billing
from app.core.tenancy import Principal
from app.core.webhook_events import EVENTS, WebhookEvent, emit
from app.extensions import db
from app.inventory import services as inventory
from app.messaging import services as messaging
from app.people import services as people
from app.scheduling import services as scheduling


def _events(name=None):
    stmt = select(WebhookEvent).order_by(WebhookEvent.created_at)
    if name:
        stmt = stmt.where(WebhookEvent.event == name)
    return db.session.scalars(stmt).all()


@pytest.fixture()
def world(make):
    studio = make.studio(name="Eventful")
    admin = make.member(studio, "admin")
    teacher = make.teacher(studio)
    parent = make.member(studio, "parent")
    family = make.family(studio, guardians=[parent], name="Ives Family")
    student = make.student(studio, family, first_name="Ivy")
    db.session.commit()
    return type("World", (), dict(studio=studio, admin=admin, teacher=teacher, parent=parent,
                                  family=family, student=student))


def _book(world):
    return scheduling.schedule_lesson(
        world.studio, world.admin,
        scheduling.Placement(teacher=world.teacher, students=(world.student,)),
        start=datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)).lesson


def test_a_rolled_back_change_writes_no_event(world):
    _book(world)
    assert len(_events("lesson.created")) == 1  # in the transaction
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_a_committed_change_writes_its_event(world):
    lesson_id, studio_id = _book(world).id, world.studio.id
    db.session.commit()
    db.session.expunge_all()
    [event] = _events()
    assert event.event == "lesson.created" and event.studio_id == studio_id
    assert event.subject_type == "lesson" and event.subject_id == lesson_id
    assert event.fanned_out_at is None


def test_a_savepoint_rolled_back_takes_its_event_with_it(world):
    nested = db.session.begin_nested()
    _book(world)
    nested.rollback()
    db.session.commit()
    assert _events() == []


def test_a_failed_request_writes_no_event(app, world, client):
    from tests.conftest import api_login, bearer

    tokens = api_login(client, world.admin.email)
    start = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0)
    body = {"teacher": str(world.teacher.id), "student": str(world.student.id),
            "scheduled_start": start.isoformat().replace("+00:00", "Z")}
    assert client.post("/api/v1/lessons", json=body, headers=bearer(tokens)).status_code == 201
    clash = client.post("/api/v1/lessons", json=body, headers=bearer(tokens))
    assert clash.status_code == 409
    db.session.expire_all()
    assert [e.event for e in _events()] == ["lesson.created"]


def test_lesson_events(world):
    lesson = _book(world)
    moved = scheduling.reschedule_lesson(world.studio, world.admin, lesson,
                                         start=lesson.start_at + timedelta(hours=3)).lesson
    scheduling.cancel_lesson(world.studio, world.admin, moved, "Ill", initiated_by="studio")
    past = scheduling.schedule_lesson(
        world.studio, world.admin, scheduling.Placement(teacher=world.teacher, students=(world.student,)),
        start=datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=3)).lesson
    scheduling.complete_lesson(world.studio, world.admin, past)
    db.session.commit()
    names = [e.event for e in _events()]
    assert names == ["lesson.created", "lesson.cancelled", "lesson.rescheduled", "lesson.cancelled",
                     "lesson.created", "lesson.completed"]
    rescheduled = _events("lesson.rescheduled")[0].data
    assert rescheduled["id"] == str(moved.id) and rescheduled["rescheduled_from"] == str(lesson.id)
    assert _events("lesson.cancelled")[0].data["cancellation_reason"] == "rescheduled"
    completed = _events("lesson.completed")[0].data
    assert completed["status"] == "completed"
    assert completed["students"] == [{"id": str(world.student.id), "attendance": "present"}]
    assert completed["scheduled_start"].endswith("Z") and "rate" in completed


def test_people_events(world):
    student, _ = people.create_student(world.studio, world.admin, first_name="Nova",
                                       family=world.family)
    people.update_family(world.studio, world.admin, world.family, phone="555-0100")
    people.update_family(world.studio, world.admin, world.family, phone="555-0100")  # no change
    db.session.commit()
    assert [e.event for e in _events()] == ["student.created", "family.updated"]
    assert _events("student.created")[0].data["family"] == str(world.family.id)
    assert _events("family.updated")[0].data["phone_number"] == "555-0100"


def test_billing_events(world, make):
    invoice = make.invoice(world.studio, world.family, lines=(("Lessons", 2, "50.00"),))
    billing.send_invoice(world.studio, world.admin, invoice)
    billing.record_payment(world.studio, world.admin, invoice=invoice, amount="40.00", method="cash")
    billing.record_payment(world.studio, world.admin, invoice=invoice, amount="60.00", method="credit_card")
    db.session.commit()
    assert [e.event for e in _events()] == [
        "invoice.sent", "payment.recorded", "invoice.paid", "payment.recorded"]
    sent = _events("invoice.sent")[0].data
    assert sent["total"] == "100.00" and sent["invoice_number"] == invoice.number
    paid = _events("invoice.paid")[0].data
    assert paid["status"] == "paid" and paid["balance_due"] == "0.00"
    assert [e.data["amount"] for e in _events("payment.recorded")] == ["40.00", "60.00"]


def test_inventory_events(world):
    item = inventory.create_item(world.studio, world.admin, name="Cello", quantity=1)
    checkout = inventory.request_checkout(world.studio, world.parent, item, world.student)
    inventory.approve_checkout(world.studio, world.admin, checkout, hand_out=True)
    inventory.return_checkout(world.studio, world.admin, checkout, condition="good")
    db.session.commit()
    assert [e.event for e in _events()] == ["checkout.approved", "checkout.returned"]
    approved = _events("checkout.approved")[0].data
    assert approved["item_name"] == "Cello" and approved["status"] == "checked_out"


def test_a_message_event_names_the_message_and_not_what_it_says(world):
    principal = Principal(user=world.parent, studio=world.studio, role="parent")
    messaging.create_thread(principal, "Hello", [str(world.admin.id)], "A private word")
    db.session.commit()
    [event] = _events("message.created")
    assert set(event.data) == {"id", "thread", "author", "created_at"}
    assert "A private word" not in str(event.data)


def test_every_listed_event_has_a_description_and_unknown_names_are_refused(world):
    assert len(EVENTS) == len(set(EVENTS)) == 12
    with pytest.raises(KeyError):
        emit(world.studio, "lesson.exploded", None, {})


def test_times_in_event_bodies_are_whole_seconds_in_utc_as_the_api_writes_them():
    from app.core.webhook_events import api_value

    moment = datetime(2031, 3, 3, 15, 0, 5, 364328, tzinfo=timezone(timedelta(hours=-5)))
    assert api_value(moment) == "2031-03-03T20:00:05Z"
    assert api_value(moment.replace(tzinfo=None)) == "2031-03-03T15:00:05Z"
