"""`Idempotency-Key` on every POST that creates: a retry answers the first success again and
creates nothing; the same key for another request, or while the first still runs, is 409;
keys belong to one caller in one studio and are forgotten after 24 hours."""
import io
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.core import idempotency
from app.core.db import utcnow
from app.core.idempotency import IdempotencyRecord
from app.extensions import db
from app.library.models import Resource
from app.people.models import Family
from app.scheduling.models import Room
from tests.concurrency import parallel
from tests.conftest import api_login, bearer


@pytest.fixture()
def admin(client, studio_setup):
    return bearer(api_login(client, studio_setup.users["admin"].email))


def _count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _keyed(headers, key="family-1"):
    return {**headers, "Idempotency-Key": key}


def test_a_retry_answers_the_first_response_and_creates_once(client, admin):
    first = client.post("/api/v1/families", json={"name": "Studio A"}, headers=_keyed(admin))
    retry = client.post("/api/v1/families", json={"name": "Studio A"}, headers=_keyed(admin))
    assert first.status_code == retry.status_code == 201
    assert retry.get_data() == first.get_data()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(Family) == 1
    assert client.post("/api/v1/families", json={"name": "Studio A"}, headers=_keyed(admin, "family-2")
                       ).status_code == 201
    assert _count(Family) == 2


def test_without_the_header_every_post_creates(client, admin):
    for _ in range(2):
        assert client.post("/api/v1/families", json={"name": "Studio A"}, headers=admin).status_code == 201
    assert _count(Family) == 2


def test_the_same_key_for_another_body_or_path_is_409(client, admin):
    first = client.post("/api/v1/families", json={"name": "Studio A"}, headers=_keyed(admin))
    assert first.status_code == 201
    other_body = client.post("/api/v1/families", json={"name": "Studio B"}, headers=_keyed(admin))
    assert other_body.status_code == 409 and other_body.json["code"] == "CONFLICT"
    assert "Idempotency-Key" in other_body.json["field_errors"]
    other_path = client.post("/api/v1/rooms", json={"name": "Lovelace"}, headers=_keyed(admin))
    assert other_path.status_code == 409
    assert _count(Family) == 1 and _count(Room) == 0


def test_keys_belong_to_their_caller(client, admin, studio_setup):
    owner = bearer(api_login(client, studio_setup.users["owner"].email))
    other_studio = bearer(api_login(client, studio_setup.users["other_admin"].email))
    for headers in (admin, owner, other_studio):
        response = client.post("/api/v1/families", json={"name": "Studio A"}, headers=_keyed(headers))
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert _count(Family) == 3
    assert _count(IdempotencyRecord) == 3


def test_a_refused_request_is_not_kept_and_may_be_retried(client, admin):
    bad = client.post("/api/v1/families", json={"name": ""}, headers=_keyed(admin))
    assert bad.status_code == 400
    assert _count(IdempotencyRecord) == 0
    good = client.post("/api/v1/families", json={"name": "Studio A"}, headers=_keyed(admin))
    assert good.status_code == 201 and _count(Family) == 1


@pytest.mark.parametrize("key", ["", " ", "k" * 256])
def test_a_key_is_1_to_255_characters(client, admin, key):
    response = client.post("/api/v1/families", json={"name": "Studio A"}, headers=_keyed(admin, key))
    assert response.status_code == 400 and "Idempotency-Key" in response.json["field_errors"]
    assert _count(Family) == 0


def test_a_key_is_forgotten_after_24_hours(client, admin):
    first = client.post("/api/v1/families", json={"name": "Studio A"}, headers=_keyed(admin))
    db.session.execute(update(IdempotencyRecord).values(
        created_at=utcnow() - idempotency.KEPT_FOR - timedelta(minutes=1)))
    db.session.commit()
    again = client.post("/api/v1/families", json={"name": "Studio A"}, headers=_keyed(admin))
    assert again.status_code == 201 and again.json["id"] != first.json["id"]
    assert _count(Family) == 2 and _count(IdempotencyRecord) == 1


