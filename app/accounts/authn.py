"""API authentication: JWT access/refresh tokens (flask-jwt-extended), API keys, third-party
apps' OAuth access tokens and the studio header."""
from datetime import datetime, timezone

from flask import request
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from app.accounts import services
from app.accounts.services import sign_ins
from app.core.errors import NotAuthenticated, NotFound
from app.core.permissions import ADMIN
from app.core.tenancy import Principal, current_principal, parse_uuid
from app.developer import services as developer
from app.oauth import services as oauth

STUDIO_HEADER = "X-Studio-ID"
INVALID_TOKEN = "The access token is not valid or has expired."  # noqa: S105 - a message
NO_STUDIO = "Your access to the studio has ended."
INVALID_KEY = "The API key is not valid, has expired or was revoked."
API_KEY_HEADER = "X-API-Key"


def _bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _decode(token, expected_type):
    """The claims of a token this server signed, of this type, that expires (None if not).
    PyJWT checks `exp` only when present; a token without one would never expire."""
    try:
        claims = decode_token(token)
    except (PyJWTError, JWTExtendedException, ValueError, TypeError):
        return None
    if claims.get("type") != expected_type or not isinstance(claims.get("exp"), int | float):
        return None
    return claims


def _user_for_claims(claims):
    """The user of a valid access token whose sign-in is still live, in one query."""
    user = sign_ins.signed_in_user(claims.get("sid"), "api", ip=request.remote_addr or "")
    if user is None or str(user.id) != claims.get("sub"):
        return None
    if services.membership_for(user) is None:  # every membership deactivated: no API access
        return None
    return user


def authenticate_api_request():
    """(principal, error): the caller of this API request, or why it is not authenticated.
    An API key comes as `X-API-Key: <key>` or `Authorization: Bearer <key>` (told from an
    access token by its prefix)."""
    token = _bearer_token()
    api_key = request.headers.get(API_KEY_HEADER)
    if api_key is not None:
        if request.headers.get("Authorization"):
            return None, NotAuthenticated("Send one credential: an API key or a bearer token.")
        return _key_principal(api_key.strip())
    if token is None:
        if request.headers.get("Authorization"):
            return None, NotAuthenticated("Unsupported or empty credentials.")
        return None, None
    if developer.is_api_key(token):
        return _key_principal(token)
    if token.startswith(oauth.ACCESS_TOKEN_PREFIX):
        return _app_principal()
    claims = _decode(token, "access")
    user = _user_for_claims(claims) if claims else None
    if user is None:
        return None, NotAuthenticated(INVALID_TOKEN)
    requested = request.headers.get(STUDIO_HEADER)
    if requested is not None:  # sent empty, it names no studio: 404 as any other
        studio_id = parse_uuid(requested)  # None would mean "the first studio": refuse it
        membership = services.membership_for(user, studio_id) if studio_id else None
        if membership is None:
            return None, NotFound("Studio not found.")
    else:
        membership = services.membership_for(user)
    if membership is None:
        return Principal(user=user, studio=None, role=None), None
    return Principal(user=user, studio=membership.studio, role=membership.role), None


def _key_principal(secret):
    """The principal of an API key: its studio, as an admin narrowed by the key's scopes,
    with its creator as the user its changes are recorded under (app/developer)."""
    found = developer.authenticate_api_key(secret, ip=request.remote_addr or "") if secret else None
    if found is None:
        return None, NotAuthenticated(INVALID_KEY)
    key, creator, studio = found
    requested = request.headers.get(STUDIO_HEADER)
    if requested is not None and parse_uuid(requested) != studio.id:
        return None, NotFound("Studio not found.")
    return Principal(user=creator, studio=studio, role=ADMIN, api_key_id=key.id,
                     scopes=frozenset(key.scopes)), None


def _app_principal():
    """The principal of a third-party app's access token (`cdz_at_…`, app/oauth): the person
    who allowed it, in the app's studio, with their role narrowed by the granted scopes."""
    principal = oauth.principal_for_access_token()
    if principal is None:
        return None, NotAuthenticated(INVALID_TOKEN)
    requested = request.headers.get(STUDIO_HEADER)
    if requested is not None and parse_uuid(requested) != principal.studio.id:
        return None, NotFound("Studio not found.")
    return principal, None


def role_for(user):
    """The user's role in the studio the request acts in (their first studio by default)."""
    principal = current_principal()
    if principal is not None and principal.user is user:
        return principal.role
    membership = services.membership_for(user)
    return membership.role if membership else None


def _issue(user, sign_in):
    claims = {"sid": str(sign_in.id)}
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    refresh = create_refresh_token(identity=str(user.id), additional_claims=claims)
    decoded = decode_token(refresh)
    expires = datetime.fromtimestamp(decoded["exp"], tz=timezone.utc)
    stored = sign_ins.store_refresh_token(user, decoded["jti"], expires, sign_in)
    return access, refresh, stored


def _device():
    return {"ip": request.remote_addr or "", "user_agent": request.user_agent.string}


def login(email, password):
    """Check credentials, start an API sign-in and issue its access/refresh pair:
    `{access, refresh, user}`."""
    user = services.authenticate(email, password)
    if services.membership_for(user) is None:
        raise NotAuthenticated(NO_STUDIO)
    sign_in = sign_ins.start_sign_in(user, "api", **_device())
    access, refresh, _ = _issue(user, sign_in)
    return {"access": access, "refresh": refresh, "user": user}


def _refresh_claims(refresh):
    claims = _decode(refresh, "refresh")
    if claims is None:
        raise NotAuthenticated("The refresh token is not valid or has expired.")
    return claims


def refresh_tokens(refresh):
    """Rotate: the presented refresh token is retired and a new pair is issued."""
    claims = _refresh_claims(refresh)
    old, sign_in = sign_ins.use_refresh_token(claims["jti"], claims["sub"],
                                              ip=request.remote_addr or "")
    if services.membership_for(sign_in.user) is None:
        raise NotAuthenticated(NO_STUDIO)
    access, new_refresh, stored = _issue(sign_in.user, sign_in)
    old.replaced_by_jti = stored.jti
    return {"access": access, "refresh": new_refresh}


def logout(refresh):
    """End the refresh token's sign-in: its refresh and access tokens stop working now."""
    claims = _refresh_claims(refresh)
    _old, sign_in = sign_ins.use_refresh_token(claims["jti"], claims["sub"])
    sign_ins.end_sign_in(sign_in)
