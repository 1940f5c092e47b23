"""API authentication: JWT access/refresh tokens (flask-jwt-extended) and the studio header."""
import time
from datetime import datetime, timezone

from flask import current_app, request
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.accounts import services
from app.accounts.models import Membership, User
from app.core.errors import NotAuthenticated, NotFound
from app.core.tenancy import Principal, current_principal, parse_uuid
from app.extensions import db

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
    try:
        claims = decode_token(token)
    except (PyJWTError, JWTExtendedException, ValueError, TypeError):
        return None
    if claims.get("type") != expected_type:
        return None
    return claims


_verified = {}  # {(signing key, access token): claims}: checked once, then only for expiry
MAX_VERIFIED = 10_000


def _access_claims(token):
    """The claims of a valid access token. A client sends the same token for many requests;
    its signature is checked the first time, its expiry every time."""
    key = (current_app.config["JWT_SECRET_KEY"], token)
    claims = _verified.get(key)
    if claims is None:
        claims = _decode(token, "access")
        if claims is None:
            return None
        if len(_verified) >= MAX_VERIFIED:
            _verified.clear()
        _verified[key] = claims
    if claims["exp"] <= time.time():
        _verified.pop(key, None)
        return None
    return claims


# The user with their memberships and those studios, in one query.
_USER_WITH_STUDIOS = select(User).where(User.id == bindparam("user_id")).options(
    joinedload(User.memberships).joinedload(Membership.studio))


def load_user(user_id):
    """The user of this id with every membership and studio loaded (None if unknown)."""
    return db.session.scalars(_USER_WITH_STUDIOS, {"user_id": user_id}).unique().one_or_none()


def _user_for_claims(claims):
    user_id = parse_uuid(claims.get("sub"))
    user = load_user(user_id) if user_id else None
    if user is None or not user.is_active or claims.get("sv") != user.session_version:
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
    claims = _access_claims(token)
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


def _issue(user, family_id=None):
    claims = {"sv": user.session_version}
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    refresh = create_refresh_token(identity=str(user.id), additional_claims=claims)
    decoded = decode_token(refresh)
    expires = datetime.fromtimestamp(decoded["exp"], tz=timezone.utc)
    stored = services.store_refresh_token(user, decoded["jti"], expires, family_id)
    return access, refresh, stored


def login(email, password):
    """Check credentials and issue an access/refresh pair: `{access, refresh, user}`."""
    user = services.authenticate(email, password)
    if services.membership_for(user) is None:
        raise NotAuthenticated(NO_STUDIO)
    access, refresh, _ = _issue(user)
    return {"access": access, "refresh": refresh, "user": user}


def refresh_tokens(refresh):
    """Rotate: the presented refresh token is retired and a new pair is issued."""
    claims = _decode(refresh, "refresh")
    if claims is None:
        raise NotAuthenticated("The refresh token is not valid or has expired.")
    old = services.use_refresh_token(claims["jti"], claims["sub"])
    if claims.get("sv") != old.user.session_version:
        raise NotAuthenticated("The refresh token has been revoked.")
    if services.membership_for(old.user) is None:
        raise NotAuthenticated(NO_STUDIO)
    access, new_refresh, stored = _issue(old.user, old.family_id)
    old.replaced_by_jti = stored.jti
    return {"access": access, "refresh": new_refresh}


def logout(refresh):
    claims = _decode(refresh, "refresh")
    if claims is None:
        raise NotAuthenticated("The refresh token is not valid or has expired.")
    services.use_refresh_token(claims["jti"], claims["sub"])
