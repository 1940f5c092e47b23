"""Third-party apps (OAuth 2.0 clients) of a studio, the authorizations people give them, the
one-time codes of the authorization-code flow, and the tokens the apps hold.

Secrets, codes and tokens are stored as their SHA-256 only: each is 256 random bits, shown
once to whoever receives it, and looked up by its digest."""
import hashlib
import hmac
import ipaddress
import uuid
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Studio, User
from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime, utcnow
from app.extensions import db

LOOPBACK_HOSTS = ("localhost",)
CONFIDENTIAL_METHODS = ("client_secret_basic", "client_secret_post")
PUBLIC_METHOD = "none"


def digest(secret):
    """The stored form of a secret, code or token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def is_loopback(host):
    """localhost or a loopback address (127.0.0.0/8, ::1): a native app's redirect (RFC 8252)."""
    if not host:
        return False
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split_words(text):
    return [word for word in (text or "").split() if word]


class OAuthApp(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A program a studio lets its members connect to their account: a client in OAuth terms.

    `client_id` is public and unique across every studio (the token endpoint knows the app
    by it alone). A confidential app (a server) has a secret and authenticates with it; a
    public one (a mobile or desktop app) has none. Both must use PKCE."""

    __tablename__ = "oauth_app"

    name: Mapped[str] = mapped_column(sa.String(80))
    client_id: Mapped[str] = mapped_column(sa.String(48), unique=True)
    secret_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # One address a line; a loopback http address matches on any port (RFC 8252 §7.3).
    redirect_uris: Mapped[str] = mapped_column(sa.Text, default="")
    # The scopes the app may ask for, space-separated (app/core/permissions.py SCOPES).
    scopes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    studio: Mapped[Studio] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_public(self):
        return self.secret_hash is None

    @property
    def redirect_uri_list(self):
        return _split_words(self.redirect_uris)

    @property
    def scope_list(self):
        return _split_words(self.scopes)


class OAuthAppClient(ClientMixin):
    """The app as Authlib's authorization server sees it."""

    def __init__(self, app):
        self.app = app

    def get_client_id(self):
        return self.app.client_id

    def get_default_redirect_uri(self):
        uris = self.app.redirect_uri_list
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope):
        """The requested scopes if the app may ask for each (None refuses the request with
        `invalid_scope`); no scope asks for every scope the app may ask for."""
        requested = _split_words(scope)
        if not requested:
            return " ".join(self.app.scope_list)
        allowed = set(self.app.scope_list)
        if not all(covered(word, allowed) for word in requested):
            return None
        return " ".join(requested)

    def check_redirect_uri(self, redirect_uri):
        return any(redirect_matches(registered, redirect_uri)
                   for registered in self.app.redirect_uri_list)

    def check_client_secret(self, client_secret):
        if self.app.secret_hash is None or not client_secret:
            return False
        return hmac.compare_digest(self.app.secret_hash, digest(client_secret))

    def check_endpoint_auth_method(self, method, endpoint):
        if self.app.is_public:
            return method == PUBLIC_METHOD
        return method in CONFIDENTIAL_METHODS

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


def covered(scope, allowed):
    """Is `scope` within `allowed`: named there, or implied (`write` covers every scope,
    `read` every `<area>:read`, `<area>:write` its `<area>:read`)?"""
    if scope in allowed or "write" in allowed:
        return True
    area, _, level = scope.partition(":")
    if level == "read":
        return "read" in allowed or f"{area}:write" in allowed
    return False


def redirect_matches(registered, presented):
    """The presented redirect URI is the registered one, character for character; for a
    loopback http address the port may differ (a native app listens on any free port)."""
    if registered == presented:
        return True
    try:
        left, right = urlsplit(registered), urlsplit(presented)
        left_host, right_host = left.hostname, right.hostname
        right.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return (left.scheme == right.scheme == "http" and is_loopback(left_host)
            and left_host == right_host and left.path == right.path
            and left.query == right.query and not right.fragment
            and not right.username and not right.password)


class OAuthGrant(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A person's "Allow" to an app: the app acts as them in the studio, with these scopes,
    until the person, an admin or the app revokes it. Its tokens live and die with it."""

    __tablename__ = "oauth_grant"

    app_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("oauth_app.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[str] = mapped_column(sa.Text, default="")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    app: Mapped[OAuthApp] = relationship()
    user: Mapped[User] = relationship()

    @property
    def scope_list(self):
        return _split_words(self.scopes)

    @property
    def is_live(self):
        return self.revoked_at is None


class OAuthCode(IdMixin, TimestampMixin, TenantMixin, AuthorizationCodeMixin, db.Model):
    """An authorization code: good once, for a few minutes, with the PKCE verifier of its
    challenge and the redirect URI it was sent to. `grant_id` is the authorization its
    exchange started: presenting the code again revokes it (RFC 6749 §4.1.2)."""

    __tablename__ = "oauth_code"

    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    app_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("oauth_app.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    redirect_uri: Mapped[str | None] = mapped_column(sa.Text)
    scopes: Mapped[str] = mapped_column(sa.Text, default="")
    code_challenge: Mapped[str] = mapped_column(sa.String(128))
    code_challenge_method: Mapped[str] = mapped_column(sa.String(8))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grant_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("oauth_grant.id", ondelete="SET NULL"), index=True
    )

    app: Mapped[OAuthApp] = relationship()
    user: Mapped[User] = relationship()

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scopes

    def is_expired(self):
        return self.expires_at <= utcnow()


class OAuthToken(IdMixin, TimestampMixin, TenantMixin, TokenMixin, db.Model):
    """An access token and the refresh token issued with it. Refreshing retires the pair and
    issues the next one in the same grant; presenting a retired refresh token revokes the
    grant (whoever holds a copy is cut off too)."""

    __tablename__ = "oauth_token"

    grant_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("oauth_grant.id", ondelete="CASCADE"), index=True
    )
    access_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[str] = mapped_column(sa.Text, default="")
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grant: Mapped[OAuthGrant] = relationship()

    @property
    def scope_list(self):
        return _split_words(self.scopes)

    def check_client(self, client):
        return self.grant.app_id == client.app.id

    def get_scope(self):
        return self.scopes

    def get_expires_in(self):
        return max(0, int((self.access_expires_at - self.created_at).total_seconds()))

    def is_expired(self):
        return self.access_expires_at <= utcnow()

    def is_revoked(self):
        return self.revoked_at is not None or self.grant.revoked_at is not None

    def get_user(self):
        return self.grant.user

    def get_client(self):
        return OAuthAppClient(self.grant.app)
