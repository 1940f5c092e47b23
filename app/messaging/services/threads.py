"""Threads: conversations among members of one studio (who may write to whom is
app/messaging/policies.py).

Services take the acting principal (user, studio, role) and only flush. Every new message
refreshes the participants' open pages (a "message" event, data {"thread": id}) once it
commits, and puts a "new_message" line in the others' bells; email about messages is the
hourly digest (services/digests.py), never one email per message.

Attachments are resources of the library. The author attaches what they may open, and only
what every participant may open too (studio-wide resources, or ones shared with the
participants' students): a private resource is refused with a field error rather than shared
behind the author's back — sharing stays a deliberate act on the resource's page. Readers
are shown the attachments they may open when they read (a share removed later hides it).

Unread: a participant's unread messages are the others' messages created after their
`last_read_at` (all of them before the first read).
"""
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import aliased, selectinload

from app.accounts.models import Membership, User
from app.core import events
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.core.permissions import FAMILY
from app.core.richtext import render_markdown
from app.core.search import escape_like, fold
from app.core.tenancy import Principal, current_principal, parse_uuid
from app.core.webhook_events import emit, snapshot
from app.extensions import db
from app.library.models import Resource
from app.messaging.models import Message, MessageResource, Thread, ThreadParticipant
from app.messaging.services.notifications import notify

# The rule (policies) and the library's visibility read people and scheduling, whose services
# import this package's outbox: they are imported when first used, not at start-up.


def _policies():
    from app.messaging import policies

    return policies


def visible_resources(principal):
    from app.library.services import visible_resources

    return visible_resources(principal)


MAX_SUBJECT = 200
MAX_BODY = 20_000
MAX_PARTICIPANTS = 50  # a bigger audience is an announcement
MAX_ATTACHMENTS = 10
PREVIEW_CHARS = 140


def thread_path(thread_id):
    """The thread's page, as notifications and emails link to it."""
    return f"/messages/{thread_id}"


# ---------------------------------------------------------------- writing

def _text(value, field, max_length, what):
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(field_errors={field: [f"Write {what}."]})
    if len(text) > max_length:
        raise ValidationFailed(field_errors={field: [f"Keep it under {max_length:,} characters."]})
    if "\x00" in text:
        raise ValidationFailed(field_errors={field: ["Remove the NUL characters."]})
    return text


def _participant_ids(principal, participants):
    ids = [parse_uuid(value) for value in participants or ()]
    if not ids:
        raise ValidationFailed(field_errors={"participants": ["Choose who to write to."]})
    if None in ids:
        raise ValidationFailed(field_errors={"participants": ["Choose people of your studio."]})
    ids = [user_id for user_id in dict.fromkeys(ids) if user_id != principal.user.id]
    if not ids:
        raise ValidationFailed(field_errors={"participants": ["Choose someone besides yourself."]})
    if len(ids) > MAX_PARTICIPANTS:
        raise ValidationFailed(field_errors={"participants": [
            f"Write to at most {MAX_PARTICIPANTS} people; send an announcement to more."]})
    if not _policies().may_write_to(principal, ids):
        raise ValidationFailed(field_errors={"participants": [_rule_for(principal)]})
    return ids


def _rule_for(principal):
    if principal.role in FAMILY:
        return ("Choose people you may write to: the office, or a teacher of "
                + ("your children." if principal.role == "parent" else "yours."))
    return "Choose active members of your studio."


def create_thread(principal, subject, participants, initial_message, resources=()):
    """Start a thread from the acting principal to `participants` (user ids, the rule of
    policies.py), with its first message. The author takes part in it."""
    subject = _text(subject, "subject", MAX_SUBJECT, "a subject")
    _text(initial_message, "initial_message", MAX_BODY, "a message")
    user_ids = _participant_ids(principal, participants)
    studio = principal.studio
    thread = Thread(studio_id=studio.id, subject=subject, created_by_id=principal.user.id)
    db.session.add(thread)
    db.session.flush()
    for user_id in [principal.user.id, *user_ids]:
        db.session.add(ThreadParticipant(studio_id=studio.id, thread_id=thread.id, user_id=user_id))
    db.session.flush()
    _add_message(principal, thread, initial_message, resources, field="initial_message")
    return thread


# A thread is read by its participants only, so its webhook event names the message and says
# nothing of what it says: a participant fetches it with their own token.
MESSAGE_FIELDS = ("id", ("thread", "thread_id"), ("author", "author_id"), "created_at")


