"""API keys: made by an owner or admin, shown once, looked up by the SHA-256 of the secret on
every request, revoked at once.

A key is `cdz_live_` and 40 random letters and digits (about 238 bits). Only its SHA-256 is
stored (the secret is random and long: a plain hash cannot be reversed, and needs no app
secret, so rotating SECRET_KEY leaves keys working), with its first characters (`prefix`)
to tell keys apart on the page.
"""
import hashlib
import secrets
import string
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, Studio, User
from app.core import audit, validation
from app.core.db import utcnow
from app.core.permissions import MANAGERS, normalize_scopes
from app.core.timeutil import day_bounds, to_local
from app.developer.models import ApiKey
from app.extensions import db

KEY_PREFIX = "cdz_live_"
SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 40
SHOWN_LENGTH = len(KEY_PREFIX) + 4  # "cdz_live_AbCd", then "…" on the page
MAX_NAME_LENGTH = 80
USE_PRECISION = timedelta(minutes=1)  # last_used_at is written at most this often per key


def is_api_key(credential):
    """Is this credential an API key (and not a JWT, which starts `eyJ`)?"""
    return credential.startswith(KEY_PREFIX)


def hash_secret(secret):
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def studio_api_keys(studio):
    """SELECT of the studio's keys, revoked and expired ones included, newest first."""
    return (select(ApiKey).where(ApiKey.studio_id == studio.id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id))


def list_api_keys(studio):
    """The studio's keys, newest first, with their creators."""
    return db.session.scalars(studio_api_keys(studio).options(selectinload(ApiKey.created_by))).all()


def create_api_key(studio, actor, *, name, scopes, expires_at=None):
    """Make a key for `studio`: returns (key, secret). The secret is not kept: whoever asked
    sees it now or never. `scopes` must name at least one of SCOPES; `expires_at`, when
    given, must be in the future."""
    errors = validation.FieldErrors()
    name = errors.check("name", validation.text, name, max_length=MAX_NAME_LENGTH,
                        required=True, missing="Name the key (what uses it).")
    scopes = _checked_scopes(errors, scopes)
    if expires_at is not None and expires_at <= utcnow():
        errors.add("expires_at", "Choose a moment in the future.")
    errors.raise_if_any()
    secret = KEY_PREFIX + "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    key = ApiKey(studio_id=studio.id, name=name, prefix=secret[:SHOWN_LENGTH],
                 secret_hash=hash_secret(secret), scopes=list(scopes), expires_at=expires_at,
                 created_by_id=actor.id, last_used_ip="")
    db.session.add(key)
    db.session.flush()
    audit.record(studio, actor, "api_key.created", key, name=name, scopes=list(scopes))
    return key, secret


def _checked_scopes(errors, scopes):
    if not scopes:
        errors.add("scopes", "Choose at least one scope.")
        return ()
    try:
        return normalize_scopes(scopes)
    except ValueError as exc:
        errors.add("scopes", f"{str(exc).capitalize()}.")
        return ()


def end_of_day(studio, day):
    """The moment a key that expires on `day` (the studio's local date) stops working."""
    validation.field("expires_on", validation.in_date_range, day)
    return day_bounds(studio, day, day)[1]


def last_day(studio, key):
    """The studio's local date a key expires at the end of (as the page set it), or None when
    it expires at another moment (or never)."""
    if key.expires_at is None:
        return None
    local = to_local(studio, key.expires_at)
    if (local.hour, local.minute, local.second, local.microsecond) != (0, 0, 0, 0):
        return None
    return local.date() - timedelta(days=1)


def revoke_api_key(studio, actor, key):
    """Revoke the key now: its next request, on any server, answers 401. Revoking a revoked
    key changes nothing."""
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        db.session.flush()
        audit.record(studio, actor, "api_key.revoked", key, name=key.name)
    return key


_LIVE_KEY = (
    select(ApiKey, User, Studio)
    .join(User, User.id == ApiKey.created_by_id)
    .join(Studio, Studio.id == ApiKey.studio_id)
    .join(Membership, (Membership.studio_id == ApiKey.studio_id)
          & (Membership.user_id == ApiKey.created_by_id))
    .where(ApiKey.revoked_at.is_(None), User.is_active.is_(True),
           Membership.is_active.is_(True), Membership.role.in_(MANAGERS))
)


def authenticate_api_key(secret, *, ip=""):
    """(key, creator, studio) of a live key, in one query by the secret's hash, or None: the
    key is unknown, revoked or expired, or its creator is no longer an active owner or admin
    of its studio. Nothing is cached, so revoking takes effect on every process at once.
    When the key was last used more than a minute ago, one UPDATE records when and where."""
    now = utcnow()
    row = db.session.execute(_LIVE_KEY.where(
        ApiKey.secret_hash == hash_secret(secret),
        or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
    )).one_or_none()
    if row is None:
        return None
    key, user, studio = row
    if key.last_used_at is None or now - key.last_used_at >= USE_PRECISION:
        _record_use(key, now, ip)
    return key, user, studio


def _record_use(key, now, ip):
    """One conditional UPDATE (no row loaded again; concurrent requests write it once). The
    studio_id term tells core.versions which studio's tables change, without a query."""
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.studio_id == key.studio_id, ApiKey.id == key.id,
               or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - USE_PRECISION))
        .values(last_used_at=now, last_used_ip=(ip or "")[:45])
        .execution_options(synchronize_session=False)
    )
