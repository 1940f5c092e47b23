"""Announcements: one message from the studio to an audience, in-app and by email.

Who may announce: the owner and admins, to any audience; a teacher only to their own students
and those students' families (`teacher_students` with their own teacher id). Families never.

The audiences (`audience_value` says which teacher, instrument or day):
- `everyone`: every active member of the studio, the teachers, and the families audience.
- `families`: every active family (one with an active student): its guardians and its
  active students who sign in.
- `teachers`: every active teacher.
- `teacher_students` (a teacher id): the active students whose primary teacher they are or
  who have a lesson with them from today on, and those students' families.
- `instrument` (a name, in any case): the active students who play it, and their families.
- `day` (an ISO date in the studio's calendar): the students of that day's lessons that are
  not cancelled, and their families.
A family is reached through its guardians and, of the audience's students, those who sign in.

How each person is reached: a person is an account (a user). An active member of the studio
gets the in-app notification, which links to the announcement's page. Every account's address
gets the email unless its owner unsubscribed: the link in the email's footer and in its
List-Unsubscribe header (RFC 8058 one-click POST too) sets the account's preference
`email_notifications.announcement` to false (the page it opens turns it on again). A guardian
known by address only (no account) is not emailed: there is nowhere to keep an address's
unsubscribe, and an announcement that could not be stopped is not sent; the preview counts
them (`without_account`) so the office can invite them. Deactivated accounts and members are
left out.

Sent once: the compose page carries the id the announcement will have, so a second submit
finds the first and sends nothing; every email's dedupe key is (announcement, address).
"""
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Membership, User
from app.core import validation
from app.core.db import utcnow
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.formatting import date_filter
from app.core.links import public_url
from app.core.permissions import MANAGERS, TEACHER
from app.core.richtext import render_markdown
from app.core.tenancy import current_principal, parse_uuid, scoped
from app.core.timeutil import day_bounds, local_today
from app.extensions import db
from app.messaging.models import AUDIENCES, Announcement, Notification, OutboxEmail
from app.messaging.services.emails import render_email
from app.messaging.services.notifications import notify
from app.people.models import FamilyGuardian, Student, TeacherProfile
from app.scheduling.models import Lesson, LessonAttendee

AUDIENCE_LABELS = {
    "everyone": "Everyone in the studio",
    "families": "All families",
    "teachers": "All teachers",
    "teacher_students": "One teacher's students",
    "instrument": "Students of one instrument",
    "day": "One day's lessons",
}
WITHOUT_VALUE = ("everyone", "families", "teachers")
FAMILY_AUDIENCES = ("families", "teacher_students", "instrument", "day")
MAX_SUBJECT, MAX_BODY, MAX_INSTRUMENT = 200, 20_000, 60
SAMPLE_SIZE = 5
UNSUBSCRIBE_SALT = "announcement-unsubscribe"
# Stands for each address's own unsubscribe link in the email rendered once for everyone.
_UNSUBSCRIBE_SLOT = "CADENZA-UNSUBSCRIBE-URL"


# ------------------------------------------------------------------ who may announce


def _role(studio, user):
    return db.session.scalar(select(Membership.role).where(
        Membership.studio_id == studio.id, Membership.user_id == user.id,
        Membership.is_active.is_(True)))


def own_teacher(studio, user):
    """The user's teacher profile in the studio, or None."""
    return db.session.scalar(scoped(TeacherProfile, studio).where(TeacherProfile.user_id == user.id))


def check_may_announce(studio, actor, audience, target):
    """Admins announce to anyone; a teacher to their own students only (403 otherwise)."""
    role = _role(studio, actor)
    if role in MANAGERS:
        return
    if role == TEACHER:
        if audience == "teacher_students" and target is not None and target.user_id == actor.id:
            return
        raise PermissionDenied("Teachers send announcements to their own students only.")
    raise PermissionDenied("Only staff send announcements.")


def may_choose_any_audience(studio, actor):
    return _role(studio, actor) in MANAGERS


# ------------------------------------------------------------------ the audience


