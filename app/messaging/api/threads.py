"""JSON API: /api/v1/threads, /threads/{id}, /threads/{id}/messages, /threads/{id}/read,
/threads/contacts.

Who may write to whom is app/messaging/policies.py (staff: anyone in the studio; a parent:
the office, their children's teachers and their own family; a student: the office and their
teachers); a participant outside it is a 400 on `participants`. A thread is read by its
participants only: any other id, an admin's included, answers 404.

Messages are listed oldest first (the order a conversation is read), `ordering=-created_at`
newest first; listing them does not mark them read, `POST /threads/{id}/read` does.
"""
from flask import g
from flask.views import MethodView

from app.core.api import Blueprint, loads, refused_when
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.core.tenancy import api_login_required
from app.messaging import access, policies
from app.messaging.api.thread_schemas import (
    ContactListSchema,
    MessageCreateSchema,
    MessageListQuerySchema,
    MessagePageSchema,
    MessageSchema,
    ThreadCreateSchema,
    ThreadListQuerySchema,
    ThreadPageSchema,
    ThreadSchema,
)
from app.messaging.models import Message, Thread
from app.messaging.services import threads as services

NOT_FOUND = {"description": "Not a thread you take part in."}
THREAD_ORDERING = {"last_message_at": Thread.last_message_at, "created_at": Thread.created_at,
                   "subject": Thread.subject}
MESSAGE_ORDERING = {"created_at": Message.created_at}
BODY_RULES = ("`resources` names a resource you may not open, or one a participant may not "
              "open (share it with their student first).")

threads_blp = Blueprint("Threads", __name__, url_prefix="/api/v1/threads",
                        description="Conversations among members of the studio.")
threads_blp.before_request(api_login_required)


def _principal():
    return g.api_principal


@threads_blp.route("")
class Threads(MethodView):
    @requires("messages.view")
    @threads_blp.arguments(ThreadListQuerySchema, location="query")
    @threads_blp.response(200, ThreadPageSchema)
    def get(self, args):
        """List the threads you take part in, latest activity first, each with your
        `unread_count` and its last message."""
        stmt = services.thread_inbox(_principal(), search=args.get("search"),
                                     unread=args.get("unread"))
        stmt = apply_created_range(stmt, Thread, args)
        stmt = apply_ordering(stmt, Thread, args.get("ordering"), THREAD_ORDERING, "-last_message_at")
        page = paginate(stmt, args)
        page["results"] = services.thread_entries(_principal(), page["results"])
        return page

    @requires("messages.write")
    @threads_blp.arguments(ThreadCreateSchema)
    @threads_blp.response(201, ThreadSchema)
    @threads_blp.alt_response(400, **refused_when(
        "`participants` names someone you may not write to (another family, a teacher of none "
        "of your children), outside your studio, or only yourself; `subject` or "
        "`initial_message` is blank.", BODY_RULES))
    def post(self, data):
        """Start a thread: `subject`, `participants` (user ids) and `initial_message`."""
        thread = services.create_thread(_principal(), data["subject"], data["participants"],
                                        data["initial_message"], data.get("resources") or ())
        return services.thread_entry(_principal(), thread)


@threads_blp.route("/contacts")
class Contacts(MethodView):
    @requires("messages.write")
    @threads_blp.response(200, ContactListSchema)
    def get(self):
        """Who you may write to, by name, with their role in the studio."""
        return {"results": [{"id": user.id, "full_name": user.full_name, "role": role}
                            for user, role in policies.contacts(_principal())]}


@threads_blp.route("/<uuid:thread_id>")
class ThreadItem(MethodView):
    @requires("messages.view")
    @loads("thread", access.visible_thread)
    @threads_blp.response(200, ThreadSchema)
    @threads_blp.alt_response(404, **NOT_FOUND)
    def get(self, thread):
        """One thread, with its participants and when each last read it."""
        return services.thread_entry(_principal(), thread)


@threads_blp.route("/<uuid:thread_id>/messages")
class ThreadMessages(MethodView):
    @requires("messages.view")
    @loads("thread", access.visible_thread)
    @threads_blp.arguments(MessageListQuerySchema, location="query")
    @threads_blp.response(200, MessagePageSchema)
    @threads_blp.alt_response(404, **NOT_FOUND)
    def get(self, args, thread):
        """The thread's messages, oldest first (`ordering=-created_at`: newest first)."""
        stmt = services.thread_messages(thread).order_by(None)
        stmt = apply_created_range(stmt, Message, args)
        stmt = apply_ordering(stmt, Message, args.get("ordering"), MESSAGE_ORDERING, "created_at")
        page = paginate(stmt, args)
        g.message_attachments = services.attachments_of(_principal(), page["results"])
        return page

    @requires("messages.write")
    @loads("thread", access.visible_thread)
    @threads_blp.arguments(MessageCreateSchema)
    @threads_blp.response(201, MessageSchema)
    @threads_blp.alt_response(400, **refused_when("`body` is blank.", BODY_RULES))
    @threads_blp.alt_response(404, **NOT_FOUND)
    def post(self, data, thread):
        """Reply in a thread you take part in."""
        message = services.post_message(_principal(), thread, data["body"],
                                        data.get("resources") or ())
        g.message_attachments = services.attachments_of(_principal(), [message])
        return message


@threads_blp.route("/<uuid:thread_id>/read")
class ThreadRead(MethodView):
    @requires("messages.write")
    @loads("thread", access.visible_thread)
    @threads_blp.response(200, ThreadSchema)
    @threads_blp.alt_response(404, **NOT_FOUND)
    def post(self, thread):
        """Mark everything in the thread read (`unread_count` 0)."""
        services.mark_thread_read(_principal(), thread)
        return services.thread_entry(_principal(), thread)
