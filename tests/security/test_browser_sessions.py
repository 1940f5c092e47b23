"""Browser sessions live on the server: signing out ends them there, so a copied cookie is
worth nothing afterwards; the profile lists them and ends one or all."""
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.accounts.models import RefreshToken, SignIn
from app.core.db import utcnow
from app.extensions import db
from app.people.models import Family
from tests.conftest import PASSWORD, api_login, bearer, csrf_token, post_form, web_login

ME = "/api/v1/users/me"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.fixture()
def admin(studio_setup):
    return studio_setup.users["admin"]


def sign_in(app, user, user_agent=BROWSER, **environ):
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": user_agent, **environ})
    web_login(client, user.email)
    return client


def copy_cookies(app, client):
    """A second client holding the same cookies: what someone who copied them would send."""
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def live_sign_ins(user):
    db.session.expire_all()
    return db.session.scalars(select(SignIn).where(
        SignIn.user_id == user.id, SignIn.ended_at.is_(None))).all()


def family_count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Family))


def is_signed_in(client):
    return client.get("/account/").status_code == 200


def test_a_copied_session_cookie_stops_working_after_logout(app, admin):
    browser = sign_in(app, admin)
    thief = copy_cookies(app, browser)
    assert thief.get("/settings/members").status_code == 200
    token = csrf_token(thief, "/families/new")

    assert post_form(browser, "/logout", token_path="/account/").status_code == 302

    response = thief.get("/settings/members")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    created = thief.post("/families/new", data={"name": "Intruder Family", "csrf_token": token})
    assert created.status_code in (302, 400)
    assert "/families/" not in created.headers.get("Location", "")
    assert family_count() == 0


def test_a_copied_remember_me_cookie_stops_working_after_logout(app, admin):
    browser = app.test_client()
    token = csrf_token(browser, "/login")
    browser.post("/login", data={"email": admin.email, "password": PASSWORD, "remember": "y",
                                 "csrf_token": token})
    copied = browser.get_cookie("remember_token").value

    post_form(browser, "/logout", token_path="/account/")

    thief = app.test_client()
    thief.set_cookie("remember_token", copied)
    assert not is_signed_in(thief)


def test_logout_ends_only_that_browser_session(app, admin):
    laptop, phone = sign_in(app, admin), sign_in(app, admin, PHONE)

    post_form(laptop, "/logout", token_path="/account/")

    assert not is_signed_in(laptop)
    assert is_signed_in(phone)
    assert len(live_sign_ins(admin)) == 1


def test_signing_in_records_the_device_and_address(app, admin):
    sign_in(app, admin, PHONE, REMOTE_ADDR="203.0.113.7")

    (session,) = live_sign_ins(admin)
    assert session.ip == "203.0.113.7"
    assert session.user_agent == PHONE
    assert session.device == "Safari on iPhone"
    assert session.created_at is not None and session.last_seen_at is not None


def test_profile_lists_the_active_sessions_with_this_one_marked(app, admin):
    laptop = sign_in(app, admin, REMOTE_ADDR="198.51.100.4")
    sign_in(app, admin, PHONE, REMOTE_ADDR="203.0.113.7")
    ended = sign_in(app, admin, REMOTE_ADDR="192.0.2.99")
    post_form(ended, "/logout", token_path="/account/")

    html = laptop.get("/account/").get_data(as_text=True)

    assert "Chrome on Linux" in html and "198.51.100.4" in html
    assert "Safari on iPhone" in html and "203.0.113.7" in html
    assert "192.0.2.99" not in html
    assert html.count("This device") == 1


def test_signing_out_another_session_from_the_profile(app, admin):
    laptop, phone = sign_in(app, admin), sign_in(app, admin, PHONE)
    (phone_session,) = [s for s in live_sign_ins(admin) if s.user_agent == PHONE]

    response = post_form(laptop, f"/account/sessions/{phone_session.id}/end", token_path="/account/")

    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


def test_nobody_can_end_another_users_session(app, admin, studio_setup):
    other = sign_in(app, studio_setup.users["teacher"])
    (theirs,) = live_sign_ins(studio_setup.users["teacher"])
    laptop = sign_in(app, admin)

    response = post_form(laptop, f"/account/sessions/{theirs.id}/end", token_path="/account/")

    assert response.status_code == 404
    assert is_signed_in(other)
    assert len(live_sign_ins(studio_setup.users["teacher"])) == 1


def test_ending_a_session_needs_a_csrf_token(app, admin):
    laptop = sign_in(app, admin)
    (session,) = live_sign_ins(admin)

    laptop.post(f"/account/sessions/{session.id}/end")

    assert is_signed_in(laptop)


def test_sign_out_everywhere_ends_every_browser_session_and_api_token(app, admin):
    laptop, phone = sign_in(app, admin), sign_in(app, admin, PHONE)
    api = app.test_client()
    tokens = api_login(api, admin.email)
    assert api.get(ME, headers=bearer(tokens)).status_code == 200

    response = post_form(laptop, "/account/sessions/end-all", token_path="/account/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert api.get(ME, headers=bearer(tokens)).status_code == 401
    assert api.post("/api/v1/auth/refresh", json={"refresh": tokens["refresh"]}).status_code == 401
    assert live_sign_ins(admin) == []
    assert db.session.scalar(select(func.count()).select_from(RefreshToken).where(
        RefreshToken.revoked_at.is_(None))) == 0


def test_the_profile_lists_api_sign_ins_and_ends_them(app, admin):
    laptop = sign_in(app, admin)
    api = app.test_client()
    api.environ_base["HTTP_USER_AGENT"] = "python-requests/2.32.3"
    tokens = api_login(api, admin.email)
    (api_sign_in,) = [s for s in live_sign_ins(admin) if s.kind == "api"]

    assert "API client (python-requests)" in laptop.get("/account/").get_data(as_text=True)
    post_form(laptop, f"/account/sessions/{api_sign_in.id}/end", token_path="/account/")

    assert api.get(ME, headers=bearer(tokens)).status_code == 401


@pytest.fixture()
def idle_timeout(app, monkeypatch):
    """Two days: shorter than the signed session cookie's own limit (14 days)."""
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", timedelta(days=2))
    return app.config["SESSION_IDLE_TIMEOUT"]


def test_a_session_unused_for_the_idle_timeout_ends(app, admin, idle_timeout):
    laptop = sign_in(app, admin)
    later = utcnow() + app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert not is_signed_in(laptop)


def test_being_seen_keeps_a_session_alive_past_the_idle_timeout(app, admin, idle_timeout):
    laptop = sign_in(app, admin)
    start = utcnow()
    with time_machine.travel(start + idle_timeout * 0.9, tick=False):
        assert is_signed_in(laptop)
    with time_machine.travel(start + idle_timeout * 1.5, tick=False):
        assert is_signed_in(laptop)


@pytest.mark.parametrize("sign_in_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_ending_an_unknown_session_is_not_found(app, admin, sign_in_id):
    laptop = sign_in(app, admin)

    response = post_form(laptop, f"/account/sessions/{sign_in_id}/end", token_path="/account/")

    assert response.status_code == 404
    assert is_signed_in(laptop)