def audience_target(studio, audience, value):
    """(the value to store, the teacher / instrument / date it names) of an audience, checked:
    a bad one is a 400 on `audience` or `audience_value`."""
    validation.field("audience", validation.choice, audience, choices=AUDIENCES)
    value = validation.field("audience_value", validation.text, value, max_length=100)
    if audience in WITHOUT_VALUE:
        if value:
            raise ValidationFailed(field_errors={"audience_value": ["This audience takes no value."]})
        return "", None
    if audience == "teacher_students":
        teacher_id = parse_uuid(value)
        teacher = teacher_id and db.session.scalar(
            scoped(TeacherProfile, studio).where(TeacherProfile.id == teacher_id))
        if not teacher:
            raise ValidationFailed(field_errors={"audience_value": ["Choose a teacher of the studio."]})
        return str(teacher.id), teacher
    if audience == "instrument":
        if not value:
            raise ValidationFailed(field_errors={"audience_value": ["Choose an instrument."]})
        if len(value) > MAX_INSTRUMENT:
            raise ValidationFailed(field_errors={"audience_value": [
                f"Use at most {MAX_INSTRUMENT} characters."]})
        return value, value
    day = validation.field("audience_value", validation.iso_date, value)
    return day.isoformat(), day


def _active_students(studio):
    return select(Student.id).where(Student.studio_id == studio.id, Student.is_active.is_(True))


def _students_of(studio, audience, target):
    """SELECT of the ids of the students an audience reaches (None: no students)."""
    if audience in ("families", "everyone"):
        return _active_students(studio)
    if audience == "teacher_students":
        start, _end = day_bounds(studio, local_today(studio), local_today(studio))
        upcoming = (select(LessonAttendee.student_id)
                    .join(Lesson, Lesson.id == LessonAttendee.lesson_id)
                    .where(Lesson.studio_id == studio.id, LessonAttendee.studio_id == studio.id,
                           Lesson.teacher_id == target.id, Lesson.start_at >= start,
                           Lesson.status == "scheduled"))
        return _active_students(studio).where(or_(
            Student.primary_teacher_id == target.id, Student.id.in_(upcoming)))
    if audience == "instrument":
        return _active_students(studio).where(
            func.lower(func.trim(Student.instrument)) == target.strip().lower())
    if audience == "day":
        start, end = day_bounds(studio, target, target)
        return (select(LessonAttendee.student_id)
                .join(Lesson, Lesson.id == LessonAttendee.lesson_id)
                .where(Lesson.studio_id == studio.id, LessonAttendee.studio_id == studio.id,
                       Lesson.start_at >= start, Lesson.start_at < end,
                       Lesson.status != "cancelled"))
    return None


def _staff_of(studio, audience):
    """SELECTs of the ids of the users reached besides families."""
    teachers = select(TeacherProfile.user_id).where(
        TeacherProfile.studio_id == studio.id, TeacherProfile.is_active.is_(True))
    if audience == "teachers":
        return [teachers]
    if audience == "everyone":
        return [teachers, select(Membership.user_id).where(
            Membership.studio_id == studio.id, Membership.is_active.is_(True))]
    return []


@dataclass
class Reach:
    """Who an audience reaches: accounts by id, the studio's active members among them (the
    in-app notification), the addresses to email (address -> account), and who is left out."""

    users: dict = field(default_factory=dict)
    members: set = field(default_factory=set)
    emails: dict = field(default_factory=dict)
    family_ids: set = field(default_factory=set)
    unsubscribed: int = 0
    without_account: int = 0

    def summary(self):
        names = sorted((user.full_name or user.email) for user in self.users.values())
        return {
            "recipient_count": len(self.users), "families": len(self.family_ids),
            "emails": len(self.emails), "in_app": len(self.members),
            "unsubscribed": self.unsubscribed, "without_account": self.without_account,
            "sample": names[:SAMPLE_SIZE],
        }


def resolve_audience(studio, audience, target):
    """The people an audience (already checked by `audience_target`) reaches now. Each step
    reads ids by a plain IN list: nested IN (UNION ...) subqueries plan badly on PostgreSQL."""
    reach = Reach()
    user_ids, guardians = set(), []
    students = _students_of(studio, audience, target)
    if students is not None:
        student_ids = list(set(db.session.scalars(students)))
        rows = db.session.execute(select(Student.family_id, Student.user_id).where(
            Student.studio_id == studio.id, Student.id.in_(student_ids))).all() if student_ids else []
        reach.family_ids = {family_id for family_id, _user in rows}
        user_ids |= {user_id for _family, user_id in rows if user_id}
        guardians = db.session.execute(select(FamilyGuardian.user_id, FamilyGuardian.email).where(
            FamilyGuardian.studio_id == studio.id,
            FamilyGuardian.family_id.in_(list(reach.family_ids)))).all() if reach.family_ids else []
        user_ids |= {user_id for user_id, _email in guardians if user_id}
    for staff in _staff_of(studio, audience):
        user_ids |= set(db.session.scalars(staff))
    rows = db.session.execute(
        select(User, Membership.is_active)
        .outerjoin(Membership, (Membership.user_id == User.id) & (Membership.studio_id == studio.id))
        .where(User.id.in_(list(user_ids)), User.is_active.is_(True))).all() if user_ids else []
    for user, member_active in rows:
        if member_active is False:  # a member the studio deactivated
            continue
        reach.users[user.id] = user
        if member_active:
            reach.members.add(user.id)
        if is_unsubscribed(user):
            reach.unsubscribed += 1
        else:
            reach.emails[user.email.lower()] = user
    reached = {user.email.lower() for user in reach.users.values()}
    reach.without_account = len({(email or "").lower() for user_id, email in guardians
                                 if user_id is None and email and email.lower() not in reached})
    return reach


