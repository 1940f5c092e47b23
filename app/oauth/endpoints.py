"""The OAuth endpoints apps call with their client credentials: /oauth/token and
/oauth/revoke. Not pages and not the JSON API: they speak OAuth's own form-encoded requests
and JSON errors (RFC 6749 §5.2, RFC 7009), without cookies or CSRF tokens."""
from flask import Blueprint

from app.oauth.server import authorization_server

oauth_endpoints_bp = Blueprint("oauth_endpoints", __name__, url_prefix="/oauth")


@oauth_endpoints_bp.route("/token", methods=["POST"])
def token():
    """authorization_code (with code_verifier) or refresh_token (rotated)."""
    return authorization_server().create_token_response()


@oauth_endpoints_bp.route("/revoke", methods=["POST"])
def revoke():
    """RFC 7009: 200 whether or not the token was live; the authorization ends."""
    return authorization_server().create_endpoint_response("revocation")
