"""Bodies that used to break the server (a 500) are a 400 with the one error body."""
import pytest

from app.extensions import db
from tests.conftest import api_login, bearer


@pytest.fixture()
def admin(client, studio_setup, make):
    studio = studio_setup.studio
    student = make.student(studio)
    lesson = make.lesson(studio)
    db.session.commit()
    headers = bearer(api_login(client, studio_setup.users["admin"].email))
    return type("Admin", (), {"headers": headers, "student": student.id, "lesson": lesson.id})


def assert_validation_error(response, field=None):
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == "VALIDATION_ERROR" and body["request_id"]
    if field:
        assert field in body["field_errors"], body


@pytest.mark.parametrize("field", ["family", "first_name"])
def test_a_required_relation_or_field_cannot_be_nulled(client, admin, field):
    response = client.patch(f"/api/v1/students/{admin.student}", json={field: None},
                            headers=admin.headers)

    assert_validation_error(response, field)


def test_json_nested_a_thousand_deep_is_refused(client, admin):
    body = "[" * 1000 + "]" * 1000

    response = client.patch(f"/api/v1/students/{admin.student}", data=body,
                            content_type="application/json", headers=admin.headers)

    assert_validation_error(response)
    assert "nested" in response.json["detail"]


@pytest.mark.parametrize("body", ['{"notes": "\\ud800"}', '{"\\udfff": "x"}',
                                  '{"specialties": ["ok", "\\ud83d"]}'])
def test_a_lone_surrogate_is_refused(client, admin, body):
    response = client.patch(f"/api/v1/students/{admin.student}", data=body,
                            content_type="application/json", headers=admin.headers)

    assert_validation_error(response)
    assert "surrogate" in response.json["detail"]


def test_a_paired_surrogate_escape_is_ordinary_text(client, admin):
    response = client.patch(f"/api/v1/students/{admin.student}", data='{"notes": "\\ud83c\\udfb5"}',
                            content_type="application/json", headers=admin.headers)

    assert response.status_code == 200, response.json
    assert response.json["notes"] == "\U0001f3b5"


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                                    "1899-12-31T23:00:00Z", "2201-01-01T00:00:00Z"])
def test_datetimes_outside_the_supported_years_are_refused(client, admin, moment):
    response = client.patch(f"/api/v1/lessons/{admin.lesson}", json={"scheduled_start": moment},
                            headers=admin.headers)

    assert_validation_error(response, "scheduled_start")
    assert response.json["field_errors"]["scheduled_start"] == ["Use a date between 1900 and 2200."]


def test_the_supported_years_are_documented_on_date_fields(client):
    spec = client.get("/api/openapi.json").get_json()
    lesson_update = spec["components"]["schemas"]["LessonUpdate"]["properties"]

    student_update = spec["components"]["schemas"]["StudentUpdate"]["properties"]

    assert "1900 to 2200" in lesson_update["scheduled_start"]["description"]
    assert "1900 to 2200" in student_update["date_of_birth"]["description"]


def test_a_negative_lesson_rate_is_a_field_error(client, admin):
    response = client.patch(f"/api/v1/lessons/{admin.lesson}", json={"rate": "-1.00"},
                            headers=admin.headers)

    assert_validation_error(response, "rate")
    assert response.json["field_errors"]["rate"] == ["The amount cannot be negative."]
