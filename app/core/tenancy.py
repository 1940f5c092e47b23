"""The acting principal and its current studio; every tenant query goes through here."""
import uuid
from dataclasses import dataclass, field

from flask import g
from sqlalchemy import select

from app.core.db import db
from app.core.errors import NotAuthenticated, NotFound, PermissionDenied, is_api_request


@dataclass(frozen=True)
class Principal:
    """Who acts, in which studio, with which role (and, for API keys, which scopes)."""

    user: object
    studio: object | None
    role: str | None
    api_key_id: uuid.UUID | None = None
    scopes: frozenset = field(default_factory=lambda: frozenset({"read", "write"}))  # FULL_ACCESS
    app_grant_id: uuid.UUID | None = None  # a third-party app's authorization (app/oauth)


_authenticate_api_request = None  # set by the app factory: core knows no accounts


def authenticate_api_requests_with(authenticate):
    """Name the function that finds an API request's caller: it takes no arguments and
    returns (principal or None, the error to raise when a caller is required, or None)."""
    global _authenticate_api_request
    _authenticate_api_request = authenticate


def api_principal():
    """The API caller, authenticated once per request; None if anonymous or invalid."""
    if "api_principal" not in g:
        g.api_principal, g.api_auth_error = _authenticate_api_request()
    return g.api_principal


def require_api_principal():
    principal = api_principal()
    if principal is None:
        raise g.api_auth_error or NotAuthenticated()
    return principal


def api_login_required():
    """before_request hook for API blueprints that need a caller (401 otherwise)."""
    require_api_principal()


def refuse_api_keys():
    """before_request hook for API blueprints that act as a person (their profile, their
    live updates): an API key acts for its studio, not for anyone, so it gets 403."""
    if require_api_principal().api_key_id is not None:
        raise PermissionDenied("An API key acts for its studio, not for a person: "
                               "sign in to use this.")


def current_principal():
    if is_api_request():
        return api_principal()
    return g.get("web_principal")


def current_studio():
    principal = current_principal()
    if principal is None or principal.studio is None:
        raise NotFound("You are not a member of any studio.")
    return principal.studio


def current_role():
    principal = current_principal()
    return principal.role if principal else None


def parse_uuid(value):
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def scoped(model, studio=None):
    """SELECT model rows of the current studio only."""
    studio = studio or current_studio()
    return select(model).where(model.studio_id == studio.id)


def get_or_404(model, object_id, *, stmt=None):
    """Fetch one row of the current studio by id; anything else (foreign, malformed) is 404."""
    parsed = parse_uuid(object_id)
    if parsed is None:
        raise NotFound(f"{model.__name__} not found.")
    stmt = stmt if stmt is not None else scoped(model)
    obj = db.session.scalar(stmt.where(model.id == parsed))
    if obj is None:
        raise NotFound(f"{model.__name__} not found.")
    return obj
