"""API keys over HTTP: made with the secret shown once, stored as a hash only, accepted as
X-API-Key or a bearer token, refused (401) when expired, revoked or unknown, narrowed by
their scopes, held to their own studio and given their own rate-limit budget."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.developer import services
from app.developer.models import ApiKey
from app.extensions import db
from tests.conftest import api_login, bearer


@pytest.fixture()
def admin_tokens(client, studio_setup):
    return api_login(client, studio_setup.users["admin"].email)


def _make_key(client, tokens, **body):
    body = {"name": "Website", "scopes": ["read"], **body}
    response = client.post("/api/v1/api-keys", json=body, headers=bearer(tokens))
    assert response.status_code == 201, response.json
    return response.json


def _key(secret, **headers):
    return {"X-API-Key": secret, **headers}


def test_creating_a_key_answers_201_with_the_secret_once(client, admin_tokens):
    made = _make_key(client, admin_tokens, scopes=["billing:read", "billing:write"])
    assert made["key"].startswith("cdz_live_") and len(made["key"]) == 49
    assert made["key"].startswith(made["prefix"]) and made["prefix"] == made["key"][:13]
    assert made["scopes"] == ["billing:write"]  # billing:read is implied
    assert made["status"] == "active" and made["last_used_at"] is None
    listed = client.get("/api/v1/api-keys", headers=bearer(admin_tokens))
    assert listed.status_code == 200 and listed.json["count"] == 1
    one = client.get(f"/api/v1/api-keys/{made['id']}", headers=bearer(admin_tokens)).json
    for shown in (listed.json["results"][0], one):
        assert "key" not in shown and made["key"] not in str(shown)
        assert shown["prefix"] == made["prefix"]


def test_only_the_hash_of_the_secret_is_stored(client, admin_tokens, app):
    made = _make_key(client, admin_tokens)
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT * FROM api_key")).mappings().all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0].values())
    assert made["key"] not in stored
    assert made["key"][len(made["prefix"]):] not in stored
    assert rows[0]["secret_hash"] == services.api_keys.hash_secret(made["key"])


def test_a_key_works_as_x_api_key_and_as_a_bearer_token(client, admin_tokens):
    secret = _make_key(client, admin_tokens)["key"]
    assert client.get("/api/v1/students", headers=_key(secret)).status_code == 200
    assert client.get("/api/v1/students", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize("headers", [
    {"X-API-Key": "cdz_live_" + "x" * 40},
    {"Authorization": "Bearer cdz_live_" + "x" * 40},
    {"X-API-Key": ""},
])
def test_an_unknown_key_answers_401(client, studio_setup, headers):
    response = client.get("/api/v1/students", headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "UNAUTHORIZED" and "request_id" in response.json


def test_an_expired_key_answers_401(client, admin_tokens, app):
    made = _make_key(client, admin_tokens, expires_at=(utcnow() + timedelta(hours=1)).isoformat())
    assert client.get("/api/v1/students", headers=_key(made["key"])).status_code == 200
    with app.app_context():
        db.session.execute(sa.update(ApiKey).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = client.get("/api/v1/students", headers=_key(made["key"]))
    assert response.status_code == 401 and response.json["code"] == "UNAUTHORIZED"
    listed = client.get(f"/api/v1/api-keys/{made['id']}", headers=bearer(admin_tokens)).json
    assert listed["status"] == "expired"


def test_an_expiry_in_the_past_is_refused(client, admin_tokens):
    response = client.post("/api/v1/api-keys", headers=bearer(admin_tokens), json={
        "name": "Old", "scopes": ["read"], "expires_at": "2020-01-01T00:00:00Z"})
    assert response.status_code == 400 and "expires_at" in response.json["field_errors"]


def test_a_revoked_key_answers_401_on_the_next_request(client, admin_tokens):
    made = _make_key(client, admin_tokens)
    assert client.get("/api/v1/students", headers=_key(made["key"])).status_code == 200
    revoked = client.delete(f"/api/v1/api-keys/{made['id']}", headers=bearer(admin_tokens))
    assert revoked.status_code == 204
    assert client.get("/api/v1/students", headers=_key(made["key"])).status_code == 401
    again = client.delete(f"/api/v1/api-keys/{made['id']}", headers=bearer(admin_tokens))
    assert again.status_code == 204
    shown = client.get(f"/api/v1/api-keys/{made['id']}", headers=bearer(admin_tokens)).json
    assert shown["status"] == "revoked" and shown["revoked_at"]


def test_a_read_key_gets_403_on_a_write(client, admin_tokens):
    secret = _make_key(client, admin_tokens, scopes=["read"])["key"]
    assert client.get("/api/v1/rooms", headers=_key(secret)).status_code == 200
    response = client.post("/api/v1/rooms", json={"name": "Studio B"}, headers=_key(secret))
    assert response.status_code == 403 and response.json["code"] == "FORBIDDEN"
    writer = _make_key(client, admin_tokens, scopes=["write"])["key"]
    assert client.post("/api/v1/rooms", json={"name": "Studio B"},
                       headers=_key(writer)).status_code == 201


def test_a_billing_read_key_reads_invoices_but_not_lessons(client, admin_tokens):
    secret = _make_key(client, admin_tokens, scopes=["billing:read"])["key"]
    assert client.get("/api/v1/invoices", headers=_key(secret)).status_code == 200
    assert client.get("/api/v1/payments", headers=_key(secret)).status_code == 200
    assert client.get("/api/v1/lessons", headers=_key(secret)).status_code == 403
    assert client.get("/api/v1/students", headers=_key(secret)).status_code == 403


def test_a_key_sees_nothing_of_another_studio(client, studio_setup, admin_tokens, ctx):
    other_room = services_room(studio_setup.other)
    secret = _make_key(client, admin_tokens)["key"]
    rooms = client.get("/api/v1/rooms", headers=_key(secret)).json
    assert other_room not in {room["id"] for room in rooms["results"]}
    assert client.get(f"/api/v1/rooms/{other_room}", headers=_key(secret)).status_code == 404
    studios = client.get("/api/v1/studios", headers=_key(secret)).json
    assert [s["id"] for s in studios["results"]] == [str(studio_setup.studio.id)]


def services_room(studio):
    from app.scheduling.models import Room

    room = Room(studio_id=studio.id, name="Elsewhere")
    db.session.add(room)
    db.session.commit()
    return str(room.id)


def test_x_studio_id_of_another_studio_is_refused(client, studio_setup, make):
    # An owner of two studios makes a key in the first; the key never reaches the second.
    owner = studio_setup.users["owner"]
    from tests.factories import MembershipFactory

    MembershipFactory(studio=studio_setup.other, user=owner, role="owner")
    db.session.commit()
    tokens = api_login(client, owner.email)
    secret = _make_key(client, bearer(tokens, studio_setup.studio)["Authorization"].split()[1])["key"]
    own = client.get("/api/v1/studios/current",
                     headers=_key(secret, **{"X-Studio-ID": str(studio_setup.studio.id)}))
    assert own.status_code == 200 and own.json["id"] == str(studio_setup.studio.id)
    other = client.get("/api/v1/studios/current",
                       headers=_key(secret, **{"X-Studio-ID": str(studio_setup.other.id)}))
    assert other.status_code == 404


def test_a_key_has_its_own_rate_limit_budget(client, studio_setup, admin_tokens):
    made = client.post("/api/v1/api-keys", json={"name": "Website", "scopes": ["read"]},
                       headers=bearer(admin_tokens))
    creator_left = int(made.headers["X-RateLimit-Remaining"])
    secret = made.json["key"]
    by_key = [client.get("/api/v1/students", headers=_key(secret)),
              client.get("/api/v1/students", headers=bearer(secret)),
              client.get("/api/v1/students", headers=_key(secret))]
    assert [r.headers["X-RateLimit-Limit"] for r in by_key] == ["1000"] * 3
    assert [int(r.headers["X-RateLimit-Remaining"]) for r in by_key] == [999, 998, 997]
    # The creator's budget is another one: the key's three requests spent none of it.
    by_login = client.get("/api/v1/students", headers=bearer(admin_tokens))
    assert int(by_login.headers["X-RateLimit-Remaining"]) == creator_left - 1


def test_use_is_recorded_at_most_once_a_minute(client, admin_tokens, app):
    made = _make_key(client, admin_tokens)
    client.get("/api/v1/students", headers=_key(made["key"]))
    shown = client.get(f"/api/v1/api-keys/{made['id']}", headers=bearer(admin_tokens)).json
    assert shown["last_used_at"] and shown["last_used_ip"] == "127.0.0.1"
    with app.app_context():
        first = db.session.scalar(sa.select(ApiKey.last_used_at))
    client.get("/api/v1/students", headers=_key(made["key"]))
    with app.app_context():
        assert db.session.scalar(sa.select(ApiKey.last_used_at)) == first


def test_a_key_may_not_manage_keys_nor_act_as_a_person(client, admin_tokens):
    secret = _make_key(client, admin_tokens, scopes=["write"])["key"]
    assert client.get("/api/v1/api-keys", headers=_key(secret)).status_code == 403
    assert client.post("/api/v1/api-keys", json={"name": "x", "scopes": ["read"]},
                       headers=_key(secret)).status_code == 403
    for path in ("/api/v1/users/me", "/api/v1/notifications", "/api/v1/threads", "/api/v1/stream"):
        assert client.get(path, headers=_key(secret)).status_code == 403, path


def test_teachers_and_families_may_not_manage_keys(client, studio_setup):
    for role in ("teacher", "parent", "student"):
        tokens = api_login(client, studio_setup.users[role].email)
        assert client.get("/api/v1/api-keys", headers=bearer(tokens)).status_code == 403
        assert client.post("/api/v1/api-keys", json={"name": "x", "scopes": ["read"]},
                           headers=bearer(tokens)).status_code == 403


def test_a_key_stops_when_its_creator_is_no_longer_an_admin(client, studio_setup, admin_tokens, app):
    secret = _make_key(client, admin_tokens)["key"]
    from app.accounts.models import Membership

    with app.app_context():
        db.session.execute(sa.update(Membership).where(
            Membership.user_id == studio_setup.users["admin"].id).values(role="teacher"))
        db.session.commit()
    assert client.get("/api/v1/students", headers=_key(secret)).status_code == 401


def test_a_change_made_with_a_key_is_audited_under_its_creator_and_key(client, studio_setup,
                                                                        admin_tokens, app):
    made = _make_key(client, admin_tokens, scopes=["write"])
    from app.core.audit import AuditLog

    client.delete(f"/api/v1/api-keys/{made['id']}", headers=bearer(admin_tokens))
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditLog).order_by(AuditLog.created_at)).all()
        assert [e.action for e in entries] == ["api_key.created", "api_key.revoked"]
        assert all(e.actor_id == studio_setup.users["admin"].id for e in entries)


def test_a_change_made_through_a_key_names_the_key_in_the_audit_log(client, studio_setup,
                                                                    admin_tokens, app):
    made = _make_key(client, admin_tokens, scopes=["scheduling:write"])
    room = client.post("/api/v1/rooms", json={"name": "Studio C"}, headers=_key(made["key"]))
    assert room.status_code == 201
    deleted = client.delete(f"/api/v1/rooms/{room.json['id']}", headers=_key(made["key"]))
    assert deleted.status_code == 204
    from app.core.audit import AuditLog

    with app.app_context():
        entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "room.deleted"))
        assert entry.actor_id == studio_setup.users["admin"].id
        assert entry.details["api_key"] == made["id"]


def test_the_answer_holding_a_secret_is_never_stored(client, admin_tokens, app):
    headers = {**bearer(admin_tokens), "Idempotency-Key": "make-key-1"}
    first = client.post("/api/v1/api-keys", json={"name": "x", "scopes": ["read"]},
                        headers=headers)
    assert first.headers["Cache-Control"] == "no-store"
    with app.app_context():  # not kept for an Idempotency-Key replay either
        stored = db.session.execute(sa.text("SELECT * FROM idempotency_record")).all()
    assert first.json["key"] not in str(stored)

