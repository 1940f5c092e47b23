"""/api/v1/students."""

from sqlalchemy import select

from app.accounts.models import Invitation
from app.accounts.services import accept_invitation
from app.extensions import db
from app.people.models import Student
from tests.conftest import api_login, bearer


def headers_for(client, user):
    return bearer(api_login(client, user.email))


def test_create_with_nested_user_creates_a_login(client, people):
    headers = headers_for(client, people.users["admin"])
    response = client.post(
        "/api/v1/students",
        headers=headers,
        json={
            "user": {
                "email": "sarah@example.test",
                "first_name": "Sarah",
                "last_name": "Johnson",
                "password": "secure_password",
            },
            "instrument": "violin",
            "specialties": ["violin"],
            "date_of_birth": "2010-05-15",
            "emergency_contact_name": "Parent Name",
            "emergency_contact_phone": "+1234567890",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["first_name"] == "Sarah" and body["last_name"] == "Johnson"
    assert body["user"]["email"] == "sarah@example.test" and body["has_login"] is True
    assert body["date_of_birth"] == "2010-05-15"
    assert body["family_name"] == "Johnson Family"
    tokens = api_login(client, "sarah@example.test", "secure_password")
    mine = client.get("/api/v1/students", headers=bearer(tokens)).get_json()
    assert [s["id"] for s in mine["results"]] == [body["id"]]


def test_create_with_nested_user_without_password_invites(client, people):
    headers = headers_for(client, people.users["admin"])
    body = client.post(
        "/api/v1/students",
        headers=headers,
        json={
            "user": {"email": "kid@example.test", "first_name": "Kid"},
            "family": str(people.parent_family.id),
        },
    ).get_json()
    assert body["has_login"] is False and body["email"] == "kid@example.test"
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "kid@example.test"))
    assert invitation.role == "student"


def test_accepting_the_invitation_links_the_student(client, people, app):
    headers = headers_for(client, people.users["admin"])
    created = client.post(
        "/api/v1/students", headers=headers, json={"first_name": "Kid", "user": {"email": "kid@example.test"}}
    ).get_json()
    with app.test_request_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.email == "kid@example.test"))
        from app.accounts.services.invitations import _token_hash  # noqa: F401 - the stored hash cannot be reversed

        invitation.token_hash = _token_hash("known-token")
        accept_invitation("known-token", first_name="Kid", password="a-good-password")
        db.session.commit()
    tokens = api_login(client, "kid@example.test", "a-good-password")
    me = client.get(f"/api/v1/students/{created['id']}", headers=bearer(tokens))
    assert me.status_code == 200 and me.get_json()["has_login"] is True


def test_create_without_login_needs_only_a_name_and_makes_a_family(client, people):
    headers = headers_for(client, people.users["admin"])
    body = client.post(
        "/api/v1/students", headers=headers, json={"first_name": "Nova", "last_name": "Ray"}
    ).get_json()
    assert body["user"] is None and body["has_login"] is False
    assert body["family_name"] == "Ray Family"
    assert body["default_lesson_minutes"] == 30
    missing = client.post("/api/v1/students", headers=headers, json={"last_name": "Ray"})
    assert missing.status_code == 400 and "first_name" in missing.get_json()["field_errors"]


def test_references_family_and_teacher_alias(client, people):
    headers = headers_for(client, people.users["admin"])
    body = client.post(
        "/api/v1/students",
        headers=headers,
        json={
            "first_name": "Mo",
            "family": str(people.parent_family.id),
            "teacher": str(people.other_teacher.id),
            "default_lesson_rate": "45.5",
            "default_lesson_minutes": 45,
        },
    ).get_json()
    assert body["family"] == str(people.parent_family.id)
    assert body["primary_teacher"] == str(people.other_teacher.id)
    assert body["primary_teacher_name"] == people.other_teacher.full_name
    assert body["default_lesson_rate"] == "45.50"


def test_the_usual_lesson_type_is_private_or_group(client, people):
    headers = headers_for(client, people.users["admin"])
    created = client.post("/api/v1/students", headers=headers, json={"first_name": "Mo"}).get_json()
    assert created["default_lesson_type"] == "private"
    url = f"/api/v1/students/{created['id']}"
    assert client.patch(url, headers=headers, json={"default_lesson_type": "group"}).get_json()[
        "default_lesson_type"] == "group"
    refused = client.patch(url, headers=headers, json={"default_lesson_type": "trial"})
    assert refused.status_code == 400 and "default_lesson_type" in refused.get_json()["field_errors"]


def test_unknown_or_foreign_references_are_400_field_errors(client, people):
    headers = headers_for(client, people.users["admin"])
    for payload, field, message in (
        ({"family": str(people.foreign_family.id)}, "family", "Unknown family."),
        ({"family": "3f0c8f1e-0000-4000-8000-000000000000"}, "family", "Unknown family."),
        ({"primary_teacher": str(people.foreign_teacher.id)}, "primary_teacher", "Unknown teacher."),
        ({"family": "nope"}, "family", "Not a valid UUID."),
    ):
        response = client.post("/api/v1/students", headers=headers, json={"first_name": "X", **payload})
        assert response.status_code == 400
        assert response.get_json()["field_errors"][field] == [message]


