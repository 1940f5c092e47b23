"""API schemas of API keys. A key is shown with its `prefix` (its first characters), never its
secret; the secret is in the answer to POST only, as `key`."""
from marshmallow import fields, validate

from app.core.db import utcnow
from app.core.pagination import ListQuerySchema, ordering_field
from app.core.permissions import SCOPE_AREAS, SCOPES
from app.core.schemas import BaseSchema, UserRefSchema, UTCDateTime
from app.developer.models import KEY_STATUSES
from app.developer.services.api_keys import MAX_NAME_LENGTH

SCOPES_DESCRIPTION = (
    "What the key may do, on top of acting as an admin of its studio: `read` and `write` cover "
    "every area, `<area>:read` and `<area>:write` one area; `write` implies `read`. Areas: "
    + "; ".join(f"`{area}` ({words.lower()})" for area, words in SCOPE_AREAS.items()) + ". "
    "Scopes another one implies are dropped (`billing:read` beside `billing:write`)."
)


class ApiKeySchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    prefix = fields.String(dump_only=True, metadata={
        "description": "The key's first characters, to tell keys apart (`cdz_live_AbCd`)."})
    scopes = fields.List(fields.String(), dump_only=True)
    status = fields.Method("_status", dump_only=True, metadata={
        "description": ", ".join(KEY_STATUSES)})
    expires_at = UTCDateTime(dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    created_by = fields.Nested(UserRefSchema, dump_only=True, allow_none=True, metadata={
        "description": "Who made the key; the key's changes are recorded under them."})
    last_used_at = UTCDateTime(dump_only=True, allow_none=True, metadata={
        "description": "When the key was last used (to the minute)."})
    last_used_ip = fields.String(dump_only=True, metadata={
        "description": "The client address it was last used from ('' if never)."})
    revoked_at = UTCDateTime(dump_only=True, allow_none=True)

    def _status(self, key):
        return key.status_at(utcnow())


class ApiKeyCreatedSchema(ApiKeySchema):
    key = fields.String(dump_only=True, metadata={
        "description": "The secret: shown this once, never again. Send it as `X-API-Key` "
                       "or `Authorization: Bearer`."})


class ApiKeyCreateSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=MAX_NAME_LENGTH),
                         metadata={"description": "What uses the key."})
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), required=True,
                         validate=validate.Length(min=1, max=len(SCOPES)),
                         metadata={"description": SCOPES_DESCRIPTION})
    expires_at = UTCDateTime(allow_none=True, metadata={
        "description": "When the key stops working (in the future); absent or null: never."})


class ApiKeyListQuerySchema(ListQuerySchema):
    ordering = ordering_field("created_at", "name", "last_used_at")
