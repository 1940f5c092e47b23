"""Two reminder runs at once (two workers, or a run that overlaps the next): each family gets
each lesson's reminder once, and neither run fails."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import Notification, OutboxEmail
from app.scheduling.models import Lesson
from app.scheduling.services import send_due_reminders
from tests.concurrency import parallel

LESSONS = 24


@pytest.fixture()
def due_lessons(sched, make):
    """LESSONS lessons in the next hours, each with a student and a parent who sign in."""
    sched.student.user_id = make.member(sched.studio, "student", email="sam@example.test").id
    start = utcnow().replace(second=0, microsecond=0) + timedelta(hours=2)
    lessons = [make.lesson(sched.studio, sched.teacher, [sched.student],
                           start=start + timedelta(minutes=30 * n)) for n in range(LESSONS)]
    db.session.commit()
    return lessons


def _run(app):
    def run(_client):
        with app.app_context():
            try:
                queued = send_due_reminders()
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
            return queued
    return run


@pytest.mark.postgres
def test_two_runs_at_once_send_each_reminder_once(app, due_lessons):
    results = parallel(app, [_run(app), _run(app)])

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(results) == 2 * LESSONS  # the student and the parent, once per lesson
    with app.app_context():
        keys = db.session.scalars(select(OutboxEmail.dedupe_key)).all()
        assert len(keys) == len(set(keys)) == 2 * LESSONS
        assert db.session.scalar(select(func.count()).select_from(Lesson).where(
            Lesson.reminder_sent_at.is_(None))) == 0
        told = db.session.execute(select(Notification.user_id, Notification.dedupe_key)).all()
        assert len(told) == len(set(told)) == 2 * LESSONS


@pytest.mark.postgres
def test_a_run_skips_the_lessons_another_run_has_claimed_and_not_committed(app, due_lessons):
    claimed, committed = threading.Event(), threading.Event()

    def first(_client):
        with app.app_context():
            queued = send_due_reminders()
            claimed.set()
            waited = committed.wait(30)  # holds its claim while the second run goes
            db.session.commit()
            return queued, waited

    def second(_client):
        claimed.wait(30)
        with app.app_context():
            queued = send_due_reminders()  # does not wait for the first run's rows
            db.session.commit()
        committed.set()
        return queued

    assert parallel(app, [first, second]) == [(2 * LESSONS, True), 0]
    with app.app_context():
        assert len(db.session.scalars(select(OutboxEmail.id)).all()) == 2 * LESSONS


@pytest.mark.postgres
def test_a_run_that_fails_leaves_its_lessons_to_the_next(app, due_lessons):
    with app.app_context():
        assert send_due_reminders() == 2 * LESSONS
        db.session.rollback()
    with app.app_context():
        assert send_due_reminders() == 2 * LESSONS
        db.session.commit()
        assert len(db.session.scalars(select(OutboxEmail.id)).all()) == 2 * LESSONS
