"""Password reset over the API: 202 whatever the email, a link that works once and expires,
every sign-in ended, requests limited per address."""
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.accounts.models import PasswordReset
from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail
from tests.conftest import PASSWORD, api_login, bearer

REQUEST = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
NEW_PASSWORD = "a-brand-new-password"  # noqa: S105 - a test password
LINK_RE = re.compile(r"(https?://\S+)/reset-password/(\S+)")


@pytest.fixture()
def parent(make):
    studio = make.studio()
    user = make.member(studio, "parent", first_name="Rosa")
    db.session.commit()
    return user


def emails_to(address):
    db.session.rollback()  # a fresh snapshot: the requests committed the emails
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)
                              .order_by(OutboxEmail.created_at)).all()


def reset_token(address):
    """The token of the newest reset link emailed to this address."""
    *_, email = emails_to(address)
    return LINK_RE.search(email.body_text).group(2)


def ask(client, email, address="198.51.100.20"):
    return client.post(REQUEST, json={"email": email}, environ_base={"REMOTE_ADDR": address})


def confirm(client, token, password=NEW_PASSWORD):
    return client.post(CONFIRM, json={"token": token, "password": password})


def test_a_known_email_gets_a_link_that_sets_a_new_password(client, parent):
    response = ask(client, parent.email)

    assert response.status_code == 202
    assert response.json == {"detail": "If an account exists for this email, we have sent it a "
                                       "link to choose a new password."}
    [email] = emails_to(parent.email)
    assert email.subject == "Choose a new Cadenza password"
    assert "Hello Rosa," in email.body_text
    assert "works once, for 1 hour" in email.body_text
    base, token = LINK_RE.search(email.body_text).groups()
    assert base == "http://localhost"  # PUBLIC_BASE_URL of the tests, not the request's host
    assert db.session.scalar(select(PasswordReset.token_hash)) != token  # only its hash is kept
    assert confirm(client, token).status_code == 204
    assert client.post("/api/v1/auth/login", json={
        "email": parent.email, "password": NEW_PASSWORD}).status_code == 200
    assert client.post("/api/v1/auth/login", json={
        "email": parent.email, "password": PASSWORD}).status_code == 401


def test_an_unknown_email_gets_the_same_answer_and_no_email(client, parent):
    known, unknown = ask(client, parent.email), ask(client, "nobody@example.test")

    assert (unknown.status_code, unknown.get_data()) == (known.status_code, known.get_data())
    assert emails_to("nobody@example.test") == []


def test_a_deactivated_account_gets_no_link(client, parent):
    parent.is_active = False
    db.session.commit()

    assert ask(client, parent.email).status_code == 202
    assert emails_to(parent.email) == []


def test_the_email_is_matched_whatever_its_case(client, parent):
    assert ask(client, f"  {parent.email.upper()} ").status_code == 400  # not an address
    assert ask(client, parent.email.upper()).status_code == 202
    assert len(emails_to(parent.email)) == 1


def test_a_malformed_email_is_a_validation_error(client):
    response = client.post(REQUEST, json={"email": "not-an-email"})

    assert response.status_code == 400
    assert response.json["field_errors"] == {"email": ["Enter a valid email address."]}


def test_a_used_link_is_refused(client, parent):
    ask(client, parent.email)
    token = reset_token(parent.email)
    assert confirm(client, token).status_code == 204

    again = confirm(client, token, "yet-another-password")

    assert again.status_code == 400
    assert again.json["code"] == "VALIDATION_ERROR"
    assert "does not work any more" in again.json["field_errors"]["token"][0]


def test_using_one_link_ends_the_others(client, parent):
    ask(client, parent.email)
    first = reset_token(parent.email)
    ask(client, parent.email)
    second = reset_token(parent.email)
    assert first != second

    assert confirm(client, second).status_code == 204
    assert confirm(client, first).status_code == 400


def test_a_password_change_ends_the_links(client, parent):
    ask(client, parent.email)
    token = reset_token(parent.email)
    tokens = api_login(client, parent.email)
    client.post("/api/v1/users/me/password", headers=bearer(tokens), json={
        "current_password": PASSWORD, "new_password": "changed-meanwhile"})

    assert confirm(client, token).status_code == 400


def test_an_expired_link_is_refused(client, parent):
    ask(client, parent.email)
    token = reset_token(parent.email)

    with time_machine.travel(utcnow() + timedelta(hours=1, seconds=1)):
        response = confirm(client, token)

    assert response.status_code == 400
    assert "token" in response.json["field_errors"]


def test_a_link_works_until_it_expires(client, parent):
    ask(client, parent.email)
    token = reset_token(parent.email)

    with time_machine.travel(utcnow() + timedelta(minutes=59)):
        assert confirm(client, token).status_code == 204


def test_an_unknown_token_is_refused(client, parent):
    response = confirm(client, "made-up-token")

    assert response.status_code == 400
    assert "token" in response.json["field_errors"]


def test_a_weak_password_is_refused_and_the_link_still_works(client, parent):
    ask(client, parent.email)
    token = reset_token(parent.email)

    short, own_email = confirm(client, token, "short"), confirm(client, token, parent.email)

    assert short.status_code == 400
    assert short.json["field_errors"] == {"password": ["Use at least 8 characters."]}
    assert own_email.json["field_errors"] == {"password": ["The password may not be your email address."]}
    assert confirm(client, token).status_code == 204


def test_a_reset_ends_every_sign_in(app, client, parent):
    tokens = api_login(client, parent.email)
    assert client.get("/api/v1/users/me", headers=bearer(tokens)).status_code == 200
    ask(client, parent.email)

    assert confirm(client, reset_token(parent.email)).status_code == 204

    assert client.get("/api/v1/users/me", headers=bearer(tokens)).status_code == 401
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh": tokens["refresh"]})
    assert refreshed.status_code == 401


def test_requests_are_limited_per_email_and_address(client, parent):
    answers = [ask(client, parent.email).status_code for _ in range(6)]

    assert answers == [202] * 5 + [429]
    refused = ask(client, parent.email)
    assert refused.json["code"] == "RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) > 0
    assert len(emails_to(parent.email)) == 5
    assert ask(client, parent.email, address="203.0.113.99").status_code == 202


def test_requests_are_limited_per_address_whatever_the_email(client, parent):
    answers = [ask(client, f"someone{n}@example.test").status_code for n in range(20)]

    assert answers == [202] * 20
    assert ask(client, parent.email).status_code == 429
    assert emails_to(parent.email) == []
    assert ask(client, parent.email, address="203.0.113.99").status_code == 202


def test_unknown_and_known_emails_spend_the_same_budget(client, parent):
    for _ in range(5):
        ask(client, "nobody@example.test")

    assert ask(client, "nobody@example.test").status_code == 429
