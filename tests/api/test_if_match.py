"""Optimistic concurrency: the ETag a GET answers with, sent back in `If-Match`, lets a PATCH,
PUT or DELETE through while the object is unchanged; once someone else changed it, the write
answers 412 PRECONDITION_FAILED with the one error body and changes nothing."""
import uuid

import pytest

from app.extensions import db
from app.scheduling.models import Room
from tests.concurrency import parallel
from tests.conftest import api_login, bearer


@pytest.fixture()
def admin(client, studio_setup):
    return bearer(api_login(client, studio_setup.users["admin"].email))


@pytest.fixture()
def room(make, studio_setup):
    room = make.room(studio_setup.studio, name="Studio A")
    db.session.commit()
    return f"/api/v1/rooms/{room.id}"


def _etag(client, headers, path):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.headers["ETag"]


def _room_name(path):
    db.session.expire_all()
    return db.session.get(Room, uuid.UUID(path.rsplit("/", 1)[1])).name


def test_the_etag_of_a_get_lets_a_patch_through_and_the_answer_has_the_new_one(client, admin, room):
    etag = _etag(client, admin, room)
    changed = client.patch(room, json={"name": "Studio B"}, headers={**admin, "If-Match": etag})
    assert changed.status_code == 200 and changed.json["name"] == "Studio B"
    assert changed.headers["ETag"] != etag
    assert changed.headers["ETag"] == _etag(client, admin, room)
    again = client.patch(room, json={"name": "Studio C"},
                         headers={**admin, "If-Match": changed.headers["ETag"]})
    assert again.status_code == 200


def test_a_stale_etag_is_412_and_changes_nothing(client, admin, room):
    stale = _etag(client, admin, room)
    assert client.patch(room, json={"name": "Studio B"}, headers=admin).status_code == 200
    refused = client.patch(room, json={"name": "Studio C"}, headers={**admin, "If-Match": stale})
    assert refused.status_code == 412
    assert refused.json["code"] == "PRECONDITION_FAILED" and refused.json["request_id"]
    assert set(refused.json) >= {"detail", "code", "field_errors", "request_id"}
    assert _room_name(room) == "Studio B"
    deleted = client.delete(room, headers={**admin, "If-Match": stale})
    assert deleted.status_code == 412 and _room_name(room) == "Studio B"


def test_delete_with_the_current_etag(client, admin, room):
    etag = _etag(client, admin, room)
    assert client.delete(room, headers={**admin, "If-Match": f'"other", {etag}'}).status_code == 204
    assert client.get(room, headers=admin).status_code == 404
    assert client.delete(room, headers={**admin, "If-Match": etag}).status_code == 404


def test_star_matches_any_current_version_and_a_weak_etag_never_does(client, admin, room):
    etag = _etag(client, admin, room)
    weak = client.patch(room, json={"name": "Studio B"}, headers={**admin, "If-Match": f"W/{etag}"})
    assert weak.status_code == 412
    star = client.patch(room, json={"name": "Studio B"}, headers={**admin, "If-Match": "*"})
    assert star.status_code == 200 and _room_name(room) == "Studio B"


def test_without_if_match_a_write_goes_ahead(client, admin, room):
    assert client.patch(room, json={"name": "Studio B"}, headers=admin).status_code == 200


def test_put_of_a_teachers_availability(client, admin, make, studio_setup):
    teacher = make.teacher(studio_setup.studio)
    db.session.commit()
    path = f"/api/v1/teachers/{teacher.id}/availability"
    window = [{"weekday": 1, "start_time": "15:00", "end_time": "18:00"}]
    etag = _etag(client, admin, path)
    put = client.put(path, json=window, headers={**admin, "If-Match": etag})
    assert put.status_code == 200 and put.headers["ETag"] == _etag(client, admin, path)
    stale = client.put(path, json=[], headers={**admin, "If-Match": etag})
    assert stale.status_code == 412
    assert len(client.get(path, headers=admin).json) == 1


def test_a_url_without_an_id_users_me(client, admin):
    etag = _etag(client, admin, "/api/v1/users/me")
    changed = client.patch("/api/v1/users/me", json={"first_name": "Ada"},
                           headers={**admin, "If-Match": etag})
    assert changed.status_code == 200
    stale = client.patch("/api/v1/users/me", json={"first_name": "Grace"},
                         headers={**admin, "If-Match": etag})
    assert stale.status_code == 412
    assert client.get("/api/v1/users/me", headers=admin).json["first_name"] == "Ada"


def test_authorization_comes_before_the_precondition(client, studio_setup, room):
    parent = bearer(api_login(client, studio_setup.users["parent"].email))
    refused = client.patch(room, json={"name": "x"}, headers={**parent, "If-Match": '"stale"'})
    assert refused.status_code in (403, 404)


def test_the_document_says_if_match_412_and_etag_on_every_write(client):
    spec = client.get("/api/openapi.json").json
    writes = [(path, method, operation) for path, operations in spec["paths"].items()
              for method, operation in operations.items() if method in ("patch", "put", "delete")]
    assert len(writes) > 20
    for path, method, operation in writes:
        names = [p.get("name") for p in operation.get("parameters", [])]
        assert "If-Match" in names, (method, path)
        assert "412" in operation["responses"], (method, path)
        assert operation["responses"]["412"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}
    patch = spec["paths"]["/api/v1/rooms/{room_id}"]
    assert "ETag" in patch["get"]["responses"]["200"]["headers"]
    assert "ETag" in patch["patch"]["responses"]["200"]["headers"]


@pytest.mark.postgres
def test_two_patches_with_the_same_etag_one_wins(app, client, admin, room):
    etag = _etag(client, admin, room)
    headers = {**admin, "If-Match": etag}
    results = parallel(app, [
        (lambda c, name=name: c.patch(room, json={"name": name}, headers=headers).status_code)
        for name in ("Left", "Right")])
    assert sorted(results) == [200, 412]
    assert _room_name(room) in ("Left", "Right")


@pytest.mark.postgres
def test_many_deletes_and_patches_with_the_same_etag_one_wins(app, client, admin, room):
    etag = _etag(client, admin, room)
    headers = {**admin, "If-Match": etag}
    requests = [lambda c: c.delete(room, headers=headers).status_code] * 3 + [
        (lambda c, n=n: c.patch(room, json={"name": f"N{n}"}, headers=headers).status_code)
        for n in range(3)]
    results = parallel(app, requests)
    assert sum(status in (200, 204) for status in results) == 1, results
    assert all(status in (200, 204, 404, 412) for status in results), results
