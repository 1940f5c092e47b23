"""Settings → API keys: owners and admins make a key (its secret is on the answering page,
once), see every key's prefix, scopes, use and status, and revoke one."""
import re

import sqlalchemy as sa

from app.developer.models import ApiKey
from app.extensions import db
from tests.conftest import csrf_token, post_form, web_login

PAGE = "/settings/api-keys"
SECRET_RE = re.compile(r"cdz_live_[A-Za-z0-9]{40}")


def _make(client, **form):
    data = {"name": "Booking form", "scopes": ["billing:read", "people:write"], **form}
    return post_form(client, PAGE, data)


def test_making_a_key_shows_its_secret_once(client, studio_setup, app):
    web_login(client, studio_setup.users["admin"].email)
    response = _make(client, expires_on="2031-01-15")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET_RE.search(html).group(0)
    assert "Copy it now." in html and 'data-copy="#new-key-secret"' in html
    again = client.get(PAGE).get_data(as_text=True)
    assert secret not in again and SECRET_RE.search(again) is None
    assert secret[:13] + "…" in again and "people:write, billing:read" in again
    assert "Never" in again and "End of Jan 15, 2031" in again  # never used; its last day
    # A later page lists it; the key works on the API.
    assert client.get("/api/v1/students", headers={"X-API-Key": secret}).status_code == 200
    with app.app_context():
        key = db.session.scalar(sa.select(ApiKey))
        assert key.expires_at is not None and key.expires_at.year == 2031


def test_the_form_says_what_is_wrong_next_to_the_field(client, studio_setup):
    web_login(client, studio_setup.users["owner"].email)
    response = post_form(client, PAGE, {"name": "", "expires_on": "not a date"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Name the key (what uses it)." in html and "Choose at least one scope." in html
    assert 'id="scopes-error"' in html
    past = post_form(client, PAGE, {"name": "Old", "scopes": "read", "expires_on": "2020-01-01"})
    assert past.status_code == 422 and "Choose a moment in the future." in past.get_data(as_text=True)


def test_revoking_stops_the_key_at_once(client, studio_setup, app):
    web_login(client, studio_setup.users["admin"].email)
    secret = SECRET_RE.search(_make(client).get_data(as_text=True)).group(0)
    with app.app_context():
        key_id = db.session.scalar(sa.select(ApiKey.id))
    response = post_form(client, f"{PAGE}/{key_id}/revoke", token_path=PAGE)
    assert response.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "is revoked" in page and "Revoked" in page
    assert client.get("/api/v1/students", headers={"X-API-Key": secret}).status_code == 401


def test_the_page_is_for_owners_and_admins_only(client, studio_setup):
    web_login(client, studio_setup.users["teacher"].email)
    assert client.get(PAGE).status_code == 302
    assert "API keys" not in client.get("/").get_data(as_text=True)
    response = client.post(PAGE, data={"name": "x", "scopes": "read",
                                       "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_admins_find_the_page_in_the_navigation(client, studio_setup):
    web_login(client, studio_setup.users["admin"].email)
    assert 'href="/settings/api-keys"' in client.get("/").get_data(as_text=True)
