"""JSON API: /api/v1/notifications, the caller's bell in the current studio.

Everyone reads and marks only their own notifications: another member's id, another studio's
or an unknown one answers 404. The list adds `unread_count` (of all the caller's
notifications in the studio, whatever the filter) beside the usual page keys.
"""
from flask import g
from flask.views import MethodView
from marshmallow import fields, validate

from app.core.api import Blueprint
from app.core.pagination import (
    ListQuerySchema,
    apply_created_range,
    apply_ordering,
    deleted_field,
    ordering_field,
    paginate,
)
from app.core.permissions import requires
from app.core.schemas import BaseSchema, QueryBoolean, StrictBoolean, UTCDateTime
from app.core.tenancy import api_login_required, current_studio
from app.messaging import services
from app.messaging.models import NOTIFICATION_TYPES, Notification

NOT_FOUND = {"description": "Not one of your notifications in this studio."}

notifications_blp = Blueprint(
    "Notifications", __name__, url_prefix="/api/v1/notifications",
    description="Your in-app notifications (the bell): list them, mark one or all read.")
notifications_blp.before_request(api_login_required)
blueprints = (notifications_blp,)

ORDERING = {"created_at": Notification.created_at}


class NotificationSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    title = fields.String(dump_only=True)
    message = fields.String(dump_only=True)
    notification_type = fields.String(dump_only=True, metadata={"enum": list(NOTIFICATION_TYPES)})
    is_read = StrictBoolean(dump_only=True)
    link = fields.String(dump_only=True, metadata={
        "description": "The path of the page it is about (`/lessons/<id>`), or empty."})
    created_at = UTCDateTime(dump_only=True)


class NotificationListQuerySchema(ListQuerySchema):
    class Meta(ListQuerySchema.Meta):
        exclude = ("search",)

    ordering = ordering_field("created_at")
    is_read = QueryBoolean(metadata={"description": "`false`: unread only; `true`: read only."})


class NotificationPageSchema(BaseSchema):
    count = fields.Integer(required=True)
    unread_count = fields.Integer(required=True, metadata={
        "description": "Your unread notifications in this studio (not only this page's)."})
    next = fields.String(allow_none=True, required=True)
    previous = fields.String(allow_none=True, required=True)
    results = fields.List(fields.Nested(NotificationSchema), required=True)
    deleted = deleted_field()


class MarkedSchema(BaseSchema):
    marked = fields.Integer(required=True, validate=validate.Range(min=0), metadata={
        "description": "How many notifications turned read."})
    unread_count = fields.Integer(required=True)


def _user():
    return g.api_principal.user


@notifications_blp.route("")
class Notifications(MethodView):
    @requires("notifications.view")
    @notifications_blp.arguments(NotificationListQuerySchema, location="query")
    @notifications_blp.response(200, NotificationPageSchema)
    def get(self, args):
        """List your notifications, newest first (filter: is_read), with your unread count."""
        studio, user = current_studio(), _user()
        stmt = services.inbox(user, studio, is_read=args.get("is_read")).order_by(None)
        stmt = apply_created_range(stmt, Notification, args)
        stmt = apply_ordering(stmt, Notification, args.get("ordering"), ORDERING, "-created_at")
        page = paginate(stmt, args)
        page["unread_count"] = services.unread_count(user, studio)
        return page


@notifications_blp.route("/<uuid:notification_id>/read")
class NotificationRead(MethodView):
    @requires("notifications.read")
    @notifications_blp.response(200, NotificationSchema)
    @notifications_blp.alt_response(404, **NOT_FOUND)
    def post(self, notification_id):
        """Mark one of your notifications read (already read: unchanged)."""
        user = _user()
        return services.mark_read(user, services.notification_of(user, current_studio(), notification_id))


@notifications_blp.route("/read-all")
class NotificationsReadAll(MethodView):
    @requires("notifications.read")
    @notifications_blp.response(200, MarkedSchema)
    def post(self):
        """Mark all your notifications in this studio read."""
        studio, user = current_studio(), _user()
        marked = services.mark_all_read(user, studio)
        return {"marked": marked, "unread_count": services.unread_count(user, studio)}
