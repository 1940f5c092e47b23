"""/api/v1/teachers and /api/v1/teachers/{id}/availability."""

from sqlalchemy import select

from app.accounts.models import Invitation
from app.extensions import db
from app.people.models import TeacherProfile
from tests.conftest import api_login, bearer


def headers_for(client, user):
    return bearer(api_login(client, user.email))


def test_list_shape_and_nested_user(client, people):
    response = client.get("/api/v1/teachers", headers=headers_for(client, people.users["admin"]))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    teacher = next(t for t in body["results"] if t["id"] == str(people.own_teacher.id))
    assert teacher["user"] == {
        "id": str(people.users["teacher"].id),
        "email": people.users["teacher"].email,
        "first_name": people.users["teacher"].first_name,
        "last_name": people.users["teacher"].last_name,
    }
    assert teacher["hourly_rate"] == "60.00"
    assert set(teacher) >= {"bio", "specialties", "instruments", "is_accepting_students", "calendar_color"}


def test_collection_answers_with_and_without_trailing_slash(client, people):
    headers = headers_for(client, people.users["admin"])
    assert client.get("/api/v1/teachers", headers=headers).status_code == 200
    assert client.get("/api/v1/teachers/", headers=headers).status_code == 200


def test_rates_are_hidden_from_other_teachers_and_families(client, people):
    for role, own_visible, other_visible in (
        ("teacher", True, False),
        ("parent", False, False),
        ("student", False, False),
        ("admin", True, True),
    ):
        results = client.get("/api/v1/teachers", headers=headers_for(client, people.users[role])).get_json()[
            "results"
        ]
        by_id = {t["id"]: t for t in results}
        assert ("hourly_rate" in by_id[str(people.own_teacher.id)]) is own_visible, role
        assert ("hourly_rate" in by_id[str(people.other_teacher.id)]) is other_visible, role


def test_filters_specialty_accepting_and_search(client, people, make):
    headers = headers_for(client, people.users["admin"])
    people.own_teacher.is_accepting_students = False
    db.session.commit()
    by_specialty = client.get("/api/v1/teachers?specialty=Violin", headers=headers).get_json()
    assert [t["id"] for t in by_specialty["results"]] == [str(people.other_teacher.id)]
    by_tag = client.get("/api/v1/teachers?specialty=suzuki", headers=headers).get_json()
    assert by_tag["count"] == 1
    accepting = client.get("/api/v1/teachers?is_accepting_students=false", headers=headers).get_json()
    assert [t["id"] for t in accepting["results"]] == [str(people.own_teacher.id)]
    found = client.get("/api/v1/teachers?search=priya", headers=headers).get_json()
    assert [t["id"] for t in found["results"]] == [str(people.other_teacher.id)]


def test_ordering_and_pagination(client, people, make):
    headers = headers_for(client, people.users["admin"])
    for name in ("Aaron", "Zelda", "Mona"):
        make.teacher(people.studio, first_name=name)
    db.session.commit()
    page = client.get("/api/v1/teachers?ordering=-first_name&page_size=2", headers=headers).get_json()
    assert page["count"] == 5
    assert page["results"][0]["user"]["first_name"] == "Zelda"
    assert page["next"].endswith("page=2") or "page=2" in page["next"]
    assert page["previous"] is None
    bad = client.get("/api/v1/teachers?ordering=password", headers=headers)
    assert bad.status_code == 400 and "ordering" in bad.get_json()["field_errors"]
    assert client.get("/api/v1/teachers?page_size=101", headers=headers).status_code == 400


