"""Third-party apps: a studio with an app registered, PKCE helpers, and the consent dance."""
import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from app.extensions import db
from tests.conftest import CSRF_RE, web_login

LOOPBACK_REDIRECT = "http://127.0.0.1/callback"
WEB_REDIRECT = "https://app.example.test/callback"


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def authorize_query(app, *, redirect_uri=WEB_REDIRECT, scope="people:read scheduling:read",
                    challenge=None, state="st4te", **extra):
    params = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": redirect_uri,
              "state": state, "code_challenge": challenge, "code_challenge_method": "S256"}
    if scope is not None:
        params["scope"] = scope
    params.update(extra)
    return "/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def query_of(location):
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def consent(client, path, decision="allow"):
    """GET the consent page, then press Allow or Deny: the redirect's Location."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    match = CSRF_RE.search(page.get_data(as_text=True))
    token = match.group(1) or match.group(2)
    response = client.post(path, data={"csrf_token": token, "decision": decision})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


@pytest.fixture()
def studio_app(app):
    """Studio A with an admin, a parent and a student; app registered by the admin (confidential,
    people, scheduling and billing read); studio B with a student of its own."""
    from app.oauth import services
    from tests.factories import Maker

    with app.test_request_context():
        make = Maker()
        studio = make.studio(name="Studio A")
        admin = make.member(studio, "admin", email="admin-a@example.test")
        parent = make.member(studio, "parent", email="parent-a@example.test")
        family = make.family(studio, guardians=[parent], name="A Family")
        student = make.student(studio, family, first_name="Ada")
        other = make.studio(name="Studio B")
        other_admin = make.member(other, "admin", email="admin-b@example.test")
        other_family = make.family(other, name="B Family")
        other_student = make.student(other, other_family, first_name="Bea")
        registered, secret = services.register_app(
            studio, admin, name="Practice Buddy", redirect_uris=[WEB_REDIRECT, LOOPBACK_REDIRECT],
            scopes=["people:read", "scheduling:read", "billing:write"])
        public, _ = services.register_app(
            studio, admin, name="Phone App", redirect_uris=[LOOPBACK_REDIRECT],
            scopes=["people:read"], confidential=False)
        db.session.commit()
        info = {
            "studio_id": str(studio.id), "other_id": str(other.id), "app_id": str(registered.id),
            "client_id": registered.client_id, "secret": secret, "public_client_id": public.client_id,
            "admin": admin.email, "parent": parent.email, "other_admin": other_admin.email,
            "student_id": str(student.id), "other_student_id": str(other_student.id),
        }
        db.session.remove()
    return info


def exchange(client, app, code, verifier, *, redirect_uri=WEB_REDIRECT, auth=True, **extra):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier, **extra}
    headers = {}
    if auth:
        basic = base64.b64encode(f"{app['client_id']}:{app['secret']}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"
    return client.post("/oauth/token", data=data, headers=headers)


def basic_auth(app):
    return {"Authorization": "Basic " + base64.b64encode(
        f"{app['client_id']}:{app['secret']}".encode()).decode()}


def signed_in(app_fixture, email):
    client = app_fixture.test_client()
    web_login(client, email)
    return client


def tokens_for(flask_app, app, email=None, scope="people:read scheduling:read"):
    """Sign in, consent and exchange: the token response."""
    client = signed_in(flask_app, email or app["admin"])
    verifier, challenge = pkce_pair()
    location = consent(client, authorize_query(app, challenge=challenge, scope=scope))
    response = exchange(flask_app.test_client(), app, query_of(location)["code"], verifier)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()
