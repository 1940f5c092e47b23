"""The email digest of threads: one email per thread per participant per hour, listing the
unread messages with a link to reply; never twice, also when two runs meet."""
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.messaging.services import send_due_digests, set_email_preferences
from app.messaging.services import threads as services
from app.messaging.services.digests import DIGEST_GRACE
from tests.concurrency import parallel
from tests.messaging import threads_world


@pytest.fixture()
def w(make):
    return threads_world.build(make)


def emails_to(user):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == user.email)
                              .order_by(OutboxEmail.created_at)).all()


def later(minutes):
    return utcnow() + DIGEST_GRACE + timedelta(minutes=minutes)


def test_an_unread_thread_is_emailed_once_with_its_messages_and_a_link(w):
    thread = services.create_thread(w.p["parent"], "Tuesday", [w.users["teacher"].id], "Can we move it?")
    services.post_message(w.p["parent"], thread, "Or **Wednesday**?")
    db.session.commit()
    assert send_due_digests(later(1)) == 1
    (email,) = emails_to(w.users["teacher"])
    assert "Tuesday" in email.subject
    assert "Can we move it?" in email.body_text and "Or **Wednesday**?" in email.body_text
    assert f"/messages/{thread.id}" in email.body_text
    assert "<strong>Wednesday</strong>" in email.body_html
    assert emails_to(w.users["parent"]) == []  # their own messages


def test_a_run_twice_sends_once_and_at_most_one_per_hour(w):
    thread = services.create_thread(w.p["parent"], "Tuesday", [w.users["teacher"].id], "One")
    db.session.commit()
    now = later(1)
    assert send_due_digests(now) == 1
    assert send_due_digests(now) == 0
    with time_machine.travel(now + timedelta(minutes=5)):
        services.post_message(w.p["parent"], thread, "Two")
    db.session.commit()
    assert send_due_digests(now + timedelta(minutes=30)) == 0  # within the hour
    assert len(emails_to(w.users["teacher"])) == 1
    assert send_due_digests(now + timedelta(minutes=61)) == 1
    assert len(emails_to(w.users["teacher"])) == 2
    assert send_due_digests(now + timedelta(minutes=200)) == 0  # nothing new since


def test_fresh_and_read_messages_are_not_emailed(w):
    thread = services.create_thread(w.p["parent"], "Tuesday", [w.users["teacher"].id], "One")
    db.session.commit()
    assert send_due_digests(utcnow()) == 0  # within the grace period: maybe being read
    services.mark_thread_read(w.p["teacher"], thread)
    db.session.commit()
    assert send_due_digests(later(1)) == 0


def test_members_who_turned_message_emails_off_get_none(w):
    services.create_thread(w.p["parent"], "Tuesday", [w.users["teacher"].id], "One")
    set_email_preferences(w.users["teacher"], {"new_message": False})
    db.session.commit()
    assert send_due_digests(later(1)) == 0
    assert emails_to(w.users["teacher"]) == []


def test_each_participant_gets_their_own_digest(w):
    services.create_thread(w.p["parent"], "Tuesday", [w.users["teacher"].id, w.users["admin"].id], "One")
    db.session.commit()
    assert send_due_digests(later(1)) == 2
    assert len(emails_to(w.users["teacher"])) == len(emails_to(w.users["admin"])) == 1


@pytest.mark.postgres
def test_two_runs_at_once_send_each_digest_once(app, w):
    for i in range(5):
        services.create_thread(w.p["parent"], f"T{i}", [w.users["teacher"].id, w.users["admin"].id], "Hi")
    db.session.commit()
    now = later(1)

    def run(_client):
        with app.app_context():
            try:
                return send_due_digests(now)
            finally:
                db.session.remove()

    results = parallel(app, [run] * 4)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 10
    assert len(emails_to(w.users["teacher"])) == 5
    assert len(emails_to(w.users["admin"])) == 5
