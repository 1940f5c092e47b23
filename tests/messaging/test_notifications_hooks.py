"""Each domain event notifies once, the right members, with a link to its page: lessons
booked, cancelled and moved, cancellation requests, shared notes, invoices, payments,
overdue invoices and loans (also when the daily job runs twice)."""
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.billing import services as billing
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import Checkout
from app.messaging import services as messaging
from app.messaging.models import Notification, OutboxEmail
from app.scheduling import services as scheduling
from app.teaching import services as teaching


@pytest.fixture()
def w(make):
    """A studio: owner, admin, teacher Theo; the Bennetts (parent, Sam who signs in, Lily who
    does not), the Okafors (their parent, Chidi); and a second studio."""
    studio = make.studio(name="Hook Studio", late_fee=Decimal("0"))
    owner = make.member(studio, "owner")
    admin = make.member(studio, "admin")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh", hourly_rate=60)
    colleague = make.teacher(studio, first_name="Clara", last_name="Weiss")
    parent = make.member(studio, "parent")
    sam_user = make.member(studio, "student")
    other_parent = make.member(studio, "parent")
    family = make.family(studio, guardians=[parent], name="Bennett")
    other_family = make.family(studio, guardians=[other_parent], name="Okafor")
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett", user=sam_user,
                       primary_teacher=teacher)
    lily = make.student(studio, family, first_name="Lily", last_name="Bennett")
    chidi = make.student(studio, other_family, first_name="Chidi", last_name="Okafor")
    db.session.flush()
    return type("W", (), dict(
        studio=studio, owner=owner, admin=admin, teacher=teacher, colleague=colleague,
        parent=parent, sam_user=sam_user, other_parent=other_parent, family=family,
        other_family=other_family, sam=sam, lily=lily, chidi=chidi))


def told(kind):
    """{user id: [notifications]} of `kind`."""
    result = {}
    for n in db.session.scalars(select(Notification).where(Notification.notification_type == kind)):
        result.setdefault(n.user_id, []).append(n)
    return result


def notification_emails():
    return db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.dedupe_key.like("notification:%")))


def _soon(days=3, hour=15):
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0)


def _book(w, students, start=None, actor=None):
    placement = scheduling.Placement(teacher=w.teacher, students=tuple(students))
    return scheduling.schedule_lesson(
        w.studio, actor or w.admin, placement, start=start or _soon()).lesson


# ------------------------------------------------------------------ scheduling

def test_booking_a_lesson_tells_the_students_login_and_guardians_once(w):
    lesson = _book(w, [w.sam])

    notified = told("lesson_scheduled")
    assert set(notified) == {w.parent.id, w.sam_user.id}
    assert all(len(ns) == 1 for ns in notified.values())
    notification = notified[w.parent.id][0]
    assert notification.link == f"/lessons/{lesson.id}"
    assert "Sam Bennett" in notification.title and "Theo Marsh" in notification.message
    assert notification_emails() == 0  # lesson_scheduled is emailed only when chosen


def test_a_group_lesson_tells_each_family_under_its_own_childrens_names(w):
    _book(w, [w.lily, w.chidi])

    notified = told("lesson_scheduled")
    assert set(notified) == {w.parent.id, w.other_parent.id}
    assert "Lily Bennett" in notified[w.parent.id][0].title
    assert "Okafor" not in notified[w.parent.id][0].title
    assert "Chidi Okafor" in notified[w.other_parent.id][0].title


def test_a_past_lesson_is_not_announced(w):
    _book(w, [w.sam], start=_soon(days=-3))
    assert told("lesson_scheduled") == {}


def test_a_guardian_who_chose_it_by_email_gets_the_email(w):
    messaging.set_email_preferences(w.parent, {"lesson_scheduled": True})
    _book(w, [w.lily])
    assert notification_emails() == 1


def test_a_series_is_announced_once_not_once_per_lesson(w):
    placement = scheduling.Placement(teacher=w.teacher, students=(w.sam,))
    start = _soon(days=7).date()
    series, lessons = scheduling.create_series(
        w.studio, w.admin, placement, scheduling.Pattern(
            frequency="weekly", day_of_week=start.weekday(), start_time=time(16),
            duration_minutes=30, start_date=start, end_date=start + timedelta(weeks=5)))

    notified = told("lesson_scheduled")
    assert len(lessons) == 6
    assert set(notified) == {w.parent.id, w.sam_user.id}
    assert all(len(ns) == 1 for ns in notified.values())
    assert notified[w.parent.id][0].title.startswith("Weekly lessons booked")
    assert notified[w.parent.id][0].link == f"/lessons/{lessons[0].id}"


def test_the_studio_cancelling_tells_the_family_in_app_only(w):
    lesson = _book(w, [w.sam])
    scheduling.cancel_lesson(w.studio, w.teacher.user, lesson, "Teacher is ill",
                                      initiated_by="studio")

    notified = told("lesson_cancelled")
    assert set(notified) == {w.parent.id, w.sam_user.id}
    assert "Teacher is ill" in notified[w.parent.id][0].message
    assert notification_emails() == 0  # the cancellation notice is the email


def test_moving_a_lesson_tells_the_family_once_with_the_new_lessons_link(w):
    lesson = _book(w, [w.lily])
    new = scheduling.reschedule_lesson(w.studio, w.admin, lesson,
                                                start=_soon(days=4)).lesson

    moved = told("lesson_rescheduled")
    assert set(moved) == {w.parent.id}
    assert len(moved[w.parent.id]) == 1 and moved[w.parent.id][0].link == f"/lessons/{new.id}"
    assert told("lesson_cancelled") == {}  # the old lesson's cancellation is the move
    assert notification_emails() == 0


