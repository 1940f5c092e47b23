"""Demo messages for Harmony Music Studio: the conversations of demo_threads and an
announcement from the owner that every demo login has in its bell (the other demo modules'
services have told them of notes, loans and invoices already). Nothing is emailed: the demo's
addresses are invented."""
from datetime import timedelta

from sqlalchemy import select, update

from app.accounts.models import User
from app.core.db import utcnow
from app.core.richtext import render_markdown
from app.extensions import db
from app.messaging.demo_threads import seed_threads
from app.messaging.models import Announcement, Notification, Thread
from app.messaging.services.announcements import announcement_link
from app.messaging.services.notifications import notify
from app.messaging.services.threads import thread_path

ANNOUNCEMENT_SUBJECT = "Studio closed for the winter break"
ANNOUNCEMENT_BODY = (
    "Harmony Music Studio is closed from **December 24 to January 2**.\n\n"
    "- Lessons in that week are not billed\n"
    "- Lessons start again on Monday, January 4\n\n"
    "Happy holidays from all of us!")
LOGINS = ("owner@demo.test", "admin@demo.test", "teacher@demo.test", "parent@demo.test", "student@demo.test")


def seed_messaging(studio):
    """Write the demo conversations, announcement and notifications; the caller commits."""
    seed_threads(studio)
    users = {user.email: user for user in db.session.scalars(
        select(User).where(User.email.in_(LOGINS)))}
    owner = users["owner@demo.test"]
    sent_at = utcnow() - timedelta(days=1)
    announcement = Announcement(
        studio_id=studio.id, subject=ANNOUNCEMENT_SUBJECT, body=ANNOUNCEMENT_BODY,
        body_html=str(render_markdown(ANNOUNCEMENT_BODY)), audience="everyone",
        audience_value="", sent_by_id=owner.id, recipient_count=len(users), sent_at=sent_at)
    db.session.add(announcement)
    db.session.flush()
    notify(studio, list(users.values()), "announcement", ANNOUNCEMENT_SUBJECT,
           "Harmony Music Studio is closed from December 24 to January 2.",
           announcement_link(announcement), email=False)
    # Told when it happened, rather than at the moment of seeding: the announcement yesterday,
    # each message's notification when the message was written.
    db.session.execute(update(Notification).where(
        Notification.studio_id == studio.id, Notification.notification_type == "announcement")
        .values(created_at=sent_at))
    for thread in db.session.scalars(select(Thread).where(Thread.studio_id == studio.id)).all():
        db.session.execute(update(Notification).where(
            Notification.studio_id == studio.id, Notification.link == thread_path(thread.id))
            .values(created_at=thread.last_message_at))
    db.session.flush()
