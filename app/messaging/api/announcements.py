"""JSON API: /api/v1/announcements, one message from the studio to an audience.

Staff send: the owner and admins to any audience, a teacher to their own students only
(`teacher_students` with their own teacher id; anything else is 403). `POST /preview` says
whom an audience reaches without sending. Reading: managers list every announcement of the
studio; anyone else those they received (and a teacher those they sent); any other id is 404.
Who an announcement went to (`audience_value`, `recipient_count`) is shown to managers and its
sender only. The rules are in app/messaging/services/announcements.py.
"""
from flask import g
from flask.views import MethodView
from marshmallow import fields, post_dump, validate

from app.core.api import Blueprint, loads, refused_when
from app.core.pagination import (
    ListQuerySchema,
    apply_created_range,
    apply_ordering,
    ordering_field,
    page_schema,
    paginate,
)
from app.core.permissions import requires
from app.core.schemas import BaseSchema, UserRefSchema, UTCDateTime
from app.core.tenancy import api_login_required, current_studio, get_or_404
from app.messaging.models import AUDIENCES, Announcement
from app.messaging.services import announcements as service

NOT_FOUND = {"description": "Not an announcement of this studio that you sent or received."}
FORBIDDEN = {"description": "Families do not send announcements; a teacher sends to their own "
                            "students only (`teacher_students` with their teacher id)."}
AUDIENCE_NOTE = ("`everyone`, `families`, `teachers`: no value; `teacher_students`: a teacher's "
                 "id; `instrument`: an instrument's name (any case); `day`: a date "
                 "(YYYY-MM-DD, the studio's calendar).")
AUDIENCE_RULES = ("`audience_value` is missing, names no teacher of the studio, or is given to "
                  "an audience that takes none; `audience` reaches nobody yet.")

announcements_blp = Blueprint(
    "Announcements", __name__, url_prefix="/api/v1/announcements",
    description="Messages from the studio to an audience, in-app and by email.")
announcements_blp.before_request(api_login_required)
blueprints = (announcements_blp,)

ORDERING = {"sent_at": Announcement.sent_at, "created_at": Announcement.created_at}


class AnnouncementSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    subject = fields.String(dump_only=True)
    body = fields.String(dump_only=True, metadata={"description": "Markdown, as written."})
    body_html = fields.String(dump_only=True, metadata={"description": "Sanitised HTML."})
    audience = fields.String(dump_only=True, metadata={"enum": list(AUDIENCES)})
    audience_value = fields.String(dump_only=True, metadata={
        "description": f"{AUDIENCE_NOTE} Managers and the sender only."})
    recipient_count = fields.Integer(dump_only=True, metadata={
        "description": "People reached. Managers and the sender only."})
    sent_by = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    sent_at = UTCDateTime(dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)

    @post_dump(pass_original=True)
    def hide_audience(self, data, announcement, **kwargs):
        if not service.may_see_audience(announcement, g.api_principal):
            data.pop("audience_value", None)
            data.pop("recipient_count", None)
        return data


AnnouncementPageSchema = page_schema(AnnouncementSchema)


class AnnouncementListQuerySchema(ListQuerySchema):
    class Meta(ListQuerySchema.Meta):
        exclude = ("search",)

    ordering = ordering_field("sent_at", "created_at")
    audience = fields.String(validate=validate.OneOf(AUDIENCES))


class AudienceSchema(BaseSchema):
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES))
    audience_value = fields.String(load_default="", validate=validate.Length(max=100),
                                   metadata={"description": AUDIENCE_NOTE})


class AnnouncementCreateSchema(AudienceSchema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=service.MAX_SUBJECT))
    body = fields.String(required=True, validate=validate.Length(min=1, max=service.MAX_BODY),
                         metadata={"description": "Markdown."})


class PreviewSchema(BaseSchema):
    recipient_count = fields.Integer(required=True, metadata={"description": "People reached."})
    families = fields.Integer(required=True, metadata={"description": "Families reached."})
    emails = fields.Integer(required=True, metadata={"description": "Emails that would be sent."})
    in_app = fields.Integer(required=True, metadata={
        "description": "Members who would get the in-app notification."})
    unsubscribed = fields.Integer(required=True, metadata={
        "description": "People reached in-app only: they unsubscribed from announcement emails."})
    without_account = fields.Integer(required=True, metadata={
        "description": "Guardians known by address only, who are not emailed."})
    sample = fields.List(fields.String(), required=True, metadata={"description": "A few names."})


def _visible(announcement_id):
    return get_or_404(Announcement, announcement_id, stmt=service.visible_announcements())


@announcements_blp.route("")
class Announcements(MethodView):
    @requires("announcements.view")
    @announcements_blp.arguments(AnnouncementListQuerySchema, location="query")
    @announcements_blp.response(200, AnnouncementPageSchema)
    def get(self, args):
        """List the announcements you may read, newest first.

        Managers see all of the studio's; others those they received, and a teacher those
        they sent."""
        stmt = service.visible_announcements()
        if args.get("audience"):
            stmt = stmt.where(Announcement.audience == args["audience"])
        stmt = apply_created_range(stmt, Announcement, args)
        stmt = apply_ordering(stmt, Announcement, args.get("ordering"), ORDERING, "-sent_at")
        return paginate(stmt, args)

    @requires("announcements.send")
    @announcements_blp.arguments(AnnouncementCreateSchema)
    @announcements_blp.response(201, AnnouncementSchema)
    @announcements_blp.alt_response(400, **refused_when(
        "`subject` or `body` is blank.", AUDIENCE_RULES))
    @announcements_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Send an announcement: in-app to the audience's members, by email to every address
        that has not unsubscribed."""
        return service.send_announcement(current_studio(), g.api_principal.user, **data)


@announcements_blp.route("/preview")
class AnnouncementPreview(MethodView):
    @requires("announcements.send")
    @announcements_blp.arguments(AudienceSchema)
    @announcements_blp.response(200, PreviewSchema)
    @announcements_blp.alt_response(400, **refused_when(AUDIENCE_RULES))
    @announcements_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Whom an audience reaches now (counts and a few names); nothing is sent."""
        return service.preview_audience(current_studio(), g.api_principal.user,
                                        data["audience"], data["audience_value"])


@announcements_blp.route("/<uuid:announcement_id>")
class AnnouncementItem(MethodView):
    @requires("announcements.view")
    @loads("announcement", _visible)
    @announcements_blp.response(200, AnnouncementSchema)
    @announcements_blp.alt_response(404, **NOT_FOUND)
    def get(self, announcement):
        """One announcement."""
        return announcement
