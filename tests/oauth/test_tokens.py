"""Tokens on the API: scopes narrow the person's role, refresh rotates, revocation is at once,
and a token of one studio sees nothing of another."""
import uuid
from datetime import timedelta

from app.extensions import db
from tests.oauth.conftest import basic_auth, tokens_for


def _bearer(token, **headers):
    return {"Authorization": f"Bearer {token}", **headers}


def test_token_acts_as_the_user_within_the_granted_scopes(app, client, studio_app):
    tokens = tokens_for(app, studio_app)
    assert tokens["access_token"].startswith("cdz_at_")
    assert tokens["refresh_token"].startswith("cdz_rt_")
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert tokens["scope"] == "people:read scheduling:read"
    headers = _bearer(tokens["access_token"])
    assert client.get("/api/v1/students", headers=headers).status_code == 200
    assert client.get("/api/v1/lessons", headers=headers).status_code == 200
    refused = client.get("/api/v1/invoices", headers=headers)
    assert refused.status_code == 403 and refused.get_json()["code"] == "FORBIDDEN"
    written = client.post("/api/v1/families", json={"name": "X"}, headers=headers)
    assert written.status_code == 403


def test_a_token_of_one_studio_sees_nothing_of_another(app, client, studio_app):
    headers = _bearer(tokens_for(app, studio_app)["access_token"])
    listed = client.get("/api/v1/students", headers=headers).get_json()
    assert [s["id"] for s in listed["results"]] == [studio_app["student_id"]]
    foreign = client.get(f"/api/v1/students/{studio_app['other_student_id']}", headers=headers)
    assert foreign.status_code == 404
    elsewhere = client.get("/api/v1/students",
                           headers={**headers, "X-Studio-ID": studio_app["other_id"]})
    assert elsewhere.status_code == 404


def test_the_role_narrows_what_is_granted(app, client, studio_app):
    """A parent asked for billing:write gets billing:read: parents write no invoices."""
    tokens = tokens_for(app, studio_app, email=studio_app["parent"], scope="billing:write")
    assert tokens["scope"] == "billing:read"
    headers = _bearer(tokens["access_token"])
    assert client.get("/api/v1/invoices", headers=headers).status_code == 200
    assert client.get("/api/v1/students", headers=headers).status_code == 403


def test_refresh_rotates_and_the_old_refresh_token_is_dead(app, client, studio_app):
    first = tokens_for(app, studio_app)
    refreshed = client.post("/oauth/token", headers=basic_auth(studio_app), data={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()
    second = refreshed.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == first["scope"]
    assert client.get("/api/v1/students", headers=_bearer(second["access_token"])).status_code == 200
    assert client.get("/api/v1/students", headers=_bearer(first["access_token"])).status_code == 401
    replay = client.post("/oauth/token", headers=basic_auth(studio_app), data={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert replay.status_code == 400 and replay.get_json()["error"] == "invalid_grant"
    # Someone holds a copy of a rotated token: the whole authorization ends.
    assert client.get("/api/v1/students", headers=_bearer(second["access_token"])).status_code == 401


def test_revoking_ends_the_authorization_at_once(app, client, studio_app):
    tokens = tokens_for(app, studio_app)
    headers = _bearer(tokens["access_token"])
    assert client.get("/api/v1/students", headers=headers).status_code == 200
    revoked = client.post("/oauth/revoke", headers=basic_auth(studio_app),
                          data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"})
    assert revoked.status_code == 200
    answer = client.get("/api/v1/students", headers=headers)
    assert answer.status_code == 401 and answer.get_json()["code"] == "UNAUTHORIZED"
    refresh = client.post("/oauth/token", headers=basic_auth(studio_app), data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refresh.get_json()["error"] == "invalid_grant"
    # Revoking an unknown or already revoked token is a 200 too (RFC 7009 §2.2).
    again = client.post("/oauth/revoke", headers=basic_auth(studio_app),
                        data={"token": tokens["access_token"]})
    assert again.status_code == 200


def test_an_expired_token_or_a_deactivated_member_is_refused(app, client, studio_app):
    from app.accounts.models import Membership, User
    from app.core.db import utcnow
    from app.oauth.models import OAuthToken

    tokens = tokens_for(app, studio_app)
    headers = _bearer(tokens["access_token"])
    with app.app_context():
        row = db.session.scalars(db.select(OAuthToken)).one()
        row.access_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/students", headers=headers).status_code == 401
    fresh = client.post("/oauth/token", headers=basic_auth(studio_app), data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}).get_json()
    headers = _bearer(fresh["access_token"])
    assert client.get("/api/v1/students", headers=headers).status_code == 200
    with app.app_context():
        membership = db.session.scalar(db.select(Membership).join(User).where(
            User.email == studio_app["admin"]))
        membership.is_active = False
        db.session.commit()
    assert client.get("/api/v1/students", headers=headers).status_code == 401


def test_last_use_is_recorded_on_the_authorization(app, client, studio_app):
    from app.oauth.models import OAuthGrant

    tokens = tokens_for(app, studio_app)
    client.get("/api/v1/students", headers=_bearer(tokens["access_token"]))
    with app.app_context():
        grant = db.session.scalars(db.select(OAuthGrant)).one()
        assert grant.last_used_at is not None
        assert grant.scope_list == ["people:read", "scheduling:read"]


def test_an_app_never_makes_keys_or_webhooks_that_would_outlive_it(app, client, studio_app):
    """Even with `write` from an admin, an app cannot mint API keys or point webhooks
    elsewhere: revoking the app must cut it off."""
    from app.oauth import services
    from app.oauth.models import OAuthApp

    with app.app_context():
        row = db.session.get(OAuthApp, uuid.UUID(studio_app["app_id"]))
        services.update_app(row, None, name=row.name, redirect_uris=row.redirect_uri_list,
                            scopes=["write"])
        db.session.commit()
    headers = _bearer(tokens_for(app, studio_app, scope="write")["access_token"])
    assert client.get("/api/v1/students", headers=headers).status_code == 200
    assert client.post("/api/v1/families", json={"name": "Made by an app"},
                       headers=headers).status_code == 201
    assert client.get("/api/v1/api-keys", headers=headers).status_code == 403
    assert client.get("/api/v1/webhooks", headers=headers).status_code == 403
