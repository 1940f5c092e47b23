"""Users: creating, signing in, profiles and passwords, and the email and password rules."""
import re

from sqlalchemy import select, update

from app.accounts.models import PasswordReset, User
from app.accounts.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from app.accounts.services import sign_ins
from app.core import validation
from app.core.db import utcnow
from app.core.errors import BadCredentials, ValidationFailed
from app.extensions import db

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


# ---------------------------------------------------------------- validation helpers

def normalize_email(email):
    return (email or "").strip().lower()


def validate_email(email, field="email"):
    email = normalize_email(email)
    if not email or len(email) > 254 or not EMAIL_RE.match(email) or "\x00" in email:
        raise ValidationFailed(field_errors={field: ["Enter a valid email address."]})
    return email


def validate_password(password, email, field="password"):
    problems = []
    if len(password or "") < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    elif normalize_email(password) == normalize_email(email):
        problems.append("The password may not be your email address.")
    if problems:
        raise ValidationFailed(field_errors={field: problems})


def find_user_by_email(email):
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def ensure_email_free(email, field="email", except_user=None):
    existing = find_user_by_email(email)
    if existing is not None and existing is not except_user:
        raise ValidationFailed(field_errors={field: ["An account with this email already exists."]})


# ---------------------------------------------------------------- users

def create_user(email, password, *, first_name="", last_name="", phone=""):
    """A new login. Raises ValidationFailed on a taken email or weak password."""
    email = validate_email(email)
    ensure_email_free(email)
    if password is not None:
        validate_password(password, email)
    user = User(
        email=email, first_name=(first_name or "").strip(), last_name=(last_name or "").strip(),
        phone=(phone or "").strip(), password_hash=hash_password(password) if password else None,
        preferences={},
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email, password):
    """The active user with these credentials, or NotAuthenticated (one message for all)."""
    user = find_user_by_email(email)
    if user is None:
        dummy_verify(password or "")
    elif user.is_active and verify_password(user.password_hash, password or ""):
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login = utcnow()
        return user
    raise BadCredentials("Email or password is not correct.")


PROFILE_FIELDS = ("first_name", "last_name", "phone", "avatar", "email", "preferences")


def update_profile(user, **changes):
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {unknown}")
    if "email" in changes:
        email = validate_email(changes.pop("email"))
        if email != user.email:
            ensure_email_free(email, except_user=user)
            user.email = email
    if "avatar" in changes:
        changes["avatar"] = validation.field("avatar", validation.url, changes["avatar"] or "")
    if "preferences" in changes:
        preferences = dict(changes.pop("preferences"))
        if preferences.get("timezone") is not None:
            preferences["timezone"] = validation.field(
                "preferences.timezone", validation.timezone, preferences["timezone"])
        user.preferences = {**(user.preferences or {}), **preferences}
    for name, value in changes.items():
        setattr(user, name, (value or "").strip())
    db.session.flush()
    return user


def change_password(user, current_password, new_password, *, keep_sign_in=None):
    """Check the current password, set the new one, end every sign-in (browser sessions and
    API tokens) but `keep_sign_in`, the id of the one making the change, if given."""
    if not verify_password(user.password_hash, current_password or ""):
        raise ValidationFailed(field_errors={"current_password": ["The current password is not correct."]})
    validate_password(new_password, user.email, field="new_password")
    set_password(user, new_password, keep_sign_in=keep_sign_in)


def set_password(user, password, *, keep_sign_in=None):
    """Store the new password; every sign-in but `keep_sign_in` ends, and every password
    reset link of the user stops working."""
    user.password_hash = hash_password(password)
    sign_ins.end_sign_ins(user, keep=keep_sign_in)
    db.session.execute(update(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None),
    ).values(used_at=utcnow()).execution_options(synchronize_session=False))
    db.session.flush()
