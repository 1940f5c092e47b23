"""JSON API: /api/v1/api-keys. Owners and admins signed in as themselves list, make and revoke
the studio's keys; a key never sees or makes keys (403), so a leaked key cannot mint others.
The secret is in the answer to POST, once, as `key`; lists and reads show its `prefix` only."""
from flask import g
from flask.views import MethodView

from app.core.api import Blueprint, loads, refused_when
from app.core.pagination import apply_created_range, apply_ordering, page_schema, paginate
from app.core.permissions import requires
from app.core.schemas import ErrorSchema
from app.core.tenancy import api_login_required, current_studio
from app.developer import access, services
from app.developer.models import ApiKey
from app.developer.schemas import (
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyListQuerySchema,
    ApiKeySchema,
)

api_keys_blp = Blueprint(
    "API keys", __name__, url_prefix="/api/v1/api-keys",
    description="The studio's API keys: each acts in the studio as an admin narrowed by its "
                "scopes. Owners and admins manage them, never with a key.")
api_keys_blp.before_request(api_login_required)
blueprints = (api_keys_blp,)

UNAUTHORIZED = {"schema": ErrorSchema, "description": "No valid token or key."}
FORBIDDEN = {"schema": ErrorSchema, "description": (
    "Only owners and admins manage API keys, signed in as themselves: a request made with an "
    "API key gets 403 too.")}
NOT_FOUND = {"schema": ErrorSchema, "description": "No such key in your studio."}
NO_STORE = {"Cache-Control": "no-store"}  # the answer holds the secret: no cache keeps it
KeyPageSchema = page_schema(ApiKeySchema, "ApiKeyPageSchema")
ORDERING = {"created_at": ApiKey.created_at, "name": ApiKey.name,
            "last_used_at": ApiKey.last_used_at}


@api_keys_blp.route("")
class ApiKeys(MethodView):
    @requires("api_keys.manage")
    @api_keys_blp.arguments(ApiKeyListQuerySchema, location="query")
    @api_keys_blp.response(200, KeyPageSchema)
    @api_keys_blp.alt_response(401, **UNAUTHORIZED)
    @api_keys_blp.alt_response(403, **FORBIDDEN)
    def get(self, args):
        """List the studio's keys, revoked and expired ones included (never a secret)."""
        stmt = services.studio_api_keys(current_studio())
        stmt = apply_created_range(stmt, ApiKey, args)
        stmt = apply_ordering(stmt.order_by(None), ApiKey, args.get("ordering"), ORDERING,
                              "-created_at")
        return paginate(stmt, args)

    @requires("api_keys.manage")
    @api_keys_blp.arguments(ApiKeyCreateSchema)
    @api_keys_blp.response(201, ApiKeyCreatedSchema, idempotent=False)  # no stored secret
    @api_keys_blp.alt_response(400, **refused_when(
        "`name` is blank; `expires_at` is not in the future."))
    @api_keys_blp.alt_response(401, **UNAUTHORIZED)
    @api_keys_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Make a key. The answer holds its secret as `key`, this once: it is not stored, only
        its SHA-256 is."""
        key, secret = services.create_api_key(current_studio(), g.api_principal.user, **data)
        key.key = secret
        return key, 201, NO_STORE


@api_keys_blp.route("/<uuid:api_key_id>")
class OneApiKey(MethodView):
    @requires("api_keys.manage")
    @loads("api_key", access.studio_api_key)
    @api_keys_blp.response(200, ApiKeySchema)
    @api_keys_blp.alt_response(401, **UNAUTHORIZED)
    @api_keys_blp.alt_response(403, **FORBIDDEN)
    @api_keys_blp.alt_response(404, **NOT_FOUND)
    def get(self, api_key):
        """One key (never its secret)."""
        return api_key

    @requires("api_keys.manage")
    @loads("api_key", access.studio_api_key)
    @api_keys_blp.response(204)
    @api_keys_blp.alt_response(401, **UNAUTHORIZED)
    @api_keys_blp.alt_response(403, **FORBIDDEN)
    @api_keys_blp.alt_response(404, **NOT_FOUND)
    def delete(self, api_key):
        """Revoke the key now: its next request, on any server, answers 401. The key stays
        in the list as `revoked`; revoking it again changes nothing."""
        services.revoke_api_key(current_studio(), g.api_principal.user, api_key)
