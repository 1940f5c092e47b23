"""The OAuth endpoints apps call with their client credentials: /oauth/token and
/oauth/revoke, and the server's metadata (RFC 8414). Not pages and not the JSON API: they
speak OAuth's own form-encoded requests and JSON errors (RFC 6749 §5.2, RFC 7009), without
cookies or CSRF tokens.

Each client address may call /oauth/token and /oauth/revoke RATELIMIT_OAUTH times (300 a
minute): enough for a server refreshing the tokens of thousands of connected people, and an
end to hammering. Over it, 429 with `Retry-After` and OAuth's JSON error
`temporarily_unavailable`.
"""
from flask import Blueprint, current_app, jsonify

from app.core.links import public_base_url, public_url
from app.core.permissions import SCOPES
from app.core.ratelimit import client_ip
from app.extensions import limiter
from app.oauth.server import AUTH_METHODS, authorization_server

oauth_endpoints_bp = Blueprint("oauth_endpoints", __name__)


def _budget():
    return current_app.config["RATELIMIT_OAUTH"]


def _address_key():
    return f"oauth:{client_ip()}"


@oauth_endpoints_bp.route("/oauth/token", methods=["POST"])
@limiter.limit(_budget, key_func=_address_key)
def token():
    """authorization_code (with code_verifier) or refresh_token (rotated)."""
    return authorization_server().create_token_response()


@oauth_endpoints_bp.route("/oauth/revoke", methods=["POST"])
@limiter.limit(_budget, key_func=_address_key)
def revoke():
    """RFC 7009: 200 whether or not the token was live; the authorization ends."""
    return authorization_server().create_endpoint_response("revocation")


@oauth_endpoints_bp.route("/.well-known/oauth-authorization-server")
def metadata():
    """RFC 8414: where an app finds the endpoints and what this server supports."""
    response = jsonify({
        "issuer": public_base_url(),
        "authorization_endpoint": public_url("oauth.authorize"),
        "token_endpoint": public_url("oauth_endpoints.token"),
        "revocation_endpoint": public_url("oauth_endpoints.revoke"),
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "service_documentation": public_url("api_docs.redoc"),
    })
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@oauth_endpoints_bp.errorhandler(429)
def too_many(error):
    """OAuth's own error body (RFC 6749 §5.2 has none for this; the authorization endpoint's
    `temporarily_unavailable` says what it is), with the limiter's Retry-After."""
    response = jsonify({"error": "temporarily_unavailable",
                        "error_description": "Too many requests from this address. "
                                             "Retry after the time in Retry-After."})
    response.status_code = 429
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response
