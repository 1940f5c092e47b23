"""In-app notifications: the bell. `notify` is the one way every domain tells members that
something happened; it writes the rows, refreshes the members' open pages once the change
commits (app.core.events), and emails those who asked for that type by email."""
import uuid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import func, select, update

from app.accounts.models import Membership, User
from app.core import events
from app.core.db import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.core.links import public_base_url
from app.core.tenancy import parse_uuid
from app.extensions import db
from app.messaging.models import NOTIFICATION_TYPES, Notification
from app.messaging.services.emails import send_templated
from app.people.models import FamilyGuardian, Student

# What each type is called where members read or choose it.
NOTIFICATION_LABELS = {
    "lesson_scheduled": "Lesson scheduled",
    "lesson_reminder": "Lesson reminder",
    "lesson_cancelled": "Lesson cancelled",
    "lesson_rescheduled": "Lesson moved",
    "note_shared": "Lesson note shared",
    "invoice_sent": "Invoice sent",
    "payment_received": "Payment received",
    "invoice_overdue": "Invoice overdue",
    "checkout_approved": "Borrowing approved",
    "checkout_overdue": "Loan overdue",
    "new_message": "New message",
    "cancellation_requested": "Cancellation requested",
    "announcement": "Announcement",
}
# The types whose email the member chooses (`User.preferences["email_notifications"]`). The
# others have an email of their own that does not depend on this choice: cancellation and
# reschedule notices, invoices, receipts, overdue reminders, lesson reminders, announcements.
EMAIL_CHOICES = (
    "lesson_scheduled", "note_shared", "checkout_approved", "checkout_overdue", "new_message",
    "cancellation_requested",
)
# Which of them a role is ever told (the account page offers only those).
STAFF_EMAIL_CHOICES = ("new_message", "cancellation_requested")
FAMILY_EMAIL_CHOICES = ("lesson_scheduled", "note_shared", "checkout_approved", "checkout_overdue",
                        "new_message")
EMAIL_CHOICE_HINTS = {
    "lesson_scheduled": "A lesson or a weekly series is booked for you or your child.",
    "note_shared": "A teacher shares a lesson note with you.",
    "checkout_approved": "The studio approves something you asked to borrow.",
    "checkout_overdue": "Something borrowed is past its return date.",
    "new_message": "Someone writes to you in a conversation.",
    "cancellation_requested": "A family asks to cancel a lesson.",
}

# Types emailed unless the member turned them off (the rest only when turned on).
EMAIL_BY_DEFAULT = frozenset({
    "lesson_cancelled", "lesson_rescheduled", "invoice_overdue", "new_message",
    "cancellation_requested", "checkout_approved", "checkout_overdue",
})


def email_preferences(user):
    """{type: emailed?} for every notification type, the member's choices over the defaults."""
    chosen = (user.preferences or {}).get("email_notifications") or {}
    return {kind: bool(chosen.get(kind, kind in EMAIL_BY_DEFAULT)) for kind in NOTIFICATION_TYPES}


def wants_email(user, notification_type):
    return email_preferences(user).get(notification_type, False)


def _user_id(user):
    return user if isinstance(user, uuid.UUID) else user.id


def notify(studio, users, notification_type, title, message="", link="", *, dedupe_key=None,
           email=True):
    """Tell `users` (User objects or ids) in `studio` that something happened. `link` is a
    path in the app ("/lessons/<id>"). With `dedupe_key`, a member already told under that
    key is not told again (a job run twice notifies once). `email=False` when the caller
    sends its own email for this event. Returns the notifications written."""
    if notification_type not in NOTIFICATION_TYPES:
        raise ValueError(f"unknown notification type {notification_type!r}")
    by_id = {}
    for user in users:
        if user is not None:
            by_id.setdefault(_user_id(user), user)
    if not by_id:
        return []
    if dedupe_key:
        told = set(db.session.scalars(select(Notification.user_id).where(
            Notification.user_id.in_(list(by_id)), Notification.dedupe_key == dedupe_key)))
        by_id = {user_id: user for user_id, user in by_id.items() if user_id not in told}
    written = []
    for user_id in by_id:
        notification = Notification(
            studio_id=studio.id, user_id=user_id, notification_type=notification_type,
            title=title[:200], message=message, link=link[:500], dedupe_key=dedupe_key)
        if dedupe_key:
            # Another process may tell the same member under the same key at this moment:
            # the unique (user, key) lets one of the two rows in.
            try:
                with db.session.begin_nested():
                    db.session.add(notification)
            except sa.exc.IntegrityError:
                continue
        else:
            db.session.add(notification)
        written.append(notification)
    db.session.flush()
    events.publish([n.user_id for n in written], "notification",
                   {"type": notification_type, "title": title[:200]})
    if email:
        _email(studio, written, by_id)
    return written


