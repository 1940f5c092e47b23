"""Demo conversations for Harmony Music Studio: parent@demo.test asks their child's teacher
about a lesson (the teacher's reply unread), the office writes to the family about the
recital, and student@demo.test asks their teacher about practice."""
from datetime import timedelta

from sqlalchemy import select, update

from app.accounts.models import Membership, User
from app.core.db import utcnow
from app.core.tenancy import Principal
from app.extensions import db
from app.messaging.models import Message, Thread, ThreadParticipant
from app.messaging.services import threads as services

CONVERSATIONS = (
    ("parent@demo.test", "Sam's Tuesday lesson", ("teacher@demo.test",), [
        ("parent@demo.test", "Hi Theo, could Sam come at **5pm** next Tuesday instead of 4? "
                             "He has a school concert rehearsal."),
        ("teacher@demo.test", "Of course. 5pm works. I moved it in the calendar; see you then!"),
    ]),
    ("admin@demo.test", "Spring recital programme", ("parent@demo.test", "teacher@demo.test"), [
        ("admin@demo.test", "The spring recital is on **Sunday, May 17** at 3pm.\n\n"
                            "- Please send the pieces by Friday\n- Arrive by 2:30"),
        ("teacher@demo.test", "Sam plays the *Minuet in G*."),
    ]),
    ("student@demo.test", "Practice question", ("teacher@demo.test",), [
        ("student@demo.test", "How many times a day should I play the scales?"),
    ]),
)


def _principal(studio, email):
    user = db.session.scalar(select(User).where(User.email == email))
    role = db.session.scalar(select(Membership.role).where(
        Membership.studio_id == studio.id, Membership.user_id == user.id))
    return Principal(user=user, studio=studio, role=role)


def seed_threads(studio):
    """Write the demo conversations, spread over the last days; the caller commits."""
    start = utcnow() - timedelta(days=len(CONVERSATIONS) + 1)
    for number, (author, subject, others, messages) in enumerate(CONVERSATIONS):
        principal = _principal(studio, author)
        ids = [_principal(studio, email).user.id for email in others]
        thread = services.create_thread(principal, subject, ids, messages[0][1])
        for writer, body in messages[1:]:
            services.post_message(_principal(studio, writer), thread, body)
        _spread(thread, start + timedelta(days=number))
    db.session.flush()


def _spread(thread, moment):
    """Date the thread's messages an hour apart from `moment` (they were written just now)."""
    messages = db.session.scalars(select(Message).where(Message.thread_id == thread.id)
                                  .order_by(Message.created_at)).all()
    for i, message in enumerate(messages):
        message.created_at = moment + timedelta(hours=i)
    db.session.execute(update(Thread).where(Thread.studio_id == thread.studio_id,
                                            Thread.id == thread.id)
                       .values(last_message_at=messages[-1].created_at))
    # The digest is for what happens from now on, not for the demo's history.
    db.session.execute(update(ThreadParticipant).where(
        ThreadParticipant.studio_id == thread.studio_id, ThreadParticipant.thread_id == thread.id)
        .values(digest_sent_at=utcnow()))
    db.session.flush()
