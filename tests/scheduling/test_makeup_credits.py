"""Make-up credits: a family's balance on its page and in the portal, booking a lesson against
a credit from the booking form and over the API, exactly once, and getting it back when the
studio cancels that lesson."""

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from app.core.db import utcnow
from app.core.errors import Conflict
from app.extensions import db
from app.scheduling import services
from app.scheduling.models import Lesson, MakeupCredit
from tests.scheduling.conftest import bearer_for
from tests.scheduling.test_pages import DAY, HTMX, _form, signed_in, text


def _credit(world, make, student=None, *, expires_in=timedelta(days=30), used_by=None):
    student = student or world.student
    missed = make.lesson(world.studio, world.teacher, [student], start=world.at(DAY - timedelta(days=7), 10),
                         status="cancelled")
    missed.cancellation_reason = "Flu"
    credit = MakeupCredit(id=uuid.uuid4(), studio_id=world.studio.id, family_id=student.family_id,
                          student_id=student.id, source_lesson_id=missed.id, expires_at=utcnow() + expires_in,
                          used_by_lesson_id=used_by.id if used_by else None,
                          used_at=utcnow() if used_by else None)
    db.session.add(credit)
    db.session.commit()
    return credit


def _placement(world, student=None):
    return services.Placement(teacher=world.teacher, students=(student or world.student,))


# ---------------------------------------------------------------- services


def test_a_family_lists_its_credits_newest_first_whatever_their_state(world, make):
    used_by = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 9))
    used = _credit(world, make, used_by=used_by)
    expired = _credit(world, make, world.sibling, expires_in=timedelta(days=-1))
    available = _credit(world, make)
    credits = services.family_credits(world.studio, world.family.id)
    assert [c.id for c in credits] == [available.id, expired.id, used.id]
    assert [c.status for c in credits] == ["available", "expired", "used"]
    assert credits[2].used_by_lesson.id == used_by.id


def test_a_credit_used_meanwhile_by_another_booking_is_refused(world, make):
    credit = _credit(world, make)
    other = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 9))
    db.session.execute(update(MakeupCredit).where(MakeupCredit.id == credit.id).values(
        used_by_lesson_id=other.id).execution_options(synchronize_session=False))
    with pytest.raises(Conflict, match="used meanwhile"):
        services.schedule_lesson(world.studio, world.admin, _placement(world), start=world.at(DAY, 16),
                                 end=world.at(DAY, 16, 30), makeup_credit=credit.id)


# ---------------------------------------------------------------- pages


def test_the_family_page_shows_the_balance_and_each_credit(client, world, make):
    used_by = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 9))
    _credit(world, make, used_by=used_by)
    _credit(world, make)
    signed_in(client, world.admin)
    page = text(client.get(f"/families/{world.family.id}"))
    assert "Make-up credits" in page and "1 available" in page
    assert "late cancellation of" in page and "(Flu)" in page and "used by" in page
    assert f"/lessons/{used_by.id}" in page


def test_the_parent_sees_the_familys_credits_in_the_portal(client, world, make):
    _credit(world, make, world.sibling)
    signed_in(client, world.parent)
    home = text(client.get("/"))
    assert "Make-up credits" in home and "1 available" in home and "Ella Bennett" in home
    assert "1 available" in text(client.get(f"/families/{world.family.id}"))


def test_a_student_sees_only_their_own_credits(client, world, make):
    _credit(world, make, world.sibling)
    signed_in(client, world.student_user)
    home = text(client.get("/"))
    assert "0 available" in home and "Ella Bennett" not in home


def test_the_booking_form_offers_the_chosen_students_credits(client, world, make):
    credit = _credit(world, make)
    signed_in(client, world.admin)
    form = text(client.get(f"/lessons/new?student={world.student.id}", headers=HTMX))
    assert "Use a make-up credit" in form and str(credit.id) in form
    assert "Sam Bennett has 1 make-up credit" in form
    sibling = text(client.get(f"/lessons/new/makeup-credit?student={world.sibling.id}", headers=HTMX))
    assert 'id="makeup-credit"' in sibling and "Use a make-up credit" not in sibling
    again = text(client.get(f"/lessons/new/makeup-credit?student={world.student.id}", headers=HTMX))
    assert str(credit.id) in again


