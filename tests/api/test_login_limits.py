"""Sign-in limits count failures per client address, so nobody can lock another person out.

Failures are limited per email and address (10 a minute) and per address for every email
together (50 in 10 minutes); a refused attempt says when to try again; sign-ins that succeed
cost nothing; after 10 failures in an hour the account's owner is emailed, at most hourly.
"""
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.core.db import utcnow
from app.core.ratelimit import wait_in_words
from app.extensions import db
from app.messaging.models import OutboxEmail
from tests.conftest import PASSWORD, post_form

LOGIN = "/api/v1/auth/login"
ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"
WRONG = "wrong-password"  # noqa: S105 - a password that is not the account's


@pytest.fixture()
def teacher(make):
    studio = make.studio()
    user = make.member(studio, "teacher", first_name="Clara")
    db.session.commit()
    return user


def sign_in(client, email, password=WRONG, address=ATTACKER):
    return client.post(LOGIN, json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def page_sign_in(client, email, password=WRONG, address=ATTACKER):
    return post_form(client, "/login", {"email": email, "password": password},
                     environ_base={"REMOTE_ADDR": address})


def is_signed_in(client):
    return client.get("/").status_code == 200


def alerts(user):
    db.session.rollback()  # a fresh snapshot: the emails were committed by the requests
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == user.email)).all()


def test_sign_ins_that_succeed_spend_no_budget(client, teacher):
    answers = [sign_in(client, teacher.email, PASSWORD).status_code for _ in range(12)]

    assert answers == [200] * 12


def test_failures_from_another_address_do_not_lock_the_owner_out(client, teacher):
    for _ in range(10):
        assert sign_in(client, teacher.email).status_code == 401

    assert sign_in(client, teacher.email, PASSWORD).status_code == 429  # not from that address
    assert sign_in(client, teacher.email, PASSWORD, address=OWNER).status_code == 200
    assert page_sign_in(client, teacher.email, PASSWORD, address=OWNER).status_code == 302


def test_a_refused_api_sign_in_says_when_to_retry(client, teacher):
    with time_machine.travel(utcnow(), tick=False):
        for _ in range(10):
            sign_in(client, teacher.email)

        response = sign_in(client, teacher.email, PASSWORD)

    assert response.status_code == 429
    assert response.json["code"] == "RATE_LIMITED"
    assert response.json["detail"] == "Too many failed sign-ins. Try again in 1 minute."
    assert response.headers["Retry-After"] in {"60", "61"}
    assert response.headers["X-RateLimit-Limit"] == "10"


def test_a_refused_page_sign_in_says_when_to_retry(client, teacher):
    with time_machine.travel(utcnow(), tick=False) as traveller:
        for _ in range(10):
            assert page_sign_in(client, teacher.email).status_code == 422
        traveller.shift(timedelta(seconds=15))

        response = page_sign_in(client, teacher.email, PASSWORD)

    assert response.status_code == 429
    assert response.headers["Retry-After"] in {"45", "46"}
    assert "Too many failed sign-ins. Try again in 45 seconds." in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_failures_from_one_address_are_limited_whatever_the_email(client, teacher):
    with time_machine.travel(utcnow(), tick=False) as traveller:
        for n in range(50):
            assert sign_in(client, f"guess-{n}@example.test").status_code == 401

        refused = sign_in(client, teacher.email, PASSWORD)
        assert refused.status_code == 429
        assert refused.json["detail"] == "Too many failed sign-ins. Try again in 10 minutes."
        assert refused.headers["X-RateLimit-Limit"] == "50"
        assert sign_in(client, teacher.email, PASSWORD, address=OWNER).status_code == 200

        traveller.shift(timedelta(minutes=10, seconds=1))  # the lock-out is short
        assert sign_in(client, teacher.email, PASSWORD).status_code == 200


def test_a_refused_attempt_costs_the_other_budget_nothing(client, teacher):
    for _ in range(10):
        sign_in(client, teacher.email)
    for _ in range(30):
        assert sign_in(client, teacher.email).status_code == 429

    # 10 failures spent, not 40: the address may still fail 40 times on other emails.
    answers = [sign_in(client, f"guess-{n}@example.test").status_code for n in range(41)]
    assert answers == [401] * 40 + [429]


def test_the_owner_is_emailed_after_ten_failures_in_an_hour(client, teacher):
    with time_machine.travel(utcnow(), tick=False) as traveller:
        for n in range(9):
            sign_in(client, teacher.email, address=f"203.0.113.{n + 1}")
        assert alerts(teacher) == []

        sign_in(client, teacher.email, address="192.0.2.99")
        for n in range(10):  # more failures within the hour: no second email
            sign_in(client, teacher.email, address=f"198.51.100.{n + 1}")
        [alert] = alerts(teacher)

        traveller.shift(timedelta(minutes=61))
        for n in range(10):
            sign_in(client, teacher.email, address=f"192.0.2.{n + 1}")
        assert len(alerts(teacher)) == 2

    assert alert.subject == "Failed sign-ins to your Cadenza account"
    assert "Hello Clara," in alert.body_text
    assert "10 failed attempts to sign in" in alert.body_text
    assert "from the address 192.0.2.99" in alert.body_text
    assert utcnow().strftime("%B %Y") in alert.body_text and "UTC" in alert.body_text
    assert "http://localhost/account/" in alert.body_text
    assert "choose a new password" in alert.body_text


def test_no_email_for_an_address_nobody_has(client, teacher):
    for n in range(12):
        sign_in(client, "nobody@example.test", address=f"203.0.113.{n + 1}")

    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_a_correct_password_is_no_failure(client, teacher):
    for n in range(9):
        sign_in(client, teacher.email, address=f"203.0.113.{n + 1}")
    for _ in range(5):
        assert sign_in(client, teacher.email, PASSWORD, address=OWNER).status_code == 200

    assert alerts(teacher) == []


@pytest.mark.parametrize(("seconds", "words"), [
    (1, "1 second"), (45, "45 seconds"), (60, "1 minute"), (61, "2 minutes"), (600, "10 minutes"),
])
def test_waits_in_words_never_understate(seconds, words):
    assert wait_in_words(seconds) == words
