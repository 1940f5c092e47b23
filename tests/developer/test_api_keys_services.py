"""The API key services: made with checked scopes and a future expiry, found by one query on
the secret's hash, use recorded by at most one UPDATE a minute, revoked once."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.developer import services
from app.developer.models import ApiKey
from app.extensions import db
from tests.conftest import counted


@pytest.fixture()
def studio_and_admin(make):
    studio = make.studio()
    admin = make.member(studio, "admin")
    db.session.commit()
    return studio, admin


def test_a_key_keeps_its_scopes_normalized_and_its_hash_only(studio_and_admin):
    studio, admin = studio_and_admin
    key, secret = services.create_api_key(studio, admin, name="  Sync  ",
                                          scopes=["billing:read", "read", "billing:write"])
    assert key.name == "Sync" and key.scopes == ["read", "billing:write"]
    assert key.prefix == secret[:13] and key.secret_hash != secret and len(key.secret_hash) == 64


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": " ", "scopes": ["read"]}, "name"),
    ({"name": "x" * 81, "scopes": ["read"]}, "name"),
    ({"name": "Sync", "scopes": []}, "scopes"),
    ({"name": "Sync", "scopes": ["admin"]}, "scopes"),
    ({"name": "Sync", "scopes": ["read"], "expires_at": utcnow() - timedelta(minutes=1)},
     "expires_at"),
])
def test_bad_input_is_refused_by_field(studio_and_admin, fields, field):
    studio, admin = studio_and_admin
    with pytest.raises(ValidationFailed) as refused:
        services.create_api_key(studio, admin, **fields)
    assert field in refused.value.field_errors


def test_a_live_key_is_found_in_one_query_and_its_use_written_once_a_minute(app, studio_and_admin):
    studio, admin = studio_and_admin
    key, secret = services.create_api_key(studio, admin, name="Sync", scopes=["read"])
    db.session.commit()
    with counted(app) as statements:
        found, creator, found_studio = services.authenticate_api_key(secret, ip="203.0.113.9")
    assert (found.id, creator.id, found_studio.id) == (key.id, admin.id, studio.id)
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE"]
    db.session.commit()
    db.session.expire_all()
    with counted(app) as statements:
        services.authenticate_api_key(secret, ip="203.0.113.10")
    assert [s.split()[0] for s in statements] == ["SELECT"]
    used = db.session.scalar(sa.select(ApiKey))
    assert used.last_used_ip == "203.0.113.9" and used.last_used_at is not None


def test_revoked_expired_and_unknown_keys_are_not_found(studio_and_admin):
    studio, admin = studio_and_admin
    revoked, revoked_secret = services.create_api_key(studio, admin, name="A", scopes=["read"])
    services.revoke_api_key(studio, admin, revoked)
    first_revocation = revoked.revoked_at
    services.revoke_api_key(studio, admin, revoked)
    assert revoked.revoked_at == first_revocation
    expired, expired_secret = services.create_api_key(
        studio, admin, name="B", scopes=["read"], expires_at=utcnow() + timedelta(seconds=30))
    expired.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert services.authenticate_api_key(revoked_secret) is None
    assert services.authenticate_api_key(expired_secret) is None
    assert services.authenticate_api_key(services.KEY_PREFIX + "0" * 40) is None
    assert [k.status_at(utcnow()) for k in services.list_api_keys(studio)] == ["expired", "revoked"]


def test_a_key_is_told_from_a_jwt_by_its_prefix():
    assert services.is_api_key("cdz_live_abc")
    assert not services.is_api_key("eyJhbGciOiJIUzI1NiJ9.e30.sig")