def post_message(principal, thread, body, resources=()):
    """Add a message of the acting principal (a participant) to `thread`."""
    return _add_message(principal, thread, body, resources, field="body")


def _add_message(principal, thread, body, resource_ids, *, field):
    body = _text(body, field, MAX_BODY, "a message")
    members = _participants(thread)
    attached = _attachments(principal, members, resource_ids)
    created = utcnow()
    message = Message(studio_id=thread.studio_id, thread_id=thread.id,
                      author_id=principal.user.id, body=body,
                      body_html=str(render_markdown(body)), created_at=created)
    db.session.add(message)
    db.session.flush()
    for resource in attached:
        db.session.add(MessageResource(studio_id=thread.studio_id, message_id=message.id,
                                       resource_id=resource.id))
    # Two messages at once: the thread keeps the later time, whichever commits last.
    db.session.execute(
        update(Thread).where(Thread.studio_id == thread.studio_id, Thread.id == thread.id)
        .values(last_message_at=case((Thread.last_message_at < created, created),
                                     else_=Thread.last_message_at))
        .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(thread, ["last_message_at"])
    _announce(principal, thread, message, members)
    emit(thread.studio_id, "message.created", message, snapshot(message, MESSAGE_FIELDS))
    return message


def _participants(thread):
    """[(user, role)] of the thread's participants, their role in its studio (None when they
    left it)."""
    rows = db.session.execute(
        select(User, Membership.role).join(ThreadParticipant, ThreadParticipant.user_id == User.id)
        .outerjoin(Membership, and_(Membership.user_id == User.id,
                                    Membership.studio_id == thread.studio_id,
                                    Membership.is_active.is_(True)))
        .where(ThreadParticipant.studio_id == thread.studio_id,
               ThreadParticipant.thread_id == thread.id))
    return [(user, role) for user, role in rows]


def _attachments(principal, members, resource_ids):
    """The resources `resource_ids` names, each one the author and every participant may
    open; anything else is a field error."""
    ids = list(dict.fromkeys(parse_uuid(value) for value in resource_ids or ()))
    if not ids:
        return []
    if None in ids:
        raise ValidationFailed(field_errors={"resources": ["Choose resources from the library."]})
    if len(ids) > MAX_ATTACHMENTS:
        raise ValidationFailed(field_errors={"resources": [
            f"Attach at most {MAX_ATTACHMENTS} resources."]})
    found = {r.id: r for r in db.session.scalars(
        visible_resources(principal).where(Resource.id.in_(ids)))}
    if len(found) != len(ids):
        raise ValidationFailed(field_errors={"resources": ["Choose resources from the library."]})
    for user, role in members:
        if role not in FAMILY or user.id == principal.user.id:
            continue  # staff open the whole library
        reader = Principal(user=user, studio=principal.studio, role=role)
        opens = set(db.session.scalars(visible_resources(reader)
                                       .with_only_columns(Resource.id).where(Resource.id.in_(ids))))
        closed = [found[resource_id].title for resource_id in ids if resource_id not in opens]
        if closed:
            raise ValidationFailed(field_errors={"resources": [
                f"{user.full_name} cannot open {', '.join(closed)}: share it with their "
                "student in the library first, or attach a resource the whole studio sees."]})
    return [found[resource_id] for resource_id in ids]


def _announce(principal, thread, message, members):
    events.publish([user.id for user, _role in members], "message", {"thread": str(thread.id)})
    others = [user for user, role in members if user.id != principal.user.id and role is not None]
    notify(principal.studio, others, "new_message",
           f"New message from {principal.user.full_name}", f"{thread.subject}: {preview_of(message)}",
           thread_path(thread.id), email=False)


def preview(body, length=PREVIEW_CHARS):
    """A message's first words, as plain text on one line."""
    text = " ".join((body or "").split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def preview_of(message):
    """The preview of a message as read (its Markdown rendered, then as plain text)."""
    return preview(Markup(message.body_html).striptags())  # noqa: S704 # nosec B704


def mark_thread_read(principal, thread):
    """Everything in `thread` up to now is read by the acting principal."""
    now = max(utcnow(), thread.last_message_at)
    db.session.execute(
        update(ThreadParticipant)
        .where(ThreadParticipant.studio_id == thread.studio_id,
               ThreadParticipant.thread_id == thread.id,
               ThreadParticipant.user_id == principal.user.id)
        .values(last_read_at=now).execution_options(synchronize_session=False))
    db.session.flush()
    return thread


# ---------------------------------------------------------------- reading

@dataclass
class ThreadEntry:
    """A thread as one participant sees it in their inbox."""

    thread: Thread
    unread_count: int = 0
    last_message: Message | None = None
    last_read_at: object = None

    @property
    def id(self):
        return self.thread.id

    @property
    def preview(self):
        return preview_of(self.last_message) if self.last_message else ""


def _unread_clause(user_id):
    """Messages of others after the participant's last read (`ThreadParticipant` rows)."""
    return and_(Message.thread_id == ThreadParticipant.thread_id,
                or_(Message.author_id.is_(None), Message.author_id != user_id),
                or_(ThreadParticipant.last_read_at.is_(None),
                    Message.created_at > ThreadParticipant.last_read_at))


def thread_inbox(principal=None, *, search=None, unread=None):
    """SELECT of the threads the caller takes part in, newest activity first, their
    participants loaded with them; `search` in subjects, `unread` True/False to keep the
    threads with (or without) unread messages."""
    principal = principal or current_principal()
    stmt = _policies().visible_threads(principal).options(
        selectinload(Thread.participants).selectinload(ThreadParticipant.user))
    words = fold(search).split() if search else []
    for word in words[:8]:
        stmt = stmt.where(func.lower(Thread.subject).like(f"%{escape_like(word)}%", escape="\\"))
    if unread is not None:
        has_unread = exists(select(Message.id).where(_unread_clause(principal.user.id))).where(
            ThreadParticipant.studio_id == principal.studio.id,
            ThreadParticipant.thread_id == Thread.id, ThreadParticipant.user_id == principal.user.id)
        stmt = stmt.where(has_unread if unread else ~has_unread)
    return stmt


def thread_entries(principal, threads):
    """[ThreadEntry] for `threads` (the caller's), with their unread counts and last messages
    in one query whatever their number."""
    threads = list(threads)
    if not threads:
        return []
    me = principal.user.id
    unread = (select(func.count(Message.id)).where(_unread_clause(me))
              .correlate(ThreadParticipant).scalar_subquery())
    last = aliased(Message)
    latest = (select(Message.id).where(Message.thread_id == ThreadParticipant.thread_id)
              .order_by(Message.created_at.desc(), Message.id.desc()).limit(1)
              .correlate(ThreadParticipant).scalar_subquery())
    author = aliased(User)
    rows = db.session.execute(
        select(ThreadParticipant.thread_id, ThreadParticipant.last_read_at, unread, last, author)
        .select_from(ThreadParticipant)
        .outerjoin(last, last.id == latest)
        .outerjoin(author, author.id == last.author_id)
        .where(ThreadParticipant.studio_id == principal.studio.id, ThreadParticipant.user_id == me,
               ThreadParticipant.thread_id.in_([t.id for t in threads])))
    found = {row[0]: row for row in rows}
    result = []
    for thread in threads:
        _thread_id, last_read_at, count, message, _author = found.get(
            thread.id, (thread.id, None, 0, None, None))
        result.append(ThreadEntry(thread, count or 0, message, last_read_at))
    return result


def thread_entry(principal, thread):
    return thread_entries(principal, [thread])[0]


def unread_thread_count(principal):
    """How many of the caller's threads hold messages they have not read (the sidebar's
    badge): one query."""
    return db.session.scalar(
        select(func.count(func.distinct(ThreadParticipant.thread_id)))
        .select_from(ThreadParticipant).join(Message, _unread_clause(principal.user.id))
        .where(ThreadParticipant.studio_id == principal.studio.id,
               ThreadParticipant.user_id == principal.user.id)) or 0


def thread_messages(thread):
    """SELECT of a thread's messages, oldest first, their authors loaded with them."""
    return (select(Message).where(Message.studio_id == thread.studio_id,
                                  Message.thread_id == thread.id)
            .options(selectinload(Message.author))
            .order_by(Message.created_at, Message.id))


def attachments_of(principal, messages):
    """{message id: [resources the caller may open]} for `messages`, in one query."""
    result = {message.id: [] for message in messages}
    if not result:
        return result
    rows = db.session.execute(
        visible_resources(principal).add_columns(MessageResource.message_id)
        .join(MessageResource, MessageResource.resource_id == Resource.id)
        .where(MessageResource.studio_id == principal.studio.id,
               MessageResource.message_id.in_(list(result)))
        .order_by(Resource.title, Resource.id))
    for resource, message_id in rows:
        result[message_id].append(resource)
    return result


def message_html(message):
    """A message's sanitised HTML, safe in a page as is."""
    return Markup(message.body_html)  # noqa: S704 - sanitised by nh3 when written # nosec B704
