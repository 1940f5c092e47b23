"""The document says what the server does: booleans, bodies, ids in paths, list orderings."""
import pytest

from tests.api.test_conventions import assert_error
from tests.conftest import api_login, bearer

SPEC = "/api/openapi.json"


@pytest.fixture()
def headers(client, studio_setup):
    return bearer(api_login(client, studio_setup.users["admin"].email))


@pytest.fixture()
def spec(client):
    return client.get(SPEC).json


# ------------------------------------------------------------------ booleans

@pytest.mark.parametrize("flag", [0, 1, "true", "yes", "on", None])
@pytest.mark.parametrize("path, body, name", [
    ("/api/v1/closures", {"name": "Winter break", "start_date": "2030-12-24",
                          "end_date": "2030-12-31"}, "cancel_lessons"),
    ("/api/v1/lesson-plans", {"title": "Scales"}, "is_public"),
])
def test_json_booleans_are_only_true_or_false(client, headers, path, body, name, flag):
    response = client.post(path, headers=headers, json={**body, name: flag})

    assert list(assert_error(response, 400)["field_errors"]) == [name]


def test_a_json_boolean_is_accepted(client, headers):
    response = client.post("/api/v1/lesson-plans", headers=headers,
                           json={"title": "Scales", "is_public": False})

    assert response.status_code == 201, response.json
    assert response.json["is_public"] is False


@pytest.mark.parametrize("spelling", ["1", "0", "yes", "True", "on"])
def test_query_flags_are_spelled_true_or_false(client, headers, spelling):
    response = client.get(f"/api/v1/students?is_active={spelling}", headers=headers)

    assert list(assert_error(response, 400)["field_errors"]) == ["is_active"]


@pytest.mark.parametrize("spelling", ["true", "false"])
def test_query_flags_true_and_false_are_accepted(client, headers, spelling):
    assert client.get(f"/api/v1/students?is_active={spelling}", headers=headers).status_code == 200


# ------------------------------------------------------------------ bodies

@pytest.mark.parametrize("path", ["/api/v1/users/me", "/api/v1/studios/current"])
def test_patch_without_a_body_is_a_validation_error(client, headers, path):
    response = client.patch(path, headers=headers)

    body = assert_error(response, 400)
    assert "body" in body["detail"]


def test_patch_with_an_empty_object_changes_nothing(client, headers):
    before = client.get("/api/v1/users/me", headers=headers).json

    response = client.patch("/api/v1/users/me", headers=headers, json={})

    assert response.status_code == 200
    assert response.json["first_name"] == before["first_name"]


def test_every_patch_documents_a_required_body(spec):
    for path, operations in spec["paths"].items():
        if "patch" in operations:
            assert operations["patch"]["requestBody"]["required"] is True, path


# ------------------------------------------------------------------ ids in paths

def test_options_lists_only_the_methods_of_the_matched_route(client, headers):
    response = client.options("/api/v1/invoices/generate", headers=headers)

    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


@pytest.mark.parametrize("path", ["/api/v1/invoices/not-an-id", "/api/v1/students/123",
                                  "/api/v1/lessons/generate/cancel"])
def test_a_malformed_id_in_a_path_is_a_json_not_found(client, headers, path):
    assert_error(client.get(path, headers=headers), 404)


def test_every_id_in_a_path_is_documented_as_a_uuid(spec):
    for path, operations in spec["paths"].items():
        for parameter in operations.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"] == {"type": "string", "format": "uuid"}, path


# ------------------------------------------------------------------ orderings

def test_every_ordering_parameter_lists_its_values(spec):
    for path, operations in spec["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter.get("name") == "ordering":  # others may be a $ref (X-Studio-ID)
                values = parameter["schema"]["enum"]
                assert "created_at" in values and "-created_at" in values, path


def test_every_ordering_the_document_lists_is_accepted(client, headers, spec):
    for path, operations in spec["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        ordering = next((p for p in parameters if p.get("name") == "ordering"), None)
        if ordering is None or "{" in path:
            continue
        for value in ordering["schema"]["enum"]:
            response = client.get(f"{path}?ordering={value}", headers=headers)
            assert response.status_code == 200, (path, value, response.json)


# ------------------------------------------------------------------ report ranges

@pytest.mark.parametrize("query", ["start_date=1936-02-18", "end_date=2199-01-01",
                                   "start_date=2000-01-01&end_date=2020-01-01"])
@pytest.mark.parametrize("report", ["revenue", "attendance", "teacher-hours"])
def test_a_report_spans_at_most_ten_years_with_its_defaults_too(client, headers, report, query):
    response = client.get(f"/api/v1/reports/{report}?{query}", headers=headers)

    assert list(assert_error(response, 400)["field_errors"]) == ["end_date"]


# ------------------------------------------------------------------ found by schemathesis

def test_a_student_cannot_be_moved_to_no_family(client, headers, studio_setup, app):
    with app.app_context():
        from app.extensions import db
        from tests.factories import Maker

        student_id = str(Maker().student(db.session.merge(studio_setup.studio)).id)
        db.session.commit()

    response = client.patch(f"/api/v1/students/{student_id}", headers=headers, json={"family": None})

    assert list(assert_error(response, 400)["field_errors"]) == ["family"]


@pytest.mark.parametrize("time", ["4pm", "16", "1600", "24:00", "16:00:00+01:00"])
def test_a_clock_time_is_hh_mm_or_hh_mm_ss(client, headers, studio_setup, time):
    teacher = client.get("/api/v1/teachers", headers=headers).json["results"]
    if not teacher:
        teacher = [client.post("/api/v1/teachers", headers=headers, json={
            "user": str(studio_setup.users["teacher"].id)}).json]
    response = client.put(f"/api/v1/teachers/{teacher[0]['id']}/availability", headers=headers,
                          json=[{"day_of_week": "monday", "start_time": time, "end_time": "18:00"}])

    assert list(assert_error(response, 400)["field_errors"]) == ["0.start_time"]
