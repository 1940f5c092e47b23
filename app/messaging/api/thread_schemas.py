"""API schemas of threads and messages: the reference's create body (`subject`,
`participants`, `initial_message`), each thread with the caller's `unread_count` and a
preview of its last message."""
from flask import g, url_for
from marshmallow import fields, validate

from app.core.pagination import ListQuerySchema, ordering_field, page_schema
from app.core.schemas import BaseSchema, QueryBoolean, UserRefSchema, UTCDateTime
from app.messaging.services.threads import MAX_ATTACHMENTS, MAX_BODY, MAX_PARTICIPANTS, MAX_SUBJECT

RESOURCES_NOTE = (f"Ids of library resources (at most {MAX_ATTACHMENTS}) that you and every "
                  "participant may open: studio-wide ones, or ones shared with the "
                  "participants' students. A private resource is refused, not shared.")


class ParticipantSchema(BaseSchema):
    id = fields.UUID(dump_only=True, attribute="user.id")
    full_name = fields.String(dump_only=True, attribute="user.full_name")
    last_read_at = UTCDateTime(dump_only=True, allow_none=True, metadata={
        "description": "When they last read the thread (null: never)."})


class AttachmentSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    title = fields.String(dump_only=True)
    resource_type = fields.String(dump_only=True)
    url = fields.Method("_url", dump_only=True, metadata={"description": "The resource in the API."})

    def _url(self, resource):
        return url_for("Resources.ResourceItem", resource_id=resource.id, _external=True)


class MessageSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    thread = fields.UUID(dump_only=True, attribute="thread_id")
    author = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    body = fields.String(dump_only=True, metadata={"description": "Markdown, as written."})
    body_html = fields.String(dump_only=True, metadata={"description": "Sanitised HTML."})
    resources = fields.Method("_resources", dump_only=True, metadata={
        "type": "array", "items": {"type": "object"},
        "description": "The attachments you may open."})
    created_at = UTCDateTime(dump_only=True)

    def _resources(self, message):
        attached = g.get("message_attachments", {}).get(message.id, [])
        return AttachmentSchema(many=True).dump(attached)


class LastMessageSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    author = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    preview = fields.Method("_preview", dump_only=True, metadata={"type": "string"})
    created_at = UTCDateTime(dump_only=True)

    def _preview(self, message):
        from app.messaging.services.threads import preview_of

        return preview_of(message)


class ThreadSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    subject = fields.String(dump_only=True, attribute="thread.subject")
    created_by = fields.Nested(UserRefSchema, dump_only=True, allow_none=True,
                               attribute="thread.created_by")
    participants = fields.List(fields.Nested(ParticipantSchema), dump_only=True,
                               attribute="thread.participants")
    unread_count = fields.Integer(dump_only=True, metadata={
        "description": "Messages of others you have not read."})
    last_read_at = UTCDateTime(dump_only=True, allow_none=True)
    last_message = fields.Nested(LastMessageSchema, dump_only=True, allow_none=True)
    last_message_at = UTCDateTime(dump_only=True, attribute="thread.last_message_at")
    created_at = UTCDateTime(dump_only=True, attribute="thread.created_at")


class ThreadCreateSchema(BaseSchema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=MAX_SUBJECT))
    participants = fields.List(fields.UUID(), required=True,
                               validate=validate.Length(min=1, max=MAX_PARTICIPANTS), metadata={
                                   "description": "User ids of who to write to (you take part "
                                                  "too). See GET /threads/contacts."})
    initial_message = fields.String(required=True, validate=validate.Length(min=1, max=MAX_BODY),
                                    metadata={"description": "Markdown."})
    resources = fields.List(fields.UUID(), validate=validate.Length(max=MAX_ATTACHMENTS),
                            metadata={"description": RESOURCES_NOTE})


class MessageCreateSchema(BaseSchema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_BODY),
                         metadata={"description": "Markdown."})
    resources = fields.List(fields.UUID(), validate=validate.Length(max=MAX_ATTACHMENTS),
                            metadata={"description": RESOURCES_NOTE})


class ThreadListQuerySchema(ListQuerySchema):
    ordering = ordering_field("last_message_at", "created_at", "subject")
    search = fields.String(validate=validate.Length(max=200),
                           metadata={"description": "Words of the subject."})
    unread = QueryBoolean(metadata={"description": "`true`: threads with unread messages; "
                                                   "`false`: those without."})


class MessageListQuerySchema(ListQuerySchema):
    ordering = ordering_field("created_at")


class ContactSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    full_name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)


class ContactListSchema(BaseSchema):
    results = fields.List(fields.Nested(ContactSchema), required=True)


ThreadPageSchema = page_schema(ThreadSchema)
MessagePageSchema = page_schema(MessageSchema)
