"""A teacher sees the students they teach and those students' families (SPEC §1); the studio
setting `teachers_see_all_students` widens that to everyone. Anyone else is 404."""
from datetime import date, datetime, timedelta, timezone

import pytest

from app.extensions import db
from tests.conftest import api_login, bearer, post_form, web_login

BIRTHDAY = date(2014, 5, 17)


@pytest.fixture()
def studio(people, make):
    """The teacher teaches Lily (primary teacher) and Noor (in a lesson only); Sam Okafor
    and the Empty family are another teacher's business. Birth dates are on file."""
    people.child.date_of_birth = BIRTHDAY
    people.self_student.date_of_birth = BIRTHDAY
    people.student_family.phone = "+1 555 0142"
    people.lesson_family = make.family(people.studio, name="Haddad Family", phone="+1 555 0177")
    people.in_lesson = make.student(people.studio, people.lesson_family, first_name="Noor",
                                    last_name="Haddad")
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    make.lesson(people.studio, people.own_teacher, [people.in_lesson], start=start)
    db.session.commit()
    return people


def _teacher(client, people):
    return bearer(api_login(client, people.users["teacher"].email))


def _widen(people):
    people.studio.teachers_see_all_students = True
    db.session.commit()


def _names(response, key="first_name"):
    return sorted(row[key] for row in response.json["results"])


def test_by_default_a_teacher_lists_only_the_students_they_teach(client, studio):
    headers = _teacher(client, studio)
    assert _names(client.get("/api/v1/students", headers=headers)) == ["Lily", "Noor"]
    families = client.get("/api/v1/families", headers=headers)
    assert _names(families, "name") == ["Bennett Family", "Haddad Family"]
    assert client.get("/api/v1/students?search=okafor", headers=headers).json["count"] == 0


def test_by_default_other_students_and_families_are_not_found(client, studio):
    headers = _teacher(client, studio)
    for path in (f"/api/v1/students/{studio.self_student.id}", f"/api/v1/families/{studio.student_family.id}",
                 f"/api/v1/families/{studio.empty_family.id}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response.json["code"] == "NOT_FOUND"
    lily = client.get(f"/api/v1/students/{studio.child.id}", headers=headers).json
    assert lily["date_of_birth"] == BIRTHDAY.isoformat()
    haddad = client.get(f"/api/v1/families/{studio.lesson_family.id}", headers=headers).json
    assert haddad["phone_number"] == "+1 555 0177"


def test_by_default_a_teachers_pages_hide_other_families(client, studio):
    web_login(client, studio.users["teacher"].email)
    students = client.get("/students").get_data(as_text=True)
    assert "Lily" in students and "Noor" in students and "Okafor" not in students
    families = client.get("/families").get_data(as_text=True)
    assert "Haddad Family" in families and "Okafor Family" not in families and "Empty Family" not in families
    assert client.get(f"/students/{studio.self_student.id}").status_code == 404
    assert client.get(f"/families/{studio.student_family.id}").status_code == 404
    assert "+1 555 0142" not in client.get("/families?q=okafor").get_data(as_text=True)


def test_the_studio_setting_lets_teachers_see_everyone(client, studio):
    _widen(studio)
    headers = _teacher(client, studio)
    assert _names(client.get("/api/v1/students", headers=headers)) == ["Lily", "Noor", "Sam"]
    sam = client.get(f"/api/v1/students/{studio.self_student.id}", headers=headers)
    assert sam.status_code == 200 and sam.json["date_of_birth"] == BIRTHDAY.isoformat()
    assert client.get(f"/api/v1/families/{studio.student_family.id}", headers=headers).status_code == 200
    web_login(client, studio.users["teacher"].email)
    assert client.get(f"/students/{studio.self_student.id}").status_code == 200


def test_managers_always_see_everyone(client, studio):
    headers = bearer(api_login(client, studio.users["admin"].email))
    assert _names(client.get("/api/v1/students", headers=headers)) == ["Lily", "Noor", "Sam"]


def test_the_setting_is_in_the_studio_json(client, studio):
    headers = bearer(api_login(client, studio.users["admin"].email))
    settings = client.get("/api/v1/studios/current", headers=headers).json["settings"]
    assert settings["teachers_see_all_students"] is False and settings["classmate_names"] == "first_name"
    response = client.patch("/api/v1/studios/current", headers=headers, json={
        "settings": {"teachers_see_all_students": True, "classmate_names": "hidden"}})
    assert response.status_code == 200
    assert response.json["settings"]["teachers_see_all_students"] is True
    assert response.json["settings"]["classmate_names"] == "hidden"
    bad = client.patch("/api/v1/studios/current", headers=headers,
                       json={"settings": {"classmate_names": "all"}})
    assert bad.status_code == 400 and "classmate_names" in str(bad.json["field_errors"])


def test_a_teacher_may_not_change_the_setting(client, studio):
    response = client.patch("/api/v1/studios/current", headers=_teacher(client, studio),
                            json={"settings": {"teachers_see_all_students": True}})
    assert response.status_code == 403


def test_the_setting_is_on_the_studio_settings_page(client, studio):
    web_login(client, studio.users["admin"].email)
    page = client.get("/settings/studio").get_data(as_text=True)
    assert 'name="teachers_see_all_students"' in page and 'name="classmate_names"' in page
    response = post_form(client, "/settings/studio", {
        "name": "Harmony Test Studio", "timezone": "America/New_York", "currency": "USD",
        "locale": "en_US", "tax_rate": "0.00", "invoice_prefix": "INV", "invoice_due_days": "14",
        "late_fee": "0.00", "billing_mode": "after_attended", "cancellation_notice_hours": "24",
        "makeup_credit_expiry_days": "60", "lesson_buffer_minutes": "0",
        "teachers_see_all_students": "y", "classmate_names": "hidden"})
    assert response.status_code == 302
    db.session.expire_all()
    assert studio.studio.teachers_see_all_students is True and studio.studio.classmate_names == "hidden"
