"""Lesson reminders by email, through the outbox, once per lesson (SPEC §3)."""
import hashlib
from datetime import timedelta

from babel.dates import format_datetime
from sqlalchemy import select

from app.accounts.models import Studio
from app.core.db import utcnow
from app.core.timeutil import to_local
from app.extensions import db
from app.messaging.services import queue_email
from app.scheduling.models import Lesson
from app.scheduling.policies import AttendeeView
from app.scheduling.services.notices import recipients

LEAD_TIME = timedelta(hours=24)


def _body(studio, lesson, family_ids):
    """The reminder one family reads: their own children in full, classmates as the studio's
    privacy setting says."""
    when = format_datetime(to_local(studio, lesson.start_at), "full", locale=studio.locale or "en_US")
    own = [s.id for s in lesson.students if s.family_id in family_ids]
    lines = [
        f"A reminder from {studio.name}:",
        "",
        f"{AttendeeView(studio, own).title(lesson)} has a lesson with "
        f"{lesson.teacher.full_name} on {when}.",
    ]
    if lesson.place:
        lines.append(f"Where: {lesson.place}")
    if lesson.online_url:
        lines.append(f"Join online: {lesson.online_url}")
    lines += ["", "Need to cancel? Sign in to Cadenza to send a cancellation request."]
    return "\n".join(lines) + "\n"


def remind_lesson(studio, lesson, now=None):
    """Queue the reminder emails of one lesson; returns how many were queued."""
    queued = 0
    when = format_datetime(to_local(studio, lesson.start_at), "medium", locale=studio.locale or "en_US")
    subject = f"Lesson reminder: {when}"
    for address, family_ids in recipients(lesson).items():
        key = f"lesson-reminder:{lesson.id}:{hashlib.sha256(address.encode()).hexdigest()[:16]}"
        if queue_email(address, subject, _body(studio, lesson, family_ids), studio=studio, dedupe_key=key):
            queued += 1
    lesson.reminder_sent_at = now or utcnow()
    return queued


def send_due_reminders(now=None):
    """Remind every scheduled lesson starting within the next 24 hours that has not been
    reminded yet. Returns the number of emails queued."""
    now = now or utcnow()
    queued = 0
    for studio in db.session.scalars(select(Studio)).all():
        lessons = db.session.scalars(select(Lesson).where(
            Lesson.studio_id == studio.id, Lesson.status == "scheduled",
            Lesson.start_at > now, Lesson.start_at <= now + LEAD_TIME,
            Lesson.reminder_sent_at.is_(None),
        ).order_by(Lesson.start_at)).all()
        for lesson in lessons:
            queued += remind_lesson(studio, lesson, now)
    db.session.flush()
    return queued
