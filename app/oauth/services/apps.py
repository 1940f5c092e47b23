"""Registering a studio's apps: their redirect URIs, scopes and secrets."""
import secrets
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from app.core import audit, validation
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.core.permissions import normalize_scopes
from app.extensions import db
from app.oauth.models import OAuthApp, OAuthCode, OAuthGrant, OAuthToken, digest, is_loopback

CLIENT_SECRET_PREFIX = "cdz_cs_"  # noqa: S105 - a prefix, not a secret
MAX_REDIRECT_URIS = 10
MAX_NAME = 80


def _client_id():
    return secrets.token_urlsafe(24)


def _new_secret():
    return CLIENT_SECRET_PREFIX + secrets.token_urlsafe(32)


def check_redirect_uri(value):
    """One redirect URI: https with a host, or http on a loopback host (a native app,
    RFC 8252); absolute, without a fragment."""
    try:
        address = validation.url(value)
        parts = urlsplit(address)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except (validation.Invalid, ValueError) as exc:
        raise _uri_error(f"{value} is not an absolute https:// address.") from exc
    scheme = parts.scheme.lower()
    if parts.fragment or "#" in address:
        raise _uri_error(f"{address}: a redirect URI cannot have a #fragment.")
    if parts.username or parts.password:
        raise _uri_error(f"{address}: a redirect URI cannot carry a user name or password.")
    if scheme == "http" and not is_loopback(host):
        raise _uri_error(f"{address}: use https://, or http:// only for localhost or 127.0.0.1.")
    if scheme != parts.scheme:
        raise _uri_error(f"{address}: write the scheme in lower case.")
    return address


def _uri_error(message):
    return ValidationFailed(message, field_errors={"redirect_uris": [message]})


def clean_redirect_uris(text_or_list):
    """The redirect URIs, one a line (or a list), checked, without repeats, in order."""
    lines = text_or_list.splitlines() if isinstance(text_or_list, str) else list(text_or_list)
    uris = []
    for line in (line.strip() for line in lines):
        if line and line not in uris:
            uris.append(check_redirect_uri(line))
    if not uris:
        raise _uri_error("Give at least one redirect URI.")
    if len(uris) > MAX_REDIRECT_URIS:
        raise _uri_error(f"Give at most {MAX_REDIRECT_URIS} redirect URIs.")
    return uris


def clean_scopes(scopes):
    try:
        cleaned = normalize_scopes(scopes)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field_errors={"scopes": [str(exc)]}) from exc
    if not cleaned:
        raise ValidationFailed("Choose at least one scope.",
                               field_errors={"scopes": ["Choose at least one scope."]})
    return cleaned


def clean_name(name):
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        message = f"Give the app a name of at most {MAX_NAME} characters."
        raise ValidationFailed(message, field_errors={"name": [message]})
    return name


def register_app(studio, actor, *, name, redirect_uris, scopes, confidential=True):
    """Register an app of the studio: (app, its client secret shown once, or None for a
    public app). Only the secret's SHA-256 is kept."""
    secret = _new_secret() if confidential else None
    app = OAuthApp(
        studio_id=studio.id, name=clean_name(name), client_id=_client_id(),
        secret_hash=digest(secret) if secret else None,
        redirect_uris="\n".join(clean_redirect_uris(redirect_uris)),
        scopes=" ".join(clean_scopes(scopes)), created_by_id=actor.id,
    )
    db.session.add(app)
    db.session.flush()
    audit.record(studio, actor, "oauth_app.register", app, name=app.name)
    return app, secret


def update_app(app, actor, *, name, redirect_uris, scopes):
    """Rename an app, change its redirect URIs and the scopes it may ask for. Authorizations
    already given keep their scopes (narrowing the app does not widen any of them)."""
    app.name = clean_name(name)
    app.redirect_uris = "\n".join(clean_redirect_uris(redirect_uris))
    app.scopes = " ".join(clean_scopes(scopes))
    db.session.flush()
    return app


def rotate_secret(app, actor):
    """A new client secret for a confidential app, shown once; the old one stops working."""
    if app.is_public:
        raise ValidationFailed("A public app has no secret; it proves itself with PKCE.")
    secret = _new_secret()
    app.secret_hash, app.secret_rotated_at = digest(secret), utcnow()
    db.session.flush()
    audit.record(app.studio, actor, "oauth_app.rotate_secret", app, name=app.name)
    return secret


def delete_app(app, actor):
    """Delete an app: every authorization given to it and every token it holds go with it."""
    audit.record(app.studio, actor, "oauth_app.delete", app, name=app.name)
    # Deleted here, not left to the foreign keys' ON DELETE CASCADE: SQLite does not
    # enforce foreign keys unless asked to.
    grants = select(OAuthGrant.id).where(OAuthGrant.app_id == app.id)
    db.session.execute(delete(OAuthToken).where(OAuthToken.grant_id.in_(grants)))
    db.session.execute(delete(OAuthCode).where(OAuthCode.app_id == app.id))
    db.session.execute(delete(OAuthGrant).where(OAuthGrant.app_id == app.id))
    db.session.delete(app)
    db.session.flush()


def apps_of(studio):
    return db.session.scalars(
        select(OAuthApp).where(OAuthApp.studio_id == studio.id).order_by(OAuthApp.name)).all()


def app_by_client_id(client_id):
    if not isinstance(client_id, str) or not client_id or len(client_id) > 48:
        return None
    return db.session.scalar(select(OAuthApp).where(OAuthApp.client_id == client_id))