def test_booking_against_a_credit_makes_a_makeup_lesson_and_the_studio_cancelling_returns_it(
        client, world, make):
    credit = _credit(world, make)
    token = signed_in(client, world.admin)
    booked = client.post("/lessons/new", headers=HTMX, data=_form(
        token, teacher=str(world.teacher.id), student=str(world.student.id), makeup_credit=str(credit.id)))
    assert booked.status_code == 200, text(booked)
    db.session.refresh(credit)
    lesson = db.session.get(Lesson, credit.used_by_lesson_id)
    assert lesson.lesson_type == "makeup" and lesson.rate == 0
    assert "0 available" in text(client.get(f"/families/{world.family.id}"))
    cancelled = client.post(f"/lessons/{lesson.id}/cancel", headers=HTMX,
                            data={"csrf_token": token, "reason": "Teacher ill", "initiated_by": "studio"})
    assert cancelled.status_code == 200
    db.session.refresh(credit)
    assert credit.used_by_lesson_id is None and credit.status == "available"


def test_a_used_credit_cannot_book_a_second_lesson_from_the_form(client, world, make):
    used_by = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 9))
    credit = _credit(world, make, used_by=used_by)
    token = signed_in(client, world.admin)
    refused = client.post("/lessons/new", headers=HTMX, data=_form(
        token, teacher=str(world.teacher.id), student=str(world.student.id), makeup_credit=str(credit.id)))
    assert refused.status_code == 422 and "Not a valid choice" in text(refused)


# ---------------------------------------------------------------- API


def test_the_api_gives_a_familys_balance_and_books_against_a_credit(client, world, make, tokens):
    credit = _credit(world, make)
    _credit(world, make, expires_in=timedelta(days=-1))
    url = f"/api/v1/makeup-credits?family={world.family.id}&status=available"
    assert client.get(url, headers=tokens["admin"]).json["count"] == 1
    assert client.get(url, headers=tokens["parent"]).json["count"] == 1
    assert client.get(url, headers=tokens["foreign_admin"]).json["count"] == 0
    body = {"teacher": str(world.teacher.id), "student": str(world.student.id),
            "scheduled_start": world.at(DAY, 16).strftime("%Y-%m-%dT%H:%M:%SZ"), "duration_minutes": 30,
            "makeup_credit": str(credit.id)}
    created = client.post("/api/v1/lessons", json=body, headers=tokens["admin"])
    assert created.status_code == 201 and created.json["lesson_type"] == "makeup"
    assert client.get(url, headers=tokens["admin"]).json["count"] == 0
    again = client.post("/api/v1/lessons", headers=tokens["admin"], json={
        **body, "scheduled_start": world.at(DAY, 17).strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert again.status_code == 400 and "makeup_credit" in again.json["field_errors"]


# ---------------------------------------------------------------- concurrency

PARALLEL = 20


@pytest.mark.postgres
def test_twenty_bookings_racing_for_the_last_credit_use_it_exactly_once(app, world, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL")
    credit = _credit(world, make)
    headers = bearer_for(world.admin)
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(days=5)
    bodies = [{"teacher": str(world.teacher.id), "student": str(world.student.id),
               "scheduled_start": (start + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "duration_minutes": 30, "makeup_credit": str(credit.id)} for i in range(PARALLEL)]
    barrier = threading.Barrier(PARALLEL)
    statuses = []

    def book(body):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post("/api/v1/lessons", json=body, headers=headers).status_code)

    threads = [threading.Thread(target=book, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses.count(201) == 1 and set(statuses) <= {201, 400, 409}, statuses
    db.session.expire_all()
    lessons = db.session.scalars(select(Lesson).where(
        Lesson.studio_id == world.studio.id, Lesson.lesson_type == "makeup")).all()
    assert len(lessons) == 1 and db.session.get(MakeupCredit, credit.id).used_by_lesson_id == lessons[0].id
