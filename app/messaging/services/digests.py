"""The email digest of threads: a participant who has not read a thread's new messages gets
one email listing them, with a link to the thread to reply, at most one per thread per hour.

A job runs `send_due_digests` every few minutes. A message waits DIGEST_GRACE before it is
emailed (a member reading the thread at that moment needs no email). Each email is claimed
with a conditional UPDATE of the participant's `digest_sent_at` (only if it is still older
than an hour) committed together with the queued email, so two runs, one after the other or
at the same moment in two workers, send it once: the second's UPDATE matches no row. Members
who turned "new_message" emails off, left the studio or were deactivated are not emailed.

Unlike request code, this job commits: one participant's claim and email at a time.
"""
from datetime import timedelta

from sqlalchemy import and_, exists, or_, select, true, update
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, Studio, User
from app.core.db import utcnow
from app.core.links import public_base_url
from app.extensions import db
from app.messaging.models import Message, Thread, ThreadParticipant
from app.messaging.services.emails import send_templated
from app.messaging.services.notifications import wants_email
from app.messaging.services.threads import thread_path

DIGEST_EVERY = timedelta(hours=1)
DIGEST_GRACE = timedelta(minutes=10)
MAX_LISTED = 20


def _new_for_participant(now):
    """Others' messages the participant has neither read nor been emailed about, old enough
    to email (a correlated clause on ThreadParticipant)."""
    return and_(
        Message.thread_id == ThreadParticipant.thread_id,
        or_(Message.author_id.is_(None), Message.author_id != ThreadParticipant.user_id),
        or_(ThreadParticipant.last_read_at.is_(None),
            Message.created_at > ThreadParticipant.last_read_at),
        or_(ThreadParticipant.digest_sent_at.is_(None),
            Message.created_at > ThreadParticipant.digest_sent_at),
        Message.created_at <= now - DIGEST_GRACE)


def _not_recently_emailed(now):
    return or_(ThreadParticipant.digest_sent_at.is_(None),
               ThreadParticipant.digest_sent_at <= now - DIGEST_EVERY)


def due_participants(now=None):
    """Ids of the ThreadParticipant rows a digest is due for."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(ThreadParticipant.id)
        .where(_not_recently_emailed(now), exists(select(Message.id).where(_new_for_participant(now))))
        .order_by(ThreadParticipant.id)))


def send_due_digests(now=None):
    """Queue every due digest (the outbox delivers them); returns how many were queued."""
    now = now or utcnow()
    queued = 0
    for participant_id in due_participants(now):
        try:
            queued += _send_one(participant_id, now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return queued


def _claim(participant, now):
    """Take the participant's digest for this hour: True for the one run whose UPDATE
    matched (it waits for a concurrent run's commit, then sees its new `digest_sent_at`)."""
    result = db.session.execute(
        update(ThreadParticipant)
        .where(ThreadParticipant.studio_id == participant.studio_id,
               ThreadParticipant.id == participant.id, _not_recently_emailed(now))
        .values(digest_sent_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _send_one(participant_id, now):
    participant = db.session.get(ThreadParticipant, participant_id)
    if participant is None:
        return 0
    user = db.session.get(User, participant.user_id)
    member = db.session.scalar(select(Membership.id).where(
        Membership.studio_id == participant.studio_id, Membership.user_id == participant.user_id,
        Membership.is_active.is_(True)))
    if user is None or not user.is_active or member is None or not wants_email(user, "new_message"):
        return 0
    last_read_at = participant.last_read_at
    if not _claim(participant, now):
        return 0
    thread = db.session.get(Thread, participant.thread_id)
    studio = db.session.get(Studio, participant.studio_id)
    unread = list(reversed(db.session.scalars(
        select(Message).where(
            Message.studio_id == thread.studio_id, Message.thread_id == thread.id,
            or_(Message.author_id.is_(None), Message.author_id != user.id),
            Message.created_at > last_read_at if last_read_at else true(),
            Message.created_at <= now)
        .options(selectinload(Message.author))
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(MAX_LISTED)).all()))
    if not unread:
        return 0
    base = public_base_url()
    subject = f"New messages: {thread.subject}" if len(unread) > 1 else f"New message: {thread.subject}"
    send_templated(
        user.email, subject, "thread_digest", studio=studio, thread=thread, messages=unread,
        recipient=user, url=f"{base}{thread_path(thread.id)}",
        settings_url=f"{base}/account/#notifications",
        dedupe_key=f"thread-digest:{participant.id}:{unread[-1].id}")
    return 1