def preview_audience(studio, actor, audience, value):
    """Who an announcement to this audience would reach, without sending anything:
    `recipient_count` (people), `families`, `emails`, `in_app`, `unsubscribed`,
    `without_account` and a `sample` of names."""
    _value, target = audience_target(studio, audience, value)
    check_may_announce(studio, actor, audience, target)
    return resolve_audience(studio, audience, target).summary()


# ------------------------------------------------------------------ sending


def _excerpt(body, length=200):
    text = re.sub(r"\s+", " ", re.sub(r"[*_`#>\[\]]", "", body)).strip()
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _existing(studio, announcement_id):
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is not None and announcement.studio_id != studio.id:
        raise ValidationFailed("This form was already used. Open a new one to write another announcement.")
    return announcement


def send_announcement(studio, actor, *, subject, body, audience, audience_value="",
                      announcement_id=None):
    """Send `subject` and `body` (Markdown) to an audience: store the announcement, notify
    its members in-app and queue one email per address. With `announcement_id` (the compose
    page's), a second call returns the announcement already sent and sends nothing. An
    audience that reaches nobody is refused (400)."""
    errors = validation.FieldErrors()
    subject = errors.check("subject", validation.text, subject, max_length=MAX_SUBJECT,
                           required=True, missing="Write a subject.")
    body = errors.check("body", validation.text, body, max_length=MAX_BODY, required=True,
                        missing="Write the announcement.")
    errors.raise_if_any()
    value, target = audience_target(studio, audience, audience_value)
    check_may_announce(studio, actor, audience, target)
    announcement_id = parse_uuid(announcement_id) if announcement_id else None
    if announcement_id and (existing := _existing(studio, announcement_id)) is not None:
        return existing
    reach = resolve_audience(studio, audience, target)
    if not reach.users:
        raise ValidationFailed(field_errors={"audience": ["Nobody in this audience can be reached yet."]})
    announcement = Announcement(
        id=announcement_id or uuid.uuid4(), studio_id=studio.id, subject=subject, body=body,
        body_html=str(render_markdown(body)), audience=audience, audience_value=value,
        sent_by_id=actor.id, recipient_count=len(reach.users), sent_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(announcement)
    except IntegrityError:  # the same form sent twice at once: the first one sends
        return _existing(studio, announcement.id)
    notify(studio, sorted(reach.members), "announcement", subject, _excerpt(body),
           link=announcement_link(announcement), email=False)
    _queue_emails(studio, actor, announcement, reach)
    return announcement


def announcement_link(announcement):
    """The path of the announcement's page (the in-app notification's link)."""
    return f"/announcements/{announcement.id}"


def _email_key(announcement, address):
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"announcement:{announcement.id}:{digest}"


def _queue_emails(studio, actor, announcement, reach):
    """One email per address, rendered once per kind (with or without the link to the page,
    which only members open) and given each address's own unsubscribe link. The rows go in
    with one INSERT (the outbox's queue_email writes one row per statement, which for a
    whole studio's families costs seconds on PostgreSQL); the dedupe keys, read first in one
    query, keep an address from being queued twice for one announcement."""
    page_url = public_url("messaging.announcement", announcement_id=announcement.id)
    keys = {address: _email_key(announcement, address) for address in reach.emails}
    queued = set(db.session.scalars(select(OutboxEmail.dedupe_key).where(
        OutboxEmail.dedupe_key.in_(list(keys.values()))))) if keys else set()
    rendered, rows = {}, []
    for address, user in reach.emails.items():
        if keys[address] in queued:
            continue
        member = user.id in reach.members
        if member not in rendered:
            rendered[member] = render_email(
                "announcement", studio, subject=announcement.subject, announcement=announcement,
                sender=actor.full_name or studio.name, url=page_url if member else "",
                unsubscribe_url=_UNSUBSCRIBE_SLOT)
        text, html = rendered[member]
        unsubscribe = unsubscribe_url(user)
        rows.append(OutboxEmail(
            studio_id=studio.id, to_address=address, subject=announcement.subject[:200],
            body_text=text.replace(_UNSUBSCRIBE_SLOT, unsubscribe),
            body_html=html.replace(_UNSUBSCRIBE_SLOT, unsubscribe), dedupe_key=keys[address],
            headers={"List-Unsubscribe": f"<{unsubscribe}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}))
    db.session.add_all(rows)
    db.session.flush()


# ------------------------------------------------------------------ unsubscribing


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user):
    """A signed token naming the account; it does not expire (RFC 8058 asks links to work
    for a long time) and only ever turns announcement emails off."""
    return _serializer().dumps(str(user.id))


def unsubscribe_url(user):
    return public_url("messaging.unsubscribe", token=unsubscribe_token(user))


def user_for_unsubscribe(token):
    """The account a token names; a forged or unknown token is 404."""
    try:
        user_id = parse_uuid(_serializer().loads(token))
    except BadSignature:
        user_id = None
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        raise NotFound("This unsubscribe link is not valid.")
    return user


def is_unsubscribed(user):
    """Announcement emails are on until the account's owner turns them off."""
    chosen = (user.preferences or {}).get("email_notifications") or {}
    return chosen.get("announcement", True) is False


def set_announcement_emails(user, wanted):
    """Turn announcement emails to the account off (unsubscribe) or on again; its in-app
    notifications stay either way."""
    preferences = dict(user.preferences or {})
    chosen = dict(preferences.get("email_notifications") or {})
    chosen["announcement"] = bool(wanted)
    preferences["email_notifications"] = chosen
    user.preferences = preferences
    db.session.flush()
    return user


# ------------------------------------------------------------------ reading


def _received_ids(principal):
    links = db.session.scalars(select(Notification.link).where(
        Notification.studio_id == principal.studio.id, Notification.user_id == principal.user.id,
        Notification.notification_type == "announcement"))
    return [parsed for link in links if (parsed := parse_uuid(link.rsplit("/", 1)[-1]))]


def visible_announcements(principal=None):
    """SELECT of the announcements the caller may read: managers every one of the studio;
    anyone else those they received, and a teacher those they sent."""
    principal = principal or current_principal()
    stmt = scoped(Announcement, principal.studio)
    if principal.role in MANAGERS:
        return stmt
    condition = Announcement.id.in_(_received_ids(principal))
    if principal.role == TEACHER:
        condition = or_(condition, Announcement.sent_by_id == principal.user.id)
    return stmt.where(condition)


def may_see_audience(announcement, principal=None):
    """Who it went to and how many: for managers and its sender."""
    principal = principal or current_principal()
    return principal.role in MANAGERS or announcement.sent_by_id == principal.user.id


def audience_labels(studio, announcements):
    """{announcement id: "Piano students"} for a page of announcements (teachers in one query)."""
    teacher_ids = {parse_uuid(a.audience_value) for a in announcements if a.audience == "teacher_students"}
    teachers = {}
    if teacher_ids - {None}:
        teachers = {t.id: t.full_name for t in db.session.scalars(
            scoped(TeacherProfile, studio).where(TeacherProfile.id.in_(teacher_ids - {None})))}
    return {a.id: describe_audience(studio, a.audience, a.audience_value, teachers) for a in announcements}


def describe_audience(studio, audience, value, teacher_names=None):
    """An audience in words: "Theo Marsh's students", "Piano students", "Lessons on 12 Dec"."""
    if audience == "teacher_students":
        name = (teacher_names or {}).get(parse_uuid(value))
        if name is None and teacher_names is None:
            teacher = db.session.scalar(scoped(TeacherProfile, studio).where(
                TeacherProfile.id == parse_uuid(value)))
            name = teacher.full_name if teacher else None
        return f"{name}'s students and families" if name else "A teacher's students and families"
    if audience == "instrument":
        return f"{value.capitalize()} students and families"
    if audience == "day":
        try:
            day = validation.iso_date(value)
        except validation.Invalid:
            return "One day's lessons"
        return f"Families with lessons on {date_filter(day, 'full', studio=studio)}"
    return AUDIENCE_LABELS[audience]


def audience_choices(studio, actor):
    """What the compose page offers: (teachers as (id, name), instruments, the actor's own
    teacher profile, whether they may choose any audience)."""
    from app.people.services import student_instruments, teacher_choices

    return {"teachers": teacher_choices(studio), "instruments": student_instruments(studio),
            "own_teacher": own_teacher(studio, actor),
            "any_audience": may_choose_any_audience(studio, actor),
            "today": local_today(studio), "tomorrow": local_today(studio) + timedelta(days=1)}