def test_a_cancellation_request_tells_the_admins_and_the_lessons_teacher(w):
    lesson = _book(w, [w.lily])
    messaging.set_email_preferences(w.owner, {"cancellation_requested": False})
    request = scheduling.request_cancellation(w.studio, w.parent, lesson, "Sick")

    notified = told("cancellation_requested")
    assert set(notified) == {w.owner.id, w.admin.id, w.teacher.user_id}
    notification = notified[w.admin.id][0]
    assert notification.link == f"/lessons/{lesson.id}" and "Sick" in notification.message
    assert w.colleague.user_id not in notified and w.parent.id not in notified
    assert notification_emails() == 2  # the admin and the teacher; the owner turned it off

    scheduling.approve_request(w.studio, w.admin, request)
    assert set(told("lesson_cancelled")) == {w.parent.id}


def test_nobody_is_told_of_their_own_action(w):
    _book(w, [w.sam], actor=w.parent)  # (a page would refuse; the service takes any actor)
    assert set(told("lesson_scheduled")) == {w.sam_user.id}


# ------------------------------------------------------------------ teaching

def test_a_note_tells_whom_it_is_newly_visible_to_once(w):
    lesson = _book(w, [w.sam], start=_soon(days=-1))
    note = teaching.create_note(w.studio, w.teacher.user, lesson, summary="Scales",
                                         visible_to_parent=True, visible_to_student=False)
    assert set(told("note_shared")) == {w.parent.id}

    teaching.update_note(w.studio, w.teacher.user, note, visible_to_student=True)
    teaching.update_note(w.studio, w.teacher.user, note, visible_to_parent=False)
    teaching.update_note(w.studio, w.teacher.user, note, visible_to_parent=True)

    notified = told("note_shared")
    assert set(notified) == {w.parent.id, w.sam_user.id}
    assert all(len(ns) == 1 for ns in notified.values())
    assert notified[w.parent.id][0].link == f"/lessons/{lesson.id}"


def test_a_private_note_tells_nobody(w):
    lesson = _book(w, [w.sam], start=_soon(days=-1))
    teaching.create_note(w.studio, w.teacher.user, lesson, summary="Private",
                                  visible_to_parent=False, visible_to_student=False)
    assert told("note_shared") == {}


# ------------------------------------------------------------------ billing

def _invoice(w, family=None, **fields):
    return billing.create_invoice(
        w.studio, w.admin, family=family or w.family,
        line_items=[{"description": "Lessons", "quantity": 2, "unit_price": "40.00"}], **fields)


def test_sending_an_invoice_tells_the_guardians_not_the_children(w):
    invoice = billing.send_invoice(w.studio, w.admin, _invoice(w))

    notified = told("invoice_sent")
    assert set(notified) == {w.parent.id}
    assert notified[w.parent.id][0].link == f"/invoices/{invoice.id}"
    assert invoice.number in notified[w.parent.id][0].title
    assert notification_emails() == 0  # the invoice email is the email


def test_an_invoice_sent_without_notice_tells_nobody(w):
    billing.send_invoice(w.studio, w.admin, _invoice(w), notify=False)
    assert told("invoice_sent") == {}


def test_a_payment_tells_the_guardians(w):
    invoice = billing.send_invoice(w.studio, w.admin, _invoice(w))
    billing.record_payment(w.studio, w.admin, invoice=invoice, amount="30.00",
                                    method="cash")

    notified = told("payment_received")
    assert set(notified) == {w.parent.id}
    assert "$30.00" in notified[w.parent.id][0].title
    assert notified[w.parent.id][0].link == f"/invoices/{invoice.id}"


def test_an_overdue_invoice_is_announced_once_however_often_the_job_runs(w):
    invoice = _invoice(w, issue_date=date.today() - timedelta(days=40),
                       due_date=date.today() - timedelta(days=10))
    billing.send_invoice(w.studio, w.admin, invoice)
    for _ in range(2):
        billing.mark_overdue(w.studio)
        invoice.status = "sent"  # as if the first run's work were undone: the key still holds
        db.session.flush()

    notified = told("invoice_overdue")
    assert set(notified) == {w.parent.id} and len(notified[w.parent.id]) == 1
    assert notified[w.parent.id][0].link == f"/invoices/{invoice.id}"


# ------------------------------------------------------------------ inventory

@pytest.fixture()
def violin(w):
    return inventory.create_item(w.studio, w.admin, name="Violin 3/4", quantity=2,
                                          max_checkout_days=14)


def test_approving_a_request_tells_the_family(w, violin):
    checkout = inventory.request_checkout(w.studio, w.parent, violin, w.sam)
    inventory.approve_checkout(w.studio, w.admin, checkout, hand_out=True)

    notified = told("checkout_approved")
    assert set(notified) == {w.parent.id, w.sam_user.id}
    assert notified[w.parent.id][0].link == f"/inventory/students/{w.sam.id}/borrowed"
    assert "Violin 3/4" in notified[w.parent.id][0].title
    assert notification_emails() == 2  # checkout_approved is emailed unless turned off


def test_an_overdue_loan_is_announced_once_however_often_the_job_runs(w, violin):
    checkout = inventory.request_checkout(w.studio, w.sam_user, violin, w.sam)
    inventory.approve_checkout(w.studio, w.admin, checkout, hand_out=True)
    later = datetime.now(timezone.utc) + timedelta(days=30)

    assert inventory.mark_overdue_checkouts(w.studio, later) == 1
    db.session.execute(db.update(Checkout).values(status="checked_out"))
    assert inventory.mark_overdue_checkouts(w.studio, later) == 1

    notified = told("checkout_overdue")
    assert set(notified) == {w.parent.id, w.sam_user.id}
    assert all(len(ns) == 1 for ns in notified.values())
    assert "Violin 3/4" in notified[w.parent.id][0].title
