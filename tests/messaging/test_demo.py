"""`flask seed-demo` shows living messages (SPEC §6): conversations, an announcement in every
demo login's bell, unread notifications; the announcement and the messages email nobody (the
demo's addresses are invented)."""
from sqlalchemy import func, select

from app.accounts.models import User
from app.demo import seed
from app.extensions import db
from app.messaging.models import Announcement, Message, Notification, OutboxEmail, Thread


def _unread(email):
    return db.session.scalar(select(func.count()).select_from(Notification).join(
        User, User.id == Notification.user_id).where(User.email == email,
                                                     Notification.read_at.is_(None)))


def test_demo_has_threads_an_announcement_and_unread_notifications(ctx):
    studio = seed()
    db.session.flush()
    threads = db.session.scalars(select(Thread).where(Thread.studio_id == studio.id)).all()
    assert len(threads) == 3
    assert db.session.scalar(select(func.count()).select_from(Message)) == 5
    announcement = db.session.scalar(select(Announcement).where(Announcement.studio_id == studio.id))
    assert announcement.subject and "<strong>" in announcement.body_html
    for login in ("parent@demo.test", "student@demo.test", "teacher@demo.test", "admin@demo.test"):
        assert _unread(login) >= 1, login
    subjects = set(db.session.scalars(select(OutboxEmail.subject)))
    assert announcement.subject not in subjects
    assert not any(subject.startswith("New message") for subject in subjects)

