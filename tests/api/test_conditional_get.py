"""Every API GET answers with an ETag and `Cache-Control: private, no-cache`; a client that
sends the ETag back in `If-None-Match` gets 304 and no body while the answer is the same."""
import pytest

from app.extensions import db
from tests.conftest import api_login, bearer


@pytest.fixture()
def admin(client, studio_setup):
    return bearer(api_login(client, studio_setup.users["admin"].email))


@pytest.mark.parametrize("path", ["/api/v1/lessons", "/api/v1/students", "/api/v1/users/me",
                                  "/api/v1/lessons/calendar?start=2031-03-03&end=2031-03-09"])
def test_a_client_revalidates_with_the_etag(client, admin, path):
    first = client.get(path, headers=admin)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = client.get(path, headers={**admin, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    other = client.get(path, headers={**admin, "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()


def test_a_change_answers_in_full_with_a_new_etag(client, admin, studio_setup, make):
    etag = client.get("/api/v1/students", headers=admin).headers["ETag"]
    make.student(studio_setup.studio, first_name="Newcomer")
    db.session.commit()
    response = client.get("/api/v1/students", headers={**admin, "If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag
    assert "Newcomer" in response.get_data(as_text=True)


def test_writes_and_errors_carry_no_etag(client, admin):
    created = client.post("/api/v1/rooms", headers=admin, json={"name": "Studio A"})
    assert created.status_code == 201 and "ETag" not in created.headers
    missing = client.get("/api/v1/rooms/00000000-0000-0000-0000-000000000000", headers=admin)
    assert missing.status_code == 404 and "ETag" not in missing.headers


def test_the_api_description_says_how_to_revalidate(client):
    description = client.get("/api/openapi.json").json["info"]["description"]
    assert "If-None-Match" in description and "304" in description