def test_duplicate_emails_and_bad_dates(client, people):
    headers = headers_for(client, people.users["admin"])
    taken_login = client.post(
        "/api/v1/students",
        headers=headers,
        json={
            "user": {"email": people.users["parent"].email, "first_name": "P", "password": "a-good-password"}
        },
    )
    assert taken_login.status_code == 400
    assert "user.email" in taken_login.get_json()["field_errors"]
    taken_contact = client.post(
        "/api/v1/students",
        headers=headers,
        json={"first_name": "Sam", "email": people.users["student"].email.upper()},
    )
    assert taken_contact.get_json()["field_errors"]["email"] == [
        "Another student in this studio has this email."
    ]
    for value in ("2010-13-45", "15/05/2010", "yesterday"):
        bad = client.post(
            "/api/v1/students", headers=headers, json={"first_name": "D", "date_of_birth": value}
        )
        assert bad.status_code == 400 and "date_of_birth" in bad.get_json()["field_errors"]
    future = client.post(
        "/api/v1/students", headers=headers, json={"first_name": "D", "date_of_birth": "2199-01-01"}
    )
    assert future.get_json()["field_errors"]["date_of_birth"] == ["The birth date cannot be in the future."]
    weak = client.post(
        "/api/v1/students",
        headers=headers,
        json={"user": {"email": "weak@example.test", "first_name": "W", "password": "short"}},
    )
    assert "user.password" in weak.get_json()["field_errors"]


def test_delete_archives_and_get_still_finds_it(client, people):
    headers = headers_for(client, people.users["admin"])
    url = f"/api/v1/students/{people.child.id}"
    assert client.delete(url, headers=headers).status_code == 204
    body = client.get(url, headers=headers).get_json()
    assert body["is_active"] is False and body["archived_at"].endswith("Z")
    assert db.session.get(Student, people.child.id) is not None
    archived = client.get("/api/v1/students?is_active=false", headers=headers).get_json()
    assert [s["id"] for s in archived["results"]] == [str(people.child.id)]
    restored = client.patch(url, headers=headers, json={"is_active": True}).get_json()
    assert restored["is_active"] is True and restored["archived_at"] is None


def test_filters_search_and_ordering(client, people, make):
    headers = headers_for(client, people.users["admin"])
    make.student(
        people.studio,
        family=people.parent_family,
        first_name="Adam",
        last_name="Bennett",
        instrument="cello",
        primary_teacher=people.other_teacher,
    )
    db.session.commit()
    by_family = client.get(
        f"/api/v1/students?family={people.parent_family.id}&ordering=first_name", headers=headers
    ).get_json()
    assert [s["first_name"] for s in by_family["results"]] == ["Adam", "Lily"]
    by_teacher = client.get(f"/api/v1/students?teacher={people.other_teacher.id}", headers=headers).get_json()
    assert [s["first_name"] for s in by_teacher["results"]] == ["Adam"]
    by_instrument = client.get("/api/v1/students?instrument=Cello", headers=headers).get_json()
    assert by_instrument["count"] == 1
    by_search = client.get("/api/v1/students?search=okafor", headers=headers).get_json()
    assert [s["first_name"] for s in by_search["results"]] == ["Sam"]
    foreign = client.get(f"/api/v1/students?family={people.foreign_family.id}", headers=headers).get_json()
    assert foreign["count"] == 0
    assert client.get("/api/v1/students?family=xyz", headers=headers).status_code == 400
    assert (
        client.get("/api/v1/students?created_after=2000-01-01T00:00:00Z", headers=headers).get_json()["count"]
        == 3
    )


def test_role_field_sets(client, people):
    url = f"/api/v1/students/{people.child.id}"
    admin = client.get(url, headers=headers_for(client, people.users["admin"])).get_json()
    assert admin["default_lesson_rate"] == "32.00" and admin["notes"] == "Prefers mornings."
    teacher = client.get(url, headers=headers_for(client, people.users["teacher"])).get_json()
    assert "default_lesson_rate" not in teacher and teacher["notes"] == "Prefers mornings."
    parent = client.get(url, headers=headers_for(client, people.users["parent"])).get_json()
    assert parent["default_lesson_rate"] == "32.00" and "notes" not in parent


def test_parent_lists_only_their_children_and_student_only_themself(client, people):
    parent = client.get("/api/v1/students", headers=headers_for(client, people.users["parent"])).get_json()
    assert [s["id"] for s in parent["results"]] == [str(people.child.id)]
    student = client.get("/api/v1/students", headers=headers_for(client, people.users["student"])).get_json()
    assert [s["id"] for s in student["results"]] == [str(people.self_student.id)]


def test_patch_updates_and_validates(client, people):
    headers = headers_for(client, people.users["admin"])
    url = f"/api/v1/students/{people.child.id}"
    body = client.patch(
        url,
        headers=headers,
        json={
            "phone_number": "+1 555 0100",
            "primary_teacher": None,
            "family": str(people.student_family.id),
        },
    ).get_json()
    assert body["phone_number"] == "+1 555 0100" and body["primary_teacher"] is None
    assert body["family"] == str(people.student_family.id)
    assert client.patch(url, headers=headers, json={"first_name": ""}).status_code == 400
    assert client.patch(url, headers=headers, json={"default_lesson_minutes": 2.5}).status_code == 400
    assert client.patch(url, headers=headers, json={"default_lesson_minutes": 1000}).status_code == 400
    assert (
        client.patch(
            url,
            headers=headers,
            json={"teacher": str(people.own_teacher.id), "primary_teacher": str(people.other_teacher.id)},
        ).status_code
        == 400
    )


def test_login_students_keep_their_sign_in_email(client, people):
    headers = headers_for(client, people.users["admin"])
    url = f"/api/v1/students/{people.self_student.id}"
    response = client.patch(url, headers=headers, json={"email": "changed@example.test"})
    assert response.status_code == 400
    assert "signs in as" in response.get_json()["field_errors"]["email"][0]


def test_a_foreign_student_is_404_whatever_the_body_says(client, people):
    headers = headers_for(client, people.users["admin"])
    response = client.patch(f"/api/v1/students/{people.foreign_student.id}", headers=headers,
                            json={"date_of_birth": "not a date"})
    assert response.status_code == 404, response.get_json()
