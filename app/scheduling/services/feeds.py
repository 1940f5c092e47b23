"""Private iCal subscription feeds (RFC 5545, via the icalendar package).

The URL is `/calendar/<id>.<secret>.ics`: the id finds the row, only the secret's SHA-256 is
stored, and revoking (or creating a new link) makes the old URL answer 404 at once.
"""
import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

import icalendar
from sqlalchemy import select, update

from app.accounts.models import Membership, Studio, User
from app.core.db import utcnow
from app.core.links import public_host, public_url
from app.core.tenancy import Principal, parse_uuid
from app.core.timeutil import studio_zone
from app.extensions import db
from app.people.services import own_teacher_profile
from app.scheduling.models import CalendarFeedToken, Lesson
from app.scheduling.policies import attendee_view
from app.scheduling.services.queries import lesson_query

PAST_DAYS = 90
FUTURE_DAYS = 400
STATUS = {"scheduled": "CONFIRMED", "completed": "CONFIRMED", "no_show": "CONFIRMED",
          "cancelled": "CANCELLED"}


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def active_feed(studio, user):
    return db.session.scalar(select(CalendarFeedToken).where(
        CalendarFeedToken.studio_id == studio.id, CalendarFeedToken.user_id == user.id,
        CalendarFeedToken.revoked_at.is_(None),
    ).order_by(CalendarFeedToken.created_at.desc()))


def revoke_feeds(studio, user):
    """Stop every subscription link of this user in this studio. Returns how many."""
    result = db.session.execute(update(CalendarFeedToken).where(
        CalendarFeedToken.studio_id == studio.id, CalendarFeedToken.user_id == user.id,
        CalendarFeedToken.revoked_at.is_(None),
    ).values(revoked_at=utcnow()).execution_options(synchronize_session="fetch"))
    return result.rowcount


def create_feed(studio, user):
    """A new private link (the previous one stops working). Returns (feed, token); the token
    is shown once and never stored."""
    revoke_feeds(studio, user)
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeedToken(id=uuid.uuid4(), studio_id=studio.id, user_id=user.id,
                             token_hash=_hash(secret))
    db.session.add(feed)
    db.session.flush()
    return feed, f"{feed.id.hex}.{secret}"


def feed_urls(token):
    """The https:// and webcal:// addresses of a feed token (PUBLIC_BASE_URL's host)."""
    url = public_url("scheduling.calendar_feed", token=token)
    return url, "webcal://" + url.split("://", 1)[-1]


def feed_for_token(token):
    """The active feed a token belongs to, or None (unknown, revoked, or the member left)."""
    feed_id, _, secret = (token or "").partition(".")
    parsed = parse_uuid(feed_id)
    if parsed is None or not secret or len(secret) > 100:
        return None
    feed = db.session.get(CalendarFeedToken, parsed)
    if feed is None or feed.revoked_at is not None:
        return None
    if not hmac.compare_digest(feed.token_hash, _hash(secret)):
        return None
    membership = db.session.scalar(select(Membership).where(
        Membership.studio_id == feed.studio_id, Membership.user_id == feed.user_id,
        Membership.is_active.is_(True),
    ))
    if membership is None or not membership.user.is_active:
        return None
    feed.role = membership.role
    return feed


def _uid_host():
    return public_host()


def _summary(lesson, role, names):
    kind = "" if lesson.lesson_type == "private" else f"{lesson.lesson_type.capitalize()} "
    if role == "teacher":
        return f"{kind}Lesson: {names}".strip()
    return f"{kind}Lesson: {names} with {lesson.teacher.full_name}".strip()


def _event(lesson, role, tz, host, stamp, attendees):
    names = attendees.title(lesson)
    event = icalendar.Event()
    event.add("uid", f"{lesson.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", lesson.start_at.astimezone(tz))
    event.add("dtend", lesson.end_at.astimezone(tz))
    event.add("summary", _summary(lesson, role, names))
    event.add("status", STATUS[lesson.status])
    event.add("last-modified", lesson.updated_at)
    event.add("sequence", int(lesson.updated_at.timestamp()) // 60 % 2_000_000_000)
    if lesson.place:
        event.add("location", lesson.place)
    if lesson.online_url:
        event.add("url", lesson.online_url)
    description = [f"Teacher: {lesson.teacher.full_name}",
                   f"Students: {names}"]
    if lesson.status == "cancelled" and lesson.cancellation_reason:
        description.append(f"Cancelled: {lesson.cancellation_reason}")
    event.add("description", "\n".join(description))
    return event


def render_feed(feed, now=None):
    """The feed's calendar as bytes: the member's lessons from 90 days back to ~13 months on,
    as their role may see them (teachers: their own lessons; parents: their children's;
    students: their own; admins: the whole studio)."""
    now = now or utcnow()
    studio = db.session.get(Studio, feed.studio_id)
    user = db.session.get(User, feed.user_id)
    principal = Principal(user=user, studio=studio, role=feed.role)
    filters = {}
    if feed.role == "teacher":
        own = own_teacher_profile(principal)
        filters["teacher"] = own.id if own else uuid.UUID(int=0)
    stmt = lesson_query(principal, start=now - timedelta(days=PAST_DAYS),
                        end=now + timedelta(days=FUTURE_DAYS), **filters)
    lessons = db.session.scalars(stmt.order_by(Lesson.start_at)).unique().all()
    tz = studio_zone(studio)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cadenza//Studio schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{studio.name} lessons")
    calendar.add("x-wr-timezone", studio.timezone)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    host = _uid_host()
    attendees = attendee_view(principal)
    for lesson in lessons:
        calendar.add_component(_event(lesson, feed.role, tz, host, now, attendees))
    if lessons:
        calendar.add_missing_timezones()
    feed.last_used_at = now
    return calendar.to_ical()