def test_the_hourly_job_purges_expired_keys(app, client, admin):
    from app import jobs

    for key in ("old", "new"):
        client.post("/api/v1/families", json={"name": key}, headers=_keyed(admin, key))
    db.session.execute(update(IdempotencyRecord).where(IdempotencyRecord.key == "old").values(
        created_at=utcnow() - idempotency.KEPT_FOR - timedelta(seconds=1)))
    db.session.commit()
    with app.app_context():
        assert jobs.purge_idempotency_keys.call_local() == 1
    db.session.expire_all()
    assert db.session.scalars(select(IdempotencyRecord.key)).all() == ["new"]


def test_an_action_that_creates_is_idempotent_too(client, admin):
    family = client.post("/api/v1/families", json={"name": "Lovelace"}, headers=admin).json
    guardian = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
    path = f"/api/v1/families/{family['id']}/guardians"
    first = client.post(path, json=guardian, headers=_keyed(admin, "guardian"))
    retry = client.post(path, json=guardian, headers=_keyed(admin, "guardian"))
    assert first.status_code == 201, first.json
    assert retry.status_code == 201 and retry.get_data() == first.get_data()


def test_a_multipart_upload_is_compared_by_its_fields_and_files(client, admin):
    def upload(content=b"%PDF-1.4 scales"):
        return client.post("/api/v1/resources", headers=_keyed(admin, "upload"),
                           content_type="multipart/form-data",
                           data={"title": "Scales", "file": (io.BytesIO(content), "scales.pdf")})

    first = upload()
    assert first.status_code == 201, first.json
    retry = upload()
    assert retry.status_code == 201 and retry.json["id"] == first.json["id"]
    assert upload(b"%PDF-1.4 arpeggios").status_code == 409
    assert _count(Resource) == 1


def test_the_document_says_idempotency_key_on_every_creating_post(client):
    spec = client.get("/api/openapi.json").json
    creating = [(path, operation) for path, operations in spec["paths"].items()
                for method, operation in operations.items()
                if method == "post" and "201" in operation["responses"]]
    assert len(creating) > 20
    for path, operation in creating:
        names = [p.get("name") for p in operation.get("parameters", [])]
        if idempotency.NOT_KEPT in operation["responses"]["201"]["description"]:
            assert "Idempotency-Key" not in names, path  # shows a secret once
            continue
        assert "Idempotency-Key" in names, path
        assert "Idempotency-Key" in operation["responses"]["409"]["description"], path
    feed = spec["paths"]["/api/v1/calendar-feed"]["post"]
    assert idempotency.NOT_KEPT in feed["responses"]["201"]["description"]
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert "Idempotency-Key" not in [p.get("name") for p in login.get("parameters", [])]


@pytest.mark.postgres
def test_identical_posts_at_the_same_moment_create_once(app, client, admin):
    headers = _keyed(admin, "together")
    results = parallel(app, [lambda c: c.post("/api/v1/families", json={"name": "Studio A"},
                                              headers=headers)] * 6)
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses
    created = {r.json["id"] for r in results if r.status_code == 201}
    assert len(created) == 1
    for response in results:
        if response.status_code == 409:
            assert response.json["code"] == "CONFLICT"
            assert response.json["detail"] == idempotency.IN_FLIGHT
    assert _count(Family) == 1 and _count(IdempotencyRecord) == 1
    retry = client.post("/api/v1/families", json={"name": "Studio A"}, headers=headers)
    assert retry.status_code == 201 and retry.json["id"] in created


@pytest.mark.postgres
def test_different_keys_at_the_same_moment_each_create(app, admin):
    results = parallel(app, [
        (lambda c, n=n: c.post("/api/v1/families", json={"name": f"Room {n}"},
                               headers=_keyed(admin, f"key-{n}")).status_code) for n in range(4)])
    assert results == [201] * 4
    assert _count(Family) == 4


def test_a_caller_is_a_user_or_an_api_key():
    user = type("User", (), {"id": uuid.uuid4()})()
    principal = type("P", (), {"user": user, "api_key_id": None})()
    assert idempotency.caller_of(principal) == f"user:{user.id}"
    principal.api_key_id = uuid.uuid4()
    assert idempotency.caller_of(principal) == f"key:{principal.api_key_id}"
