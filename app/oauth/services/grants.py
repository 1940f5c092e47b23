"""Authorizations people gave apps, and the tokens apps hold under them."""
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app.accounts import services as accounts
from app.core.db import utcnow
from app.extensions import db
from app.oauth.models import OAuthApp, OAuthCode, OAuthGrant, OAuthToken, digest

ACCESS_TOKEN_PREFIX = "cdz_at_"  # noqa: S105 - a prefix, not a token
REFRESH_TOKEN_PREFIX = "cdz_rt_"  # noqa: S105
ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_DAYS = 90
CODE_SECONDS = 600
# Grant.last_used_at is written at most this often per grant, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def new_access_token():
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_refresh_token():
    return REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(48)


# ------------------------------------------------------------------ codes

def save_code(app, user, code, *, redirect_uri, scopes, challenge, method):
    """Keep an authorization code's digest for CODE_SECONDS."""
    row = OAuthCode(
        studio_id=app.studio_id, app_id=app.id, user_id=user.id, code_hash=digest(code),
        redirect_uri=redirect_uri, scopes=" ".join(scopes), code_challenge=challenge,
        code_challenge_method=method, expires_at=utcnow() + timedelta(seconds=CODE_SECONDS),
    )
    db.session.add(row)
    db.session.flush()
    return row


def find_code(code, app):
    """The live code of `app`, or None. A code presented again after its exchange revokes
    the authorization the exchange started (RFC 6749 §4.1.2), committed at once since the
    request answers an error and rolls back."""
    if not isinstance(code, str) or len(code) > 256:
        return None
    row = db.session.scalar(select(OAuthCode).where(OAuthCode.code_hash == digest(code)))
    if row is None or row.app_id != app.id:
        return None
    if row.used_at is not None:
        if row.grant_id is not None:
            revoke_grant(db.session.get(OAuthGrant, row.grant_id))
            db.session.commit()
        return None
    return None if row.is_expired() else row


def use_code(row):
    """Spend the code: one conditional UPDATE, so of two exchanges at once exactly one wins."""
    spent = db.session.execute(
        update(OAuthCode).where(OAuthCode.id == row.id, OAuthCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    return bool(spent)


# ------------------------------------------------------------------ grants and tokens

def start_grant(code_row):
    """The authorization an exchanged code starts."""
    grant = OAuthGrant(studio_id=code_row.studio_id, app_id=code_row.app_id,
                       user_id=code_row.user_id, scopes=code_row.scopes)
    db.session.add(grant)
    db.session.flush()
    code_row.grant_id = grant.id
    return grant


def store_tokens(grant, access_token, refresh_token, scopes):
    now = utcnow()
    row = OAuthToken(
        studio_id=grant.studio_id, grant_id=grant.id, access_hash=digest(access_token),
        refresh_hash=digest(refresh_token) if refresh_token else None, scopes=scopes,
        access_expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
        refresh_expires_at=now + timedelta(days=REFRESH_TOKEN_DAYS) if refresh_token else None,
    )
    db.session.add(row)
    grant.last_used_at = now
    db.session.flush()
    return row


def _token_by(column, value, prefix):
    if not isinstance(value, str) or not value.startswith(prefix) or len(value) > 256:
        return None
    return db.session.scalar(
        select(OAuthToken).options(joinedload(OAuthToken.grant)).where(column == digest(value)))


def token_by_access(value):
    return _token_by(OAuthToken.access_hash, value, ACCESS_TOKEN_PREFIX)


def token_by_refresh(value):
    return _token_by(OAuthToken.refresh_hash, value, REFRESH_TOKEN_PREFIX)


def find_refresh_token(value):
    """The live token row of a refresh token, or None. A retired (rotated) refresh token
    presented again revokes its grant, committed at once: someone holds a copy."""
    row = token_by_refresh(value)
    if row is None or row.grant.revoked_at is not None:
        return None
    if row.revoked_at is not None:
        revoke_grant(row.grant)
        db.session.commit()
        return None
    if row.refresh_expires_at is None or row.refresh_expires_at <= utcnow():
        return None
    if accounts.membership_for(row.grant.user, row.grant.studio_id) is None:
        return None
    return row


def retire_token(row):
    """Retire a token pair on refresh: one conditional UPDATE, so two refreshes with the
    same token cannot both succeed."""
    retired = db.session.execute(
        update(OAuthToken).where(OAuthToken.id == row.id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    return bool(retired)


def revoke_grant(grant):
    """End an authorization: every token of it answers 401 from the next request."""
    if grant is not None and grant.revoked_at is None:
        grant.revoked_at = utcnow()
        db.session.flush()
    return grant


def note_use(grant):
    now = utcnow()
    if grant.last_used_at is None or now - grant.last_used_at >= LAST_USED_PRECISION:
        grant.last_used_at = now


def principal_parts(row):
    """(user, studio, role, scopes) an access token acts with, or None when its grant is
    revoked, it expired, or its user is no longer an active member of the studio."""
    grant = row.grant
    if row.is_expired() or row.is_revoked():
        return None
    membership = accounts.membership_for(grant.user, grant.studio_id)
    if membership is None:
        return None
    note_use(grant)
    return grant.user, membership.studio, membership.role, frozenset(row.scope_list)


# ------------------------------------------------------------------ who sees which grants

def _live_grants():
    return (select(OAuthGrant)
            .options(joinedload(OAuthGrant.app), joinedload(OAuthGrant.user))
            .where(OAuthGrant.revoked_at.is_(None))
            .order_by(OAuthGrant.created_at.desc()))


def grants_in_studio(studio):
    """Every live authorization given to an app in the studio, newest first."""
    return db.session.scalars(_live_grants().where(OAuthGrant.studio_id == studio.id)).all()


def grants_of_user(user):
    """The user's own live authorizations, in every studio, newest first."""
    return db.session.scalars(
        _live_grants().options(joinedload(OAuthGrant.app).joinedload(OAuthApp.studio))
        .where(OAuthGrant.user_id == user.id)).all()
