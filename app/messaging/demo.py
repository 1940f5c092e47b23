"""Demo messages for Harmony Music Studio: the conversations of demo_threads, an announcement
from the owner that every demo login has in its bell, and a few more notifications so each
login's bell has something unread. Nothing is emailed: the demo's addresses are invented."""
from datetime import timedelta

from sqlalchemy import select, update

from app.accounts.models import User
from app.core.db import utcnow
from app.core.richtext import render_markdown
from app.extensions import db
from app.messaging.demo_threads import seed_threads
from app.messaging.models import Announcement, Notification
from app.messaging.services.announcements import announcement_link
from app.messaging.services.notifications import notify

ANNOUNCEMENT_SUBJECT = "Studio closed for the winter break"
ANNOUNCEMENT_BODY = (
    "Harmony Music Studio is closed from **December 24 to January 2**.\n\n"
    "- Lessons in that week are not billed\n"
    "- Lessons start again on Monday, January 4\n\n"
    "Happy holidays from all of us!")
LOGINS = ("owner@demo.test", "admin@demo.test", "teacher@demo.test", "parent@demo.test", "student@demo.test")
# (login, type, title, message, path): what a member has been told lately.
NOTICES = (
    ("parent@demo.test", "invoice_sent", "New invoice", "Your monthly invoice is ready.",
     "/invoices"),
    ("parent@demo.test", "note_shared", "Lesson note shared",
     "Theo wrote about this week's lesson.", "/notes"),
    ("student@demo.test", "note_shared", "Lesson note shared",
     "Your teacher wrote about this week's lesson.", "/notes"),
    ("admin@demo.test", "payment_received", "Payment received",
     "A family paid an invoice by card.", "/invoices"),
)


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
    for email, kind, title, message, path in NOTICES:
        notify(studio, [users[email]], kind, title, message, path, email=False)
    # Told yesterday, like the announcement, rather than at the moment of seeding.
    db.session.execute(update(Notification).where(
        Notification.studio_id == studio.id, Notification.notification_type != "new_message")
        .values(created_at=sent_at))
    db.session.flush()
