"""Lesson reminders: an email (through the outbox) and a notification in the bell, the
studio's chosen time ahead of each scheduled lesson (`Studio.reminder_lead_hours`, 24 by
default; 0 turns reminders off).

Exactly once per lesson and recipient, also when two runs overlap: a run first claims the
due lessons (one conditional UPDATE of `reminder_sent_at`, skipping rows another run has
claimed and not yet committed), then writes the reminders of the lessons it claimed, in the
same transaction. A run that fails leaves its lessons unclaimed for the next one.

The reminder is written when it is sent, so it names the lesson's time and place as they
are then. A reschedule makes a new lesson (app/scheduling/services/lessons.py), which gets
its own reminder at its own lead time, naming the new time; a reminder already sent for the
old time is not sent again or recalled, the reschedule notice tells the family of the move.
Cancelled lessons are never reminded: only scheduled ones are claimed.

Each address reads the lesson time on its own clock: the timezone its user account chose
(`preferences.timezone`), else the studio's, named in the email.
"""
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from sqlalchemy import select, update

from app.accounts.models import Membership, Studio, User
from app.core.db import utcnow
from app.core.links import public_url
from app.core.timeutil import studio_zone
from app.extensions import db
from app.messaging.services import notify, send_templated
from app.people.models import FamilyGuardian
from app.scheduling.models import Lesson
from app.scheduling.services.notices import recipients, title_for


@dataclass(frozen=True)
class Clock:
    """A timezone to show a lesson in, and whether it is the reader's own choice."""

    zone: ZoneInfo
    name: str
    is_own: bool

    def when(self, studio, moment, width="full"):
        """The moment on this clock in the studio's locale: "Tuesday, March 11, 2030 at
        9:00 AM Eastern Daylight Time" (full) or "Mar 11, 2030, 9:00 AM" (medium)."""
        local, locale = moment.astimezone(self.zone), studio.locale or "en_US"
        day = format_date(local, width, locale=locale)
        time = format_time(local, "short", locale=locale)
        if width == "medium":
            return f"{day}, {time}"
        return f"{day} at {time} {format_time(local, 'zzzz', locale=locale)}"


def clock_for(studio, user=None):
    """The clock `user` reads times on: their own timezone, else the studio's."""
    name = ((getattr(user, "preferences", None) or {}).get("timezone") or "").strip()
    if name:
        try:
            return Clock(ZoneInfo(name), name, True)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return Clock(studio_zone(studio), studio.timezone or "UTC", False)


def lead_time(studio):
    """How long before a lesson its reminder goes; None when the studio sends none."""
    hours = studio.reminder_lead_hours or 0
    return timedelta(hours=hours) if hours > 0 else None


def _accounts_by_address(addresses):
    """{address: User} for the addresses that belong to a user account."""
    if not addresses:
        return {}
    users = db.session.scalars(select(User).where(User.email.in_(list(addresses))))
    return {user.email.lower(): user for user in users}


def _family_accounts(lesson):
    """{user: ids of the families they act for in this lesson}: the user accounts of the
    lesson's students and of their families' guardians, active members of the studio."""
    family_ids = {s.family_id for s in lesson.students}
    pairs = [(s.user, s.family_id) for s in lesson.students if s.user is not None]
    if family_ids:
        pairs += db.session.execute(
            select(User, FamilyGuardian.family_id).join(FamilyGuardian, FamilyGuardian.user_id == User.id)
            .where(FamilyGuardian.studio_id == lesson.studio_id, FamilyGuardian.family_id.in_(family_ids))
        ).all()
    members = set(db.session.scalars(select(Membership.user_id).where(
        Membership.studio_id == lesson.studio_id, Membership.is_active.is_(True),
        Membership.user_id.in_([user.id for user, _ in pairs])))) if pairs else set()
    accounts = {}
    for user, family_id in pairs:
        if user.is_active and user.id in members:
            accounts.setdefault(user, set()).add(family_id)
    return accounts


def _email(studio, lesson, address, family_ids, user):
    clock = clock_for(studio, user)
    subject = f"Lesson reminder: {clock.when(studio, lesson.start_at, 'medium')}"
    return send_templated(
        address, subject, "lesson_reminder", studio=studio,
        dedupe_key=f"lesson-reminder:{lesson.id}:{hashlib.sha256(address.encode()).hexdigest()[:16]}",
        who=title_for(studio, lesson, family_ids), teacher=lesson.teacher.full_name,
        when=clock.when(studio, lesson.start_at), minutes=lesson.duration_minutes,
        clock=clock, place=lesson.place, online_url=lesson.online_url,
        url=public_url("scheduling.lesson", lesson_id=lesson.id))


def _notify(studio, lesson, user, family_ids):
    clock = clock_for(studio, user)
    who = title_for(studio, lesson, family_ids)
    return notify(
        studio, [user], "lesson_reminder",
        f"Lesson reminder: {who}, {clock.when(studio, lesson.start_at, 'medium')}",
        f"{who} has a lesson with {lesson.teacher.full_name} on {clock.when(studio, lesson.start_at)}.",
        f"/lessons/{lesson.id}", dedupe_key=f"lesson-reminder:{lesson.id}", email=False)


def remind_lesson(studio, lesson, now=None):
    """Queue the reminder emails of one lesson, one per address, and notify the family
    members who sign in. A second call sends nothing again. Returns the emails queued."""
    addresses = recipients(lesson)
    accounts = _accounts_by_address(addresses)
    queued = sum(_email(studio, lesson, address, family_ids, accounts.get(address)) is not None
                 for address, family_ids in addresses.items())
    for user, family_ids in _family_accounts(lesson).items():
        _notify(studio, lesson, user, family_ids)
    lesson.reminder_sent_at = lesson.reminder_sent_at or now or utcnow()
    return queued


def claim_due_lessons(studio, now):
    """Claim the studio's scheduled lessons starting within its lead time that no run has
    claimed, and return them. Rows another run holds are skipped, not waited for
    (PostgreSQL; SQLite runs one writer at a time)."""
    lead = lead_time(studio)
    if lead is None:
        return []
    due = (Lesson.studio_id == studio.id, Lesson.status == "scheduled",
           Lesson.start_at > now, Lesson.start_at <= now + lead, Lesson.reminder_sent_at.is_(None))
    candidates = select(Lesson.id).where(*due).with_for_update(skip_locked=True)
    claimed = db.session.scalars(
        update(Lesson).where(Lesson.id.in_(candidates), *due).values(reminder_sent_at=now)
        .returning(Lesson.id).execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return []
    return db.session.scalars(
        select(Lesson).where(Lesson.id.in_(claimed)).order_by(Lesson.start_at)
        .execution_options(populate_existing=True)
    ).all()


def send_due_reminders(now=None):
    """Remind every scheduled lesson whose studio's lead time has come and that no run has
    reminded yet, once. Returns the number of emails queued; the caller commits."""
    now = now or utcnow()
    queued = 0
    studios = db.session.scalars(select(Studio).where(Studio.reminder_lead_hours > 0)).all()
    for studio in studios:
        for lesson in claim_due_lessons(studio, now):
            queued += remind_lesson(studio, lesson, now)
    db.session.flush()
    return queued
