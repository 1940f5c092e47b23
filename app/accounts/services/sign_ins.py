"""Sign-ins: every browser session and API token family of a user, on the server.

A sign-in is live until it ends (sign-out, "sign out everywhere", a password change, a
replayed refresh token) or sits unused for SESSION_IDLE_TIMEOUT. Each request loads its user
through the sign-in, so an ended one stops working at once, whatever cookie or token a
client still holds."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from app.accounts.models import Membership, RefreshToken, SignIn, User
from app.core.db import utcnow
from app.core.errors import NotAuthenticated, NotFound
from app.core.tenancy import parse_uuid
from app.extensions import db

# last_seen_at is written at most this often, not on every request.
SEEN_PRECISION = timedelta(minutes=5)

# The live sign-in with its user, memberships and studios: every request's one lookup.
_LIVE_WITH_USER = select(SignIn).where(
    SignIn.id == bindparam("sign_in_id"), SignIn.kind == bindparam("kind"),
    SignIn.ended_at.is_(None), SignIn.last_seen_at > bindparam("idle_since"),
).options(joinedload(SignIn.user).joinedload(User.memberships).joinedload(Membership.studio))


def _idle_since():
    return utcnow() - current_app.config["SESSION_IDLE_TIMEOUT"]


def start_sign_in(user, kind, *, ip="", user_agent=""):
    """A new sign-in of `user` from this device; it becomes the user's current one."""
    now = utcnow()
    sign_in = SignIn(user_id=user.id, kind=kind, ip=(ip or "")[:45],
                     user_agent=(user_agent or "")[:255], last_seen_at=now)
    db.session.add(sign_in)
    db.session.flush()
    user.current_sign_in = sign_in
    return sign_in


def signed_in_user(sign_in_id, kind, *, ip=""):
    """The active user of a live sign-in of this kind, with memberships and studios loaded
    (None if the sign-in is unknown, ended or idle). Records when and where it was last seen."""
    sign_in_id = parse_uuid(sign_in_id)
    if sign_in_id is None:
        return None
    sign_in = db.session.scalars(_LIVE_WITH_USER, {
        "sign_in_id": sign_in_id, "kind": kind, "idle_since": _idle_since(),
    }).unique().one_or_none()
    if sign_in is None or not sign_in.user.is_active:
        return None
    now = utcnow()
    if now - sign_in.last_seen_at >= SEEN_PRECISION or (ip and ip != sign_in.ip):
        sign_in.last_seen_at, sign_in.ip = now, (ip or sign_in.ip)[:45]
    sign_in.user.current_sign_in = sign_in
    return sign_in.user


def live_sign_ins(user):
    """The user's live sign-ins, the most recently used first."""
    return db.session.scalars(select(SignIn).where(
        SignIn.user_id == user.id, SignIn.ended_at.is_(None), SignIn.last_seen_at > _idle_since(),
    ).order_by(SignIn.last_seen_at.desc(), SignIn.created_at.desc())).all()


def end_sign_in(sign_in):
    """Sign this device out: the sign-in ends and its refresh tokens are revoked."""
    now = utcnow()
    sign_in.ended_at = sign_in.ended_at or now
    db.session.execute(update(RefreshToken).where(
        RefreshToken.family_id == sign_in.id, RefreshToken.revoked_at.is_(None),
    ).values(revoked_at=now).execution_options(synchronize_session=False))
    db.session.flush()


def end_sign_in_of(user, sign_in_id):
    """End one of the user's own live sign-ins (NotFound for anyone else's)."""
    sign_in_id = parse_uuid(sign_in_id)
    sign_in = sign_in_id and db.session.scalar(select(SignIn).where(
        SignIn.id == sign_in_id, SignIn.user_id == user.id, SignIn.ended_at.is_(None),
    ))
    if sign_in is None:
        raise NotFound("That session has already ended.")
    end_sign_in(sign_in)
    return sign_in


def end_sign_ins(user, *, keep=None):
    """End every sign-in of the user, browsers and API clients, but `keep` (a sign-in id)."""
    now = utcnow()
    sign_ins = update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
    tokens = update(RefreshToken).where(RefreshToken.user_id == user.id,
                                        RefreshToken.revoked_at.is_(None))
    if keep is not None:
        sign_ins, tokens = sign_ins.where(SignIn.id != keep), tokens.where(RefreshToken.family_id != keep)
    for statement, values in ((sign_ins, {"ended_at": now}), (tokens, {"revoked_at": now})):
        db.session.execute(statement.values(**values).execution_options(synchronize_session=False))
    if user.current_sign_in is not None and user.current_sign_in.id != keep:
        db.session.expire(user.current_sign_in)
    db.session.flush()


# ---------------------------------------------------------------- API refresh tokens

def store_refresh_token(user, jti, expires_at, sign_in):
    token = RefreshToken(jti=jti, user_id=user.id, expires_at=expires_at, family_id=sign_in.id)
    db.session.add(token)
    db.session.flush()
    return token


def use_refresh_token(jti, user_id, *, ip=""):
    """Retire a presented refresh token and return it, or NotAuthenticated. Retiring is one
    conditional UPDATE, so of many clients presenting the same token at once exactly one
    wins. Presenting a rotated token again ends its whole sign-in."""
    now, user_id = utcnow(), parse_uuid(user_id)
    if user_id is None:
        raise NotAuthenticated("The refresh token is not valid.")
    retired = db.session.execute(update(RefreshToken).where(
        RefreshToken.jti == jti, RefreshToken.user_id == user_id,
        RefreshToken.revoked_at.is_(None), RefreshToken.expires_at > now,
    ).values(revoked_at=now).execution_options(synchronize_session=False)).rowcount
    token = db.session.scalar(select(RefreshToken).where(RefreshToken.jti == jti)
                              .execution_options(populate_existing=True))
    if token is None or token.user_id != user_id:
        raise NotAuthenticated("The refresh token is not valid.")
    if not retired:
        _refuse(token)
    sign_in = db.session.get(SignIn, token.family_id)
    if sign_in is None or sign_in.ended_at is not None:
        raise NotAuthenticated("The refresh token has been revoked.")
    if not sign_in.user.is_active:
        raise NotAuthenticated("This account is deactivated.")
    sign_in.last_seen_at, sign_in.ip = now, (ip or sign_in.ip)[:45]
    return token, sign_in


def _refuse(token):
    if token.revoked_at is None:
        raise NotAuthenticated("The refresh token has expired.")
    if token.replaced_by_jti:
        sign_in = db.session.get(SignIn, token.family_id)
        if sign_in is not None:
            end_sign_in(sign_in)
        # The request answers 401 and so rolls back; the ending must outlive it.
        db.session.commit()
    raise NotAuthenticated("The refresh token has been revoked.")
