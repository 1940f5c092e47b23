"""API authentication: JWT access/refresh tokens (flask-jwt-extended) and the studio header."""
from datetime import datetime, timezone

from flask import request
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from app.accounts import services
from app.accounts.services import sign_ins
from app.core.errors import NotAuthenticated, NotFound
from app.core.tenancy import Principal, current_principal, parse_uuid

STUDIO_HEADER = "X-Studio-ID"
INVALID_TOKEN = "The access token is not valid or has expired."  # noqa: S105 - a message
NO_STUDIO = "Your access to the studio has ended."


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
    """(principal, error): the caller of this API request, or why it is not authenticated."""
    token = _bearer_token()
    if token is None:
        if request.headers.get("Authorization") or request.headers.get("X-API-Key"):
            return None, NotAuthenticated("Unsupported or empty credentials.")
        return None, None
    claims = _decode(token, "access")
    user = _user_for_claims(claims) if claims else None
    if user is None:
        return None, NotAuthenticated(INVALID_TOKEN)
    requested = request.headers.get(STUDIO_HEADER)
    if requested:
        studio_id = parse_uuid(requested)  # None would mean "the first studio": refuse it
        membership = services.membership_for(user, studio_id) if studio_id else None
        if membership is None:
            return None, NotFound("Studio not found.")
    else:
        membership = services.membership_for(user)
    if membership is None:
        return Principal(user=user, studio=None, role=None), None
    return Principal(user=user, studio=membership.studio, role=membership.role), None


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