def _email(studio, written, by_id):
    ids = [n.user_id for n in written if not isinstance(by_id[n.user_id], User)]
    loaded = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    base = public_base_url()
    for notification in written:
        user = by_id[notification.user_id]
        user = user if isinstance(user, User) else loaded.get(notification.user_id)
        if user is None or not user.is_active or not wants_email(user, notification.notification_type):
            continue
        send_templated(
            user.email, notification.title, "notification", studio=studio,
            title=notification.title, message=notification.message,
            url=f"{base}{notification.link}" if notification.link else "",
            settings_url=f"{base}/account/#notifications",
            dedupe_key=f"notification:{notification.id}")


# ------------------------------------------------------------------ who is told, and where to

def link_to(endpoint, **values):
    """The path of a page (`/lessons/<id>`) for a notification's `link`, also outside a
    request (jobs): the app's own path, never an address built from a request's Host."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def family_user_ids(studio, *, student_ids=(), family_ids=()):
    """The members of `studio` a family event concerns: the students' own logins and every
    guardian's of the students' families (or of `family_ids`), with an active membership."""
    student_ids, family_ids = list(student_ids), list(family_ids)
    if not student_ids and not family_ids:
        return []
    families = select(Student.family_id).where(
        Student.studio_id == studio.id, Student.id.in_(student_ids))
    guardians = select(FamilyGuardian.user_id).where(
        FamilyGuardian.studio_id == studio.id, FamilyGuardian.user_id.is_not(None),
        sa.or_(FamilyGuardian.family_id.in_(families), FamilyGuardian.family_id.in_(family_ids)))
    students = select(Student.user_id).where(
        Student.studio_id == studio.id, Student.user_id.is_not(None), Student.id.in_(student_ids))
    return _active_members(studio, sa.union(guardians, students))


def staff_user_ids(studio, roles=("owner", "admin")):
    """The active members of `studio` with one of `roles`."""
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.studio_id == studio.id, Membership.is_active.is_(True),
        Membership.role.in_(roles)).order_by(Membership.user_id)))


def _active_members(studio, user_ids):
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.studio_id == studio.id, Membership.is_active.is_(True),
        Membership.user_id.in_(user_ids)).order_by(Membership.user_id)))


# ------------------------------------------------------------------ the bell

def inbox(user, studio, *, is_read=None):
    """The member's notifications in `studio`, newest first (all, read or unread)."""
    stmt = select(Notification).where(
        Notification.studio_id == studio.id, Notification.user_id == user.id)
    if is_read is not None:
        stmt = stmt.where(Notification.is_read.is_(bool(is_read)))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def unread_count(user, studio):
    """How many of the member's notifications in `studio` are unread (the bell's badge)."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.studio_id == studio.id, Notification.user_id == user.id,
        Notification.is_read.is_(False)))


def notification_of(user, studio, notification_id):
    """One of the member's own notifications in `studio`; anyone else's, another studio's or
    an unknown id is 404 (ids cannot be probed)."""
    parsed = parse_uuid(notification_id)
    found = db.session.scalar(select(Notification).where(
        Notification.id == parsed, Notification.studio_id == studio.id,
        Notification.user_id == user.id)) if parsed else None
    if found is None:
        raise NotFound("Notification not found.")
    return found


def mark_read(user, notification):
    """Mark one of the member's notifications read; their other open pages refresh their bell."""
    if notification.user_id != user.id:
        raise NotFound("Notification not found.")
    if not notification.is_read:
        notification.is_read, notification.read_at = True, utcnow()
        db.session.flush()
        events.publish([user.id], "notification", {"read": str(notification.id)})
    return notification


def mark_all_read(user, studio):
    """Mark every unread notification of the member in `studio` read; returns how many."""
    marked = db.session.execute(
        update(Notification).where(
            Notification.studio_id == studio.id, Notification.user_id == user.id,
            Notification.is_read.is_(False))
        .values(is_read=True, read_at=utcnow()).execution_options(synchronize_session="fetch")
    ).rowcount
    if marked:
        events.publish([user.id], "notification", {"read": "all"})
    return marked


# ------------------------------------------------------------------ email preferences

def email_choices(user, role=None):
    """{type: emailed?} for the types whose email the member chooses (EMAIL_CHOICES), or only
    those a member of `role` is ever told."""
    chosen = email_preferences(user)
    kinds = EMAIL_CHOICES
    if role in ("owner", "admin", "teacher"):
        kinds = STAFF_EMAIL_CHOICES
    elif role in ("parent", "student"):
        kinds = FAMILY_EMAIL_CHOICES
    return {kind: chosen[kind] for kind in kinds}


def set_email_preferences(user, choices):
    """Choose, per type of EMAIL_CHOICES, whether it also comes by email; types left out keep
    their choice. Any other type is a 400 naming it."""
    unknown = sorted(set(choices) - set(EMAIL_CHOICES))
    if unknown:
        raise ValidationFailed(field_errors={"notification_preferences": [
            f"{', '.join(unknown)}: not a type you choose by email; choose among "
            f"{', '.join(EMAIL_CHOICES)}."]})
    preferences = dict(user.preferences or {})
    emailed = dict(preferences.get("email_notifications") or {})
    emailed.update({kind: bool(value) for kind, value in choices.items()})
    preferences["email_notifications"] = emailed
    user.preferences = preferences
    db.session.flush()
    return email_choices(user)
