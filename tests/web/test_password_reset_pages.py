"""Password reset in the browser app: "Forgot password?" on the sign-in page, one answer for
every email, a link that works once, every other sign-in ended (CSRF on)."""
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail
from tests.conftest import PASSWORD, api_login, bearer, post_form, web_login

NEW_PASSWORD = "a-brand-new-password"  # noqa: S105 - a test password
LINK_RE = re.compile(r"https?://\S+(/reset-password/\S+)")
SENT = "If an account exists for that email, we have sent it a link"


@pytest.fixture()
def parent(make):
    studio = make.studio()
    user = make.member(studio, "parent", first_name="Rosa")
    db.session.commit()
    return user


def emails_to(address):
    db.session.rollback()
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)).all()


def reset_path(address):
    *_, email = emails_to(address)
    return LINK_RE.search(email.body_text).group(1)


def forgot(client, email, address="198.51.100.20"):
    return post_form(client, "/forgot-password", {"email": email},
                     environ_base={"REMOTE_ADDR": address})


def choose(client, path, password=NEW_PASSWORD):
    return post_form(client, path, {"password": password})


def is_signed_in(client):
    return client.get("/").status_code == 200


def test_the_sign_in_page_links_to_forgot_password(client):
    html = client.get("/login").get_data(as_text=True)

    assert '<a href="/forgot-password">Forgot password?</a>' in html
    page = client.get("/forgot-password").get_data(as_text=True)
    assert "<h1>Forgot your password?</h1>" in page
    assert 'autocomplete="username"' in page


def test_known_and_unknown_emails_get_the_same_answer(client, parent):
    known, unknown = forgot(client, parent.email), forgot(client, "nobody@example.test")

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/forgot-password/sent"
    assert SENT in client.get("/forgot-password/sent").get_data(as_text=True)
    assert len(emails_to(parent.email)) == 1
    assert emails_to("nobody@example.test") == []


def test_a_malformed_email_is_shown_next_to_the_field(client):
    response = forgot(client, "not-an-email")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="email-error" class="field-error">Enter a valid email address.' in html


def test_the_link_sets_a_new_password_signs_in_and_ends_other_sign_ins(app, client, parent):
    other_browser = app.test_client()
    web_login(other_browser, parent.email)
    tokens = api_login(app.test_client(), parent.email)
    forgot(client, parent.email)
    path = reset_path(parent.email)
    page = client.get(path)
    assert page.status_code == 200
    assert f"For <strong>{parent.email}</strong>" in page.get_data(as_text=True)

    response = choose(client, path)

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Your password is changed" in client.get("/").get_data(as_text=True)
    assert not is_signed_in(other_browser)
    assert app.test_client().get("/api/v1/users/me", headers=bearer(tokens)).status_code == 401
    web_login(app.test_client(), parent.email, NEW_PASSWORD)


def test_the_old_password_stops_working(app, client, parent):
    forgot(client, parent.email)
    choose(client, reset_path(parent.email))

    response = post_form(app.test_client(), "/login", {"email": parent.email, "password": PASSWORD})

    assert response.status_code == 422


def test_a_used_link_is_refused(app, client, parent):
    forgot(client, parent.email)
    path = reset_path(parent.email)
    choose(client, path)

    again = app.test_client()
    page = again.get(path)

    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "This link does not work any more" in html
    assert 'href="/forgot-password"' in html
    used = post_form(again, path, {"password": "another-password"}, token_path="/forgot-password")
    assert used.status_code == 404


def test_an_expired_link_is_refused(client, parent):
    forgot(client, parent.email)
    path = reset_path(parent.email)

    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1)):
        response = client.get(path)

    assert response.status_code == 404
    assert "This link does not work any more" in response.get_data(as_text=True)


def test_a_weak_password_is_shown_next_to_the_field_and_the_link_keeps_working(client, parent):
    forgot(client, parent.email)
    path = reset_path(parent.email)

    response = choose(client, path, parent.email)

    assert response.status_code == 422
    assert "The password may not be your email address." in response.get_data(as_text=True)
    assert choose(client, path).status_code == 302


def test_the_reset_form_needs_its_csrf_token(client, parent):
    forgot(client, parent.email)
    path = reset_path(parent.email)

    response = post_form(client, path, {"password": NEW_PASSWORD, "csrf_token": None})

    assert response.status_code == 400
    assert client.get(path).status_code == 200  # not spent


def test_requests_are_rate_limited(client, parent):
    answers = [forgot(client, parent.email).status_code for _ in range(6)]

    assert answers == [302] * 5 + [429]
    refused = forgot(client, parent.email)
    assert "Too many password reset requests" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert len(emails_to(parent.email)) == 5
    assert forgot(client, parent.email, address="203.0.113.99").status_code == 302
