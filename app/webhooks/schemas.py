"""API schemas for webhook endpoints and their deliveries."""
from marshmallow import fields, validate

from app.core.pagination import ListQuerySchema, ordering_field, page_schema
from app.core.schemas import BaseSchema, QueryBoolean, StrictBoolean, UTCDateTime
from app.core.webhook_events import EVENTS, TEST_EVENT
from app.webhooks.models import DELIVERY_STATUSES

EVENT_NAMES = {"type": "string", "enum": list(EVENTS)}


class WebhookSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    url = fields.String(dump_only=True)
    description = fields.String(dump_only=True)
    events = fields.List(fields.String(), dump_only=True, metadata={"items": EVENT_NAMES})
    is_active = StrictBoolean(dump_only=True)
    disabled_reason = fields.String(dump_only=True, metadata={
        "description": "Why the endpoint is disabled (by hand, or after failing for days)."})
    consecutive_failures = fields.Integer(dump_only=True, metadata={
        "description": "Failed attempts since the last success."})
    last_delivery_at = UTCDateTime(dump_only=True, allow_none=True)
    last_delivery_status = fields.String(dump_only=True, metadata={
        "description": "succeeded, failed, or empty before the first attempt."})
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class WebhookWithSecretSchema(WebhookSchema):
    secret = fields.String(dump_only=True, metadata={
        "description": "The signing secret (`whsec_…`): answered here once; owners and admins "
                       "also see it on the endpoint's page."})


class WebhookFieldsSchema(BaseSchema):
    url = fields.String(validate=validate.Length(min=1, max=2000), metadata={
        "description": "http(s); not a loopback, private or link-local address, nor localhost."})
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)),
                         validate=validate.Length(min=1, max=len(EVENTS)))
    description = fields.String(validate=validate.Length(max=200))


class WebhookCreateSchema(WebhookFieldsSchema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "http(s); not a loopback, private or link-local address, nor localhost."})
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)), required=True,
                         validate=validate.Length(min=1, max=len(EVENTS)))


class WebhookUpdateSchema(WebhookFieldsSchema):
    is_active = StrictBoolean(metadata={
        "description": "false disables the endpoint; true enables it again and clears its "
                       "failures."})


class WebhookListQuerySchema(ListQuerySchema):
    ordering = ordering_field("created_at", "url")
    is_active = QueryBoolean(metadata={"description": "Only enabled (true) or disabled ones."})


class DeliverySchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    webhook = fields.UUID(attribute="endpoint_id", dump_only=True)
    event_id = fields.UUID(dump_only=True, metadata={"description": "The body's `id`."})
    event = fields.String(dump_only=True, metadata={"enum": [*EVENTS, TEST_EVENT]})
    status = fields.String(dump_only=True, metadata={"enum": list(DELIVERY_STATUSES)})
    attempts = fields.Integer(dump_only=True)
    next_attempt_at = UTCDateTime(dump_only=True, allow_none=True, metadata={
        "description": "When the next attempt is due (pending deliveries)."})
    response_code = fields.Integer(dump_only=True, allow_none=True, metadata={
        "description": "The last attempt's HTTP status; null when none came."})
    response_time_ms = fields.Integer(attribute="response_ms", dump_only=True, allow_none=True)
    response_excerpt = fields.String(dump_only=True, metadata={
        "description": "The first kilobyte of the last answer's body."})
    error = fields.String(dump_only=True, metadata={
        "description": "Why the last attempt failed (timeout, refused address, redirect…)."})
    delivered_at = UTCDateTime(dump_only=True, allow_none=True)
    redelivery_of = fields.UUID(attribute="redelivery_of_id", dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)


class DeliveryListQuerySchema(ListQuerySchema):
    ordering = ordering_field("created_at")
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    event = fields.String(validate=validate.OneOf([*EVENTS, TEST_EVENT]))


WebhookPageSchema = page_schema(WebhookSchema)
DeliveryPageSchema = page_schema(DeliverySchema)
