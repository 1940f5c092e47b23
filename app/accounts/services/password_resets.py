"""Password reset by an emailed link: single use, expiring, and silent about which emails
have an account."""
import hashlib
import secrets

from flask import current_app
from sqlalchemy import select, update

from app.accounts.models import PasswordReset
from app.accounts.services.users import (
    find_user_by_email,
    set_password,
    validate_email,
    validate_password,
)
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.core.links import public_url
from app.extensions import db
from app.messaging.services import send_templated

SUBJECT = "Choose a new Cadenza password"
# The one answer to a reset request, whether or not the email has an account.
PASSWORD_RESET_SENT = ("If an account exists for this email, we have sent it a link to choose "  # noqa: S105
                       "a new password.")
INVALID_LINK = ("This password reset link does not work any more: it was used already, it "
                "expired, or it was not copied whole. Ask for a new one.")


def _token_hash(token):
    return hashlib.sha256((token or "").encode()).hexdigest()


def reset_link_lifetime():
    """How long a reset link works, in words: "1 hour", "30 minutes"."""
    minutes = int(current_app.config["PASSWORD_RESET_TTL"].total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def request_password_reset(email, *, ip=""):
    """Email a reset link to the active account with this email, if there is one.

    Returns nothing either way: the caller answers the same whether or not the email has an
    account. Earlier links stay valid until they expire or one of them is used."""
    email = validate_email(email)
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(
        user_id=user.id, token_hash=_token_hash(token), requested_from=(ip or "")[:45],
        expires_at=utcnow() + current_app.config["PASSWORD_RESET_TTL"],
    ))
    send_templated(
        user.email, SUBJECT, "password_reset", first_name=user.first_name, email=user.email,
        lifetime=reset_link_lifetime(), link=public_url("auth.reset_password", token=token))
    db.session.flush()


def find_password_reset(token):
    """The unused, unexpired reset of this link, or ValidationFailed on `token`."""
    reset = db.session.scalar(select(PasswordReset).where(
        PasswordReset.token_hash == _token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow() \
            or not reset.user.is_active:
        raise ValidationFailed(INVALID_LINK, field_errors={"token": [INVALID_LINK]})
    return reset


def reset_password(token, password):
    """Set a new password with a reset link and return its user. The link is spent by one
    conditional UPDATE, so of two uses at once exactly one succeeds; every sign-in of the
    user (browser sessions, API tokens) ends, and so do the user's other links."""
    reset = find_password_reset(token)
    user = reset.user
    validate_password(password, user.email)
    now = utcnow()
    spent = db.session.execute(update(PasswordReset).where(
        PasswordReset.id == reset.id, PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > now,
    ).values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if not spent:
        raise ValidationFailed(INVALID_LINK, field_errors={"token": [INVALID_LINK]})
    set_password(user, password)
    return user
