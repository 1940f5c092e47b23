"""What an app that gets something wrong is told: OAuth's own errors (RFC 6749 §4.1.2.1 on
the redirect, §5.2 as JSON from the token endpoint), and a page, never a redirect, when the
app or its redirect URI cannot be trusted."""
from app.extensions import db
from tests.oauth.conftest import (
    WEB_REDIRECT,
    authorize_query,
    basic_auth,
    consent,
    exchange,
    pkce_pair,
    query_of,
    signed_in,
)


def _code(app, studio_app, **query):
    client = signed_in(app, studio_app["admin"])
    verifier, challenge = pkce_pair()
    location = consent(client, authorize_query(studio_app, challenge=challenge, **query))
    return query_of(location)["code"], verifier


def test_a_wrong_verifier_is_invalid_grant(app, client, studio_app):
    code, _verifier = _code(app, studio_app)
    wrong, _ = pkce_pair()
    answer = exchange(client, studio_app, code, wrong)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_grant"
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_missing_verifier_is_invalid_request(app, client, studio_app):
    code, _verifier = _code(app, studio_app)
    answer = exchange(client, studio_app, code, None)
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_request"


def test_a_reused_code_is_refused_and_ends_what_it_started(app, client, studio_app):
    code, verifier = _code(app, studio_app)
    first = exchange(client, studio_app, code, verifier)
    assert first.status_code == 200
    access = first.get_json()["access_token"]
    again = exchange(client, studio_app, code, verifier)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    answer = client.get("/api/v1/students", headers={"Authorization": f"Bearer {access}"})
    assert answer.status_code == 401


def test_a_redirect_uri_other_than_the_codes_is_invalid_grant(app, client, studio_app):
    code, verifier = _code(app, studio_app)
    answer = exchange(client, studio_app, code, verifier,
                      redirect_uri="http://127.0.0.1:9999/callback")
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_grant"


def test_an_unknown_client_or_wrong_secret_is_invalid_client(app, client, studio_app):
    code, verifier = _code(app, studio_app)
    unknown = dict(studio_app, client_id="no-such-app")
    answer = exchange(client, unknown, code, verifier)
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_client"
    wrong = dict(studio_app, secret="cdz_cs_wrong")
    assert exchange(client, wrong, code, verifier).get_json()["error"] == "invalid_client"


def test_an_unknown_client_or_unregistered_redirect_shows_a_page_not_a_redirect(app, studio_app):
    browser = signed_in(app, studio_app["admin"])
    _verifier, challenge = pkce_pair()
    unknown = browser.get(authorize_query(dict(studio_app, client_id="nope"), challenge=challenge))
    assert unknown.status_code == 400 and "Location" not in unknown.headers
    assert "invalid_client" in unknown.get_data(as_text=True)
    elsewhere = browser.get(authorize_query(studio_app, challenge=challenge,
                                            redirect_uri="https://evil.example.test/cb"))
    assert elsewhere.status_code == 400 and "Location" not in elsewhere.headers
    # http is for loopback addresses only; loopback ones match on any port (RFC 8252 §7.3).
    http = browser.get(authorize_query(studio_app, challenge=challenge,
                                       redirect_uri="http://app.example.test/callback"))
    assert http.status_code == 400
    port = browser.get(authorize_query(studio_app, challenge=challenge,
                                       redirect_uri="http://127.0.0.1:51234/callback"))
    assert port.status_code == 200


def test_a_scope_beyond_the_apps_goes_back_as_invalid_scope(app, studio_app):
    browser = signed_in(app, studio_app["admin"])
    _verifier, challenge = pkce_pair()
    answer = browser.get(authorize_query(studio_app, challenge=challenge, scope="people:write"))
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(WEB_REDIRECT)
    sent_back = query_of(answer.headers["Location"])
    assert sent_back["error"] == "invalid_scope" and sent_back["state"] == "st4te"
    unknown = browser.get(authorize_query(studio_app, challenge=challenge, scope="everything"))
    assert query_of(unknown.headers["Location"])["error"] == "invalid_scope"


def test_pkce_is_required_for_every_app(app, studio_app):
    browser = signed_in(app, studio_app["admin"])
    missing = browser.get(authorize_query(studio_app, challenge=None))
    assert query_of(missing.headers["Location"])["error"] == "invalid_request"
    _verifier, challenge = pkce_pair()
    plain = browser.get(authorize_query(studio_app, challenge=challenge,
                                        code_challenge_method="plain"))
    assert query_of(plain.headers["Location"])["error"] == "invalid_request"


def test_deny_goes_back_with_access_denied(app, studio_app):
    from app.oauth.models import OAuthCode

    browser = signed_in(app, studio_app["admin"])
    _verifier, challenge = pkce_pair()
    location = consent(browser, authorize_query(studio_app, challenge=challenge), "deny")
    assert location.startswith(WEB_REDIRECT)
    assert query_of(location)["error"] == "access_denied"
    assert query_of(location)["state"] == "st4te"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(OAuthCode)) == 0


def test_the_consent_form_needs_its_csrf_token(app, studio_app):
    browser = signed_in(app, studio_app["admin"])
    _verifier, challenge = pkce_pair()
    answer = browser.post(authorize_query(studio_app, challenge=challenge),
                          data={"decision": "allow"})
    assert answer.status_code in (302, 400)
    assert "code=" not in answer.headers.get("Location", "")


def test_signed_out_people_sign_in_first_and_come_back(app, studio_app):
    _verifier, challenge = pkce_pair()
    path = authorize_query(studio_app, challenge=challenge)
    browser = app.test_client()
    answer = browser.get(path)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert "next=" in answer.headers["Location"]


def test_a_member_of_another_studio_cannot_connect_the_app(app, studio_app):
    browser = signed_in(app, studio_app["other_admin"])
    _verifier, challenge = pkce_pair()
    answer = browser.get(authorize_query(studio_app, challenge=challenge))
    assert answer.status_code == 403 and "Location" not in answer.headers


def test_a_public_app_authenticates_with_pkce_alone(app, client, studio_app):
    public = dict(studio_app, client_id=studio_app["public_client_id"])
    browser = signed_in(app, studio_app["admin"])
    verifier, challenge = pkce_pair()
    location = consent(browser, authorize_query(
        public, challenge=challenge, scope="people:read",
        redirect_uri="http://127.0.0.1:40000/callback"))
    answer = exchange(client, public, query_of(location)["code"], verifier, auth=False,
                      redirect_uri="http://127.0.0.1:40000/callback", client_id=public["client_id"])
    assert answer.status_code == 200, answer.get_json()
    refresh = client.post("/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": answer.get_json()["refresh_token"],
        "client_id": public["client_id"]})
    assert refresh.status_code == 200


def test_a_refresh_token_of_another_app_is_invalid_grant(app, client, studio_app):
    public = dict(studio_app, client_id=studio_app["public_client_id"])
    browser = signed_in(app, studio_app["admin"])
    verifier, challenge = pkce_pair()
    location = consent(browser, authorize_query(studio_app, challenge=challenge))
    tokens = exchange(client, studio_app, query_of(location)["code"], verifier).get_json()
    stolen = client.post("/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": public["client_id"]})
    assert stolen.status_code == 400 and stolen.get_json()["error"] == "invalid_grant"
    other = client.post("/oauth/revoke", headers=basic_auth(studio_app),
                        data={"token": "cdz_at_unknown"})
    assert other.status_code == 200
