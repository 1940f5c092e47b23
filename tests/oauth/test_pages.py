"""The pages: registering an app shows its secret once, redirect URIs are checked next to
their field, a rotated secret or a deleted app stops working, and admins and people revoke
authorizations that end at once."""
from app.extensions import db
from tests.conftest import post_form
from tests.oauth.conftest import basic_auth, signed_in, tokens_for


def _bearer(tokens):
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_registering_shows_the_secret_once_and_keeps_its_digest(app, studio_app):
    from app.oauth.models import OAuthApp

    admin = signed_in(app, studio_app["admin"])
    answer = post_form(admin, "/settings/apps", {
        "name": "Lesson Sync", "redirect_uris": "https://sync.example.test/cb\nhttp://localhost/cb",
        "scopes": ["scheduling:read", "scheduling:write"], "kind": "confidential"})
    assert answer.status_code == 201
    html = answer.get_data(as_text=True)
    assert 'id="client-secret"' in html and "cdz_cs_" in html
    secret = html.split('id="client-secret" type="text" value="', 1)[1].split('"', 1)[0]
    with app.app_context():
        row = db.session.scalar(db.select(OAuthApp).where(OAuthApp.name == "Lesson Sync"))
        assert secret not in (row.secret_hash or "") and len(row.secret_hash) == 64
        assert row.scope_list == ["scheduling:write"]  # write implies read
        assert row.redirect_uri_list == ["https://sync.example.test/cb", "http://localhost/cb"]
    listing = admin.get("/settings/apps").get_data(as_text=True)
    assert "Lesson Sync" in listing and secret not in listing


def test_redirect_uris_must_be_https_or_loopback(app, studio_app):
    admin = signed_in(app, studio_app["admin"])
    for bad in ("http://sync.example.test/cb", "https://sync.example.test/cb#frag", "not a url",
                "ftp://sync.example.test/cb"):
        answer = post_form(admin, "/settings/apps", {
            "name": "Bad", "redirect_uris": bad, "scopes": ["read"], "kind": "public"})
        assert answer.status_code == 422, bad
        assert 'id="redirect_uris-error"' in answer.get_data(as_text=True), bad
    no_scope = post_form(admin, "/settings/apps", {
        "name": "Bad", "redirect_uris": "https://ok.example.test/cb", "kind": "public"})
    assert no_scope.status_code == 422 and "scopes-error" in no_scope.get_data(as_text=True)


def test_editing_rotating_and_deleting(app, client, studio_app):
    admin = signed_in(app, studio_app["admin"])
    path = f"/settings/apps/{studio_app['app_id']}"
    assert "Rotate secret" in admin.get(path).get_data(as_text=True)
    saved = post_form(admin, path, {"name": "Buddy 2", "scopes": ["people:read"],
                                    "redirect_uris": "https://app.example.test/callback"})
    assert saved.status_code == 302
    tokens = tokens_for(app, studio_app, scope="people:read")
    rotated = post_form(admin, f"{path}/rotate-secret", token_path=path)
    assert rotated.status_code == 200
    old_secret = client.post("/oauth/token", headers=basic_auth(studio_app), data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert old_secret.status_code == 401 and old_secret.get_json()["error"] == "invalid_client"
    assert client.get("/api/v1/students", headers=_bearer(tokens)).status_code == 200
    deleted = post_form(admin, f"{path}/delete", token_path=path)
    assert deleted.status_code == 302
    assert client.get("/api/v1/students", headers=_bearer(tokens)).status_code == 401
    assert admin.get(path).status_code == 404


def test_an_admin_sees_and_revokes_every_authorization_of_the_studio(app, client, studio_app):
    tokens = tokens_for(app, studio_app, email=studio_app["parent"], scope="people:read")
    admin = signed_in(app, studio_app["admin"])
    page = admin.get("/settings/connected-apps").get_data(as_text=True)
    assert "Practice Buddy" in page and studio_app["parent"] in page and "people:read" in page
    from app.oauth.models import OAuthGrant

    with app.app_context():
        grant_id = db.session.scalars(db.select(OAuthGrant.id)).one()
    answer = post_form(admin, f"/settings/connected-apps/{grant_id}/revoke",
                       token_path="/settings/connected-apps")
    assert answer.status_code == 302
    assert client.get("/api/v1/students", headers=_bearer(tokens)).status_code == 401
    assert "Nobody has connected" in admin.get("/settings/connected-apps").get_data(as_text=True)
    other = signed_in(app, studio_app["other_admin"])
    assert "Practice Buddy" not in other.get("/settings/connected-apps").get_data(as_text=True)


def test_people_see_and_disconnect_their_own_apps_on_their_profile(app, client, studio_app):
    tokens = tokens_for(app, studio_app, email=studio_app["parent"], scope="people:read")
    parent = signed_in(app, studio_app["parent"])
    profile = parent.get("/account/").get_data(as_text=True)
    assert "Connected apps" in profile and "Practice Buddy" in profile and "Studio A" in profile
    admin_profile = signed_in(app, studio_app["admin"]).get("/account/").get_data(as_text=True)
    assert "No apps are connected" in admin_profile
    from app.oauth.models import OAuthGrant

    with app.app_context():
        grant_id = db.session.scalars(db.select(OAuthGrant.id)).one()
    # Someone else's authorization is not theirs to end, not even an admin's.
    admin = signed_in(app, studio_app["admin"])
    assert post_form(admin, f"/account/apps/{grant_id}/revoke", token_path="/account/").status_code == 404
    answer = post_form(parent, f"/account/apps/{grant_id}/revoke", token_path="/account/")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("#connected-apps")
    assert client.get("/api/v1/students", headers=_bearer(tokens)).status_code == 401


def test_the_consent_page_says_who_where_and_what_in_plain_words(app, studio_app):
    from tests.oauth.conftest import authorize_query, pkce_pair

    admin = signed_in(app, studio_app["admin"])
    _verifier, challenge = pkce_pair()
    html = admin.get(authorize_query(studio_app, challenge=challenge,
                                     scope="people:read billing:write")).get_data(as_text=True)
    assert "Connect Practice Buddy?" in html and "Studio A" in html
    assert "Teachers, families and students" in html
    assert "See and change" in html and "Invoices, payments and reports" in html
    assert 'value="allow"' in html and 'value="deny"' in html


def test_the_document_declares_the_oauth2_scheme(client):
    document = client.get("/api/openapi.json").get_json()
    scheme = document["components"]["securitySchemes"]["oauth2"]
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "/oauth/authorize" and flow["tokenUrl"] == "/oauth/token"
    assert {"read", "write", "billing:read", "people:write"} <= set(flow["scopes"])
    assert {"oauth2": []} in document["security"]