def test_create_profile_for_an_admin_who_teaches(client, people):
    headers = headers_for(client, people.users["admin"])
    response = client.post(
        "/api/v1/teachers",
        headers=headers,
        json={
            "user": str(people.users["admin"].id),
            "hourly_rate": "75.5",
            "specialties": ["Jazz", "jazz"],
            "instruments": ["Saxophone"],
            "calendar_color": "#112233",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["hourly_rate"] == "75.50"
    assert body["specialties"] == ["jazz"]
    assert body["instruments"] == ["saxophone"]


def test_create_profile_errors_are_field_errors(client, people):
    headers = headers_for(client, people.users["admin"])
    twice = client.post("/api/v1/teachers", headers=headers, json={"user": str(people.users["teacher"].id)})
    assert twice.status_code == 400
    assert twice.get_json()["field_errors"]["user"] == ["This person already has a teacher profile."]
    parent = client.post("/api/v1/teachers", headers=headers, json={"user": str(people.users["parent"].id)})
    assert "Make them a teacher" in parent.get_json()["field_errors"]["user"][0]
    foreign = client.post(
        "/api/v1/teachers", headers=headers, json={"user": str(people.users["other_admin"].id)}
    )
    assert foreign.get_json()["field_errors"]["user"] == ["Unknown member."]
    malformed = client.post("/api/v1/teachers", headers=headers, json={"user": "not-a-uuid"})
    assert malformed.status_code == 400 and malformed.get_json()["field_errors"]["user"] == [
        "Not a valid UUID."
    ]


def test_create_teacher_with_a_new_login(client, people):
    headers = headers_for(client, people.users["admin"])
    response = client.post(
        "/api/v1/teachers",
        headers=headers,
        json={
            "user": {
                "email": "Nia@Example.test",
                "first_name": "Nia",
                "last_name": "Cole",
                "password": "a-good-password",
            },
            "hourly_rate": "40.00",
        },
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["user"]["email"] == "nia@example.test"
    tokens = api_login(client, "nia@example.test", "a-good-password")
    assert tokens["user"]["role"] == "teacher"


def test_inviting_a_new_teacher_answers_202_and_the_profile_appears_on_acceptance(client, people):

    headers = headers_for(client, people.users["admin"])
    response = client.post(
        "/api/v1/teachers",
        headers=headers,
        json={"user": {"email": "invited@example.test", "first_name": "Ivy"}},
    )
    assert response.status_code == 202
    assert response.get_json()["invitation"]["email"] == "invited@example.test"
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "invited@example.test"))
    assert invitation.role == "teacher"
    teacher_id = response.get_json()["teacher"]["id"]
    listed = client.get("/api/v1/teachers?search=ivy", headers=headers).get_json()["results"]
    assert [t["id"] for t in listed] == [teacher_id]


def test_a_teacher_without_a_login_is_added_with_invite_false_and_can_be_booked(client, people):
    headers = headers_for(client, people.users["admin"])
    response = client.post("/api/v1/teachers", headers=headers, json={
        "user": {"email": "nolog@example.test", "first_name": "Noor", "invite": False},
        "instruments": ["Oud"]})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["instruments"] == ["oud"]
    assert db.session.scalar(select(Invitation).where(Invitation.email == "nolog@example.test")) is None
    student = client.get("/api/v1/students", headers=headers).get_json()["results"][0]
    booked = client.post("/api/v1/lessons", headers=headers, json={
        "teacher": response.get_json()["id"], "student": student["id"],
        "scheduled_start": "2030-04-02T20:00:00Z", "duration_minutes": 30})
    assert booked.status_code == 201, booked.get_json()


def test_teacher_may_edit_own_profile_but_not_the_rate(client, people):
    headers = headers_for(client, people.users["teacher"])
    url = f"/api/v1/teachers/{people.own_teacher.id}"
    ok = client.patch(url, headers=headers, json={"bio": "Hello", "is_accepting_students": False})
    assert ok.status_code == 200 and ok.get_json()["bio"] == "Hello"
    rate = client.patch(url, headers=headers, json={"hourly_rate": "99.00"})
    assert rate.status_code == 403
    assert rate.get_json()["field_errors"] == {"hourly_rate": ["Only studio admins can change this."]}
    archive = client.patch(url, headers=headers, json={"is_active": False})
    assert archive.status_code == 403


def test_patch_validation(client, people):
    headers = headers_for(client, people.users["admin"])
    url = f"/api/v1/teachers/{people.other_teacher.id}"
    assert client.patch(url, headers=headers, json={"calendar_color": "red"}).status_code == 400
    assert client.patch(url, headers=headers, json={"hourly_rate": "12.345"}).status_code == 400
    assert client.patch(url, headers=headers, json={"hourly_rate": "-1"}).status_code == 400
    assert client.patch(url, headers=headers, json={"unknown": 1}).status_code == 400
    assert client.patch(url, headers=headers, json={"bio": "a\x00b"}).status_code == 400


def test_delete_archives_and_patch_restores(client, people):
    admin = headers_for(client, people.users["admin"])
    url = f"/api/v1/teachers/{people.other_teacher.id}"
    assert client.delete(url, headers=admin).status_code == 204
    body = client.get(url, headers=admin).get_json()
    assert body["is_active"] is False and body["is_accepting_students"] is False
    assert client.get(url, headers=headers_for(client, people.users["parent"])).status_code == 404
    active = client.get("/api/v1/teachers?is_active=true", headers=admin).get_json()
    assert str(people.other_teacher.id) not in {t["id"] for t in active["results"]}
    restored = client.patch(url, headers=admin, json={"is_active": True})
    assert restored.get_json()["is_active"] is True


def test_availability_put_and_get(client, people):
    headers = headers_for(client, people.users["teacher"])
    url = f"/api/v1/teachers/{people.own_teacher.id}/availability"
    windows = [
        {"day_of_week": "thursday", "start_time": "15:00", "end_time": "18:00"},
        {"weekday": 0, "start_time": "09:00:00", "end_time": "12:00"},
        {"weekday": 0, "start_time": "12:00", "end_time": "13:30"},
    ]
    response = client.put(url, headers=headers, json=windows)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [(w["weekday"], w["day_of_week"], w["start_time"], w["end_time"]) for w in body] == [
        (0, "monday", "09:00:00", "12:00:00"),
        (0, "monday", "12:00:00", "13:30:00"),
        (3, "thursday", "15:00:00", "18:00:00"),
    ]
    assert client.get(url, headers=headers_for(client, people.users["parent"])).get_json() == body
    assert client.put(url, headers=headers, json=[]).get_json() == []


def test_availability_rejects_overlaps_and_backwards_windows(client, people):
    headers = headers_for(client, people.users["admin"])
    url = f"/api/v1/teachers/{people.other_teacher.id}/availability"
    overlap = client.put(
        url,
        headers=headers,
        json=[
            {"weekday": 2, "start_time": "15:00", "end_time": "18:00"},
            {"weekday": 2, "start_time": "17:30", "end_time": "19:00"},
        ],
    )
    assert overlap.status_code == 400
    assert overlap.get_json()["field_errors"] == {"1.start_time": ["Overlaps 15:00–18:00 on Wednesday."]}
    backwards = client.put(
        url, headers=headers, json=[{"weekday": 2, "start_time": "18:00", "end_time": "17:00"}]
    )
    assert backwards.get_json()["field_errors"] == {"0.end_time": ["The window must end after it starts."]}
    no_day = client.put(url, headers=headers, json=[{"start_time": "18:00", "end_time": "19:00"}])
    assert no_day.status_code == 400 and "0.weekday" in no_day.get_json()["field_errors"]
    bad_time = client.put(
        url, headers=headers, json=[{"weekday": 1, "start_time": "25:00", "end_time": "26:00"}]
    )
    assert bad_time.status_code == 400
    assert db.session.scalar(select(TeacherProfile).where(TeacherProfile.id == people.other_teacher.id))


def test_new_teacher_errors_name_the_nested_user_fields(client, people):
    headers = headers_for(client, people.users["admin"])
    existing = client.post(
        "/api/v1/teachers",
        headers=headers,
        json={"user": {"email": people.users["other_admin"].email, "password": "a-good-password"}},
    )
    assert existing.status_code == 400
    assert "user.email" in existing.get_json()["field_errors"]
    nameless = client.post(
        "/api/v1/teachers",
        headers=headers,
        json={"user": {"email": "x@example.test", "password": "a-good-password"}},
    )
    assert nameless.get_json()["field_errors"] == {"user.first_name": ["Enter the teacher's first name."]}
    weak = client.post(
        "/api/v1/teachers",
        headers=headers,
        json={"user": {"email": "y@example.test", "first_name": "Y", "password": "x"}},
    )
    assert "user.password" in weak.get_json()["field_errors"]
