"""Search ignores case and accents in every list, pages and API alike, on SQLite and
PostgreSQL: "garcia" finds "García", "SOFIA" finds "Sofía", "garcía" finds "Garcia"."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.core.bulk import bulk_insert
from app.core.search import fold, matches
from app.extensions import db
from app.people.models import Student
from app.teaching.models import LessonNote
from tests.conftest import api_login, bearer, web_login


def test_fold_lowercases_and_drops_accents():
    assert fold("  Sofía  GARCÍA ") == "sofia garcia"
    assert fold("Zoë Ørsted-Łukasz") == "zoe orsted-lukasz"
    assert fold("Straße Æsop") == "strasse aesop"
    assert fold(None) == ""


def test_wildcards_in_a_search_are_plain_characters(make):
    studio = make.studio()
    make.student(studio, first_name="Ada", last_name="100% Pure")
    make.student(studio, first_name="Ada", last_name="Lovelace")
    found = db.session.scalars(select(Student.last_name).where(
        Student.studio_id == studio.id, matches("100%", Student.search_text))).all()
    assert found == ["100% Pure"]
    assert db.session.scalar(select(Student.id).where(matches("a_a", Student.search_text))) is None


@pytest.fixture()
def studio(make):
    """Names with accents everywhere a list searches."""
    from app.billing import services as billing

    studio = make.studio(name="Música Viva")
    admin = make.member(studio, "admin")
    teacher = make.teacher(studio, first_name="Sofía", last_name="Núñez")
    parent = make.member(studio, "parent", first_name="Renée", last_name="Dubois")
    family = make.family(studio, guardians=[parent], name="García", billing_email="garcia@example.test")
    student = make.student(studio, family, first_name="José", last_name="García", email="jose@example.test")
    plain = make.family(studio, name="Garcia Plain")
    make.student(studio, plain, first_name="Ines", last_name="Garcia")
    make.student(studio, make.family(studio, name="Smith"), first_name="Bob", last_name="Smith")
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    lesson = make.lesson(studio, teacher, [student], start=start, status="completed")
    make.note(lesson, summary="Étude in É minor, très bien.")
    make.goal(student, title="Für Elise")
    make.plan(studio, teacher.user, title="Études de Czerny", is_public=True)
    make.practice(student, note="Müller Sonatine")
    make.room(studio, name="Salle Érard")
    make.closure(studio, date(2031, 7, 14), name="Fête nationale")
    invoice = make.invoice(studio, family, send=True)
    billing.record_payment(studio, admin, invoice=invoice, amount="10.00", method="cash")
    db.session.commit()
    return type("Studio", (), {"studio": studio, "admin": admin, "student": student})


SEARCHES = [
    ("/api/v1/students", "garcia", 2), ("/api/v1/students", "JOSÉ garcia", 1),
    ("/api/v1/students", "garcía", 2), ("/api/v1/families", "garcia", 2),
    ("/api/v1/families", "renee", 1), ("/api/v1/teachers", "sofia nunez", 1),
    ("/api/v1/invoices", "garcia", 1), ("/api/v1/payments", "GARCIA", 1),
    ("/api/v1/lesson-notes", "etude tres", 1), ("/api/v1/goals", "fur elise", 1),
    ("/api/v1/lesson-plans", "etudes", 1), ("/api/v1/practice-logs", "muller", 1),
    ("/api/v1/lessons", "jose", 1), ("/api/v1/rooms", "erard", 1),
    ("/api/v1/closures", "fete", 1), ("/api/v1/studios", "musica", 1),
]


@pytest.mark.parametrize("path,text,count", SEARCHES, ids=[f"{p} {t}" for p, t, _ in SEARCHES])
def test_api_search_ignores_case_and_accents(client, studio, path, text, count):
    headers = bearer(api_login(client, studio.admin.email))
    response = client.get(path, query_string={"search": text}, headers=headers)
    assert response.status_code == 200
    assert response.json["count"] == count
    assert client.get(path, query_string={"search": "zzz-nothing"}, headers=headers).json["count"] == 0


PAGES = [
    ("/students?q=garcia", "José García"), ("/families?q=renee", "García"),
    ("/teachers?q=NUNEZ", "Sofía Núñez"), ("/settings/members?q=renee", "Renée Dubois"),
    ("/invoices?q=garcia", "García"), ("/payments?q=garcia", "García"),
    ("/notes?student_q=jose", "très bien"), ("/lesson-plans?q=etudes", "Études de Czerny"),
]


@pytest.mark.parametrize("path,shown", PAGES, ids=[p for p, _ in PAGES])
def test_list_pages_search_ignores_case_and_accents(client, studio, path, shown):
    web_login(client, studio.admin.email)
    assert shown in client.get(path).get_data(as_text=True)
    assert shown not in client.get(path.split("=")[0] + "=zzz-nothing").get_data(as_text=True)


def test_search_text_follows_a_rename(client, studio):
    student = db.session.get(Student, studio.student.id)
    student.last_name = "Müller"
    db.session.commit()
    headers = bearer(api_login(client, studio.admin.email))
    assert client.get("/api/v1/students?search=muller", headers=headers).json["count"] == 1
    db.session.expire_all()
    assert db.session.get(Student, studio.student.id).search_text == "jose muller jose@example.test"


def test_rows_written_in_bulk_are_searchable(client, make, studio):
    note = db.session.scalar(select(LessonNote))
    lesson = make.lesson(studio.studio, note.lesson.teacher, [studio.student],
                         start=note.lesson.start_at - timedelta(days=7), status="completed")
    bulk_insert(LessonNote, [{"studio_id": note.studio_id, "lesson_id": lesson.id,
                              "student_id": note.student_id, "summary": "Čajkovskij: Album für die Jugend"}])
    db.session.commit()
    headers = bearer(api_login(client, studio.admin.email))
    assert client.get("/api/v1/lesson-notes?search=cajkovskij", headers=headers).json["count"] == 1
