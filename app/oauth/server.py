"""The OAuth 2.0 authorization server (Authlib): authorization code with PKCE (S256, every
app), refresh tokens with rotation and revocation (RFC 7009). The resource protector that reads
an app's access token on an API request is in services/tokens.py.

Errors on /oauth/token and /oauth/revoke are OAuth's own JSON (RFC 6749 §5.2):
`{"error": "invalid_grant", "error_description": "..."}` with 400 (401 `invalid_client`).
"""
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError, InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import current_app

from app.accounts import services as accounts
from app.oauth.models import CONFIDENTIAL_METHODS, PUBLIC_METHOD, OAuthAppClient
from app.oauth.services import apps
from app.oauth.services import grants as grant_store
from app.oauth.services.scopes import scopes_for_role

AUTH_METHODS = [*CONFIDENTIAL_METHODS, PUBLIC_METHOD]
EXTENSION = "cadenza_oauth_server"


def query_client(client_id):
    app = apps.app_by_client_id(client_id)
    return OAuthAppClient(app) if app else None


def save_token(token, request):
    """Store a token pair's digests: a new grant for an exchanged code, the same grant for a
    refresh."""
    if request.payload.grant_type == "authorization_code":
        grant = grant_store.start_grant(request.authorization_code)
    else:
        grant = request.refresh_token.grant
    grant_store.store_tokens(grant, token["access_token"], token.get("refresh_token"),
                             token.get("scope", grant.scopes))


class S256Required(CodeChallenge):
    """PKCE for every app, public or confidential, and only with S256 (RFC 9700 §2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        payload = grant.request.payload.data
        if not payload.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send 'code_challenge' and "
                                      "'code_challenge_method=S256'.")
        if payload.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be 'S256'.")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code, request):
        """The code carries the scopes the person's role can use of those requested."""
        app = request.client.app
        membership = accounts.membership_for(request.user, app.studio_id)
        scopes = scopes_for_role(request.scope.split(), membership.role) if membership else ()
        payload = request.payload.data
        grant_store.save_code(app, request.user, code, redirect_uri=request.payload.redirect_uri,
                              scopes=scopes, challenge=payload["code_challenge"],
                              method=payload["code_challenge_method"])

    def query_authorization_code(self, code, client):
        return grant_store.find_code(code, client.app)

    def delete_authorization_code(self, authorization_code):
        """Spent when the token is issued; a concurrent exchange that lost the race fails."""
        if not grant_store.use_code(authorization_code):
            raise InvalidGrantError("The code has already been used.")

    def authenticate_user(self, authorization_code):
        user = authorization_code.user
        if accounts.membership_for(user, authorization_code.studio_id) is None:
            return None
        return user


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: every refresh retires the pair it used

    def authenticate_refresh_token(self, refresh_token):
        return grant_store.find_refresh_token(refresh_token)

    def authenticate_user(self, refresh_token):
        return refresh_token.grant.user

    def revoke_old_credential(self, refresh_token):
        if not grant_store.retire_token(refresh_token):
            raise InvalidGrantError("The refresh token has already been used.")


class Revocation(RevocationEndpoint):
    """Revoking either token of a pair ends its whole authorization (RFC 7009 §2.1: the
    access tokens of a revoked refresh token's grant go too)."""

    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        if token_type_hint == "access_token":  # noqa: S105 - a hint's name
            return grant_store.token_by_access(token_string)
        if token_type_hint == "refresh_token":  # noqa: S105
            return grant_store.token_by_refresh(token_string)
        return (grant_store.token_by_access(token_string)
                or grant_store.token_by_refresh(token_string))

    def revoke_token(self, token, request):
        grant_store.revoke_grant(token.grant)


def _generate_access(client, grant_type, user, scope):
    return grant_store.new_access_token()


def _generate_refresh(client, grant_type, user, scope):
    return grant_store.new_refresh_token()


def _expires_in(client, grant_type):
    return grant_store.ACCESS_TOKEN_SECONDS


def init_app(app):
    """One authorization server per Flask app, kept in app.extensions."""
    server = AuthorizationServer()
    server.init_app(app, query_client=query_client, save_token=save_token)
    server.register_token_generator(
        "default", BearerTokenGenerator(_generate_access, _generate_refresh, _expires_in))
    server.register_grant(AuthorizationCodeGrant, [S256Required(required=True)])
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(Revocation)
    app.extensions[EXTENSION] = server


def authorization_server():
    return current_app.extensions[EXTENSION]
