"""Accounts: sign-up, sign-in, profiles, passwords, studios, memberships, invitations."""
import hashlib
import re
import secrets
import unicodedata
import uuid
from decimal import Decimal
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from flask import current_app, url_for
from sqlalchemy import func, select

from app.accounts.models import BILLING_MODES, Invitation, Membership, RefreshToken, Studio, User
from app.accounts.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from app.core.permissions import ADMIN, ASSIGNABLE_ROLES, OWNER
from app.extensions import db
from app.messaging.services import queue_email

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


# ---------------------------------------------------------------- validation helpers

def normalize_email(email):
    return (email or "").strip().lower()


def validate_email(email, field="email"):
    email = normalize_email(email)
    if not email or len(email) > 254 or not EMAIL_RE.match(email):
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


def slugify(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "studio"
    candidate, n = slug, 2
    while db.session.scalar(select(Studio.id).where(Studio.slug == candidate)):
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


# ---------------------------------------------------------------- users

def create_user(email, password, *, first_name="", last_name="", phone=""):
    """A new login. Raises ValidationFailed on a taken email or weak password."""
    email = validate_email(email)
    ensure_email_free(email)
    if password is not None:
        validate_password(password, email)
    user = User(
        email=email, first_name=first_name.strip(), last_name=last_name.strip(),
        phone=phone.strip(), password_hash=hash_password(password) if password else None,
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
    raise NotAuthenticated("Email or password is not correct.")


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
    if "preferences" in changes:
        user.preferences = {**(user.preferences or {}), **changes.pop("preferences")}
    for name, value in changes.items():
        setattr(user, name, (value or "").strip())
    db.session.flush()
    return user


def change_password(user, current_password, new_password):
    """Check the current password, set the new one, end other sessions and API tokens."""
    if not verify_password(user.password_hash, current_password or ""):
        raise ValidationFailed(field_errors={"current_password": ["The current password is not correct."]})
    validate_password(new_password, user.email, field="new_password")
    set_password(user, new_password)


def set_password(user, password):
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 1) + 1
    revoke_all_refresh_tokens(user)
    db.session.flush()


# ---------------------------------------------------------------- studios

def _validate_studio_fields(fields):
    errors = {}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors["name"] = ["Enter the studio's name."]
        elif len(fields["name"]) > 120:
            errors["name"] = ["Use at most 120 characters."]
    if "timezone" in fields and fields["timezone"] not in available_timezones():
        errors["timezone"] = ["Choose a valid IANA timezone, like America/New_York."]
    if "currency" in fields:
        fields["currency"] = (fields["currency"] or "").upper()
        if fields["currency"] not in list_currencies():
            errors["currency"] = ["Choose an ISO 4217 currency code, like USD."]
    if "locale" in fields:
        try:
            fields["locale"] = str(Locale.parse(fields["locale"].replace("-", "_")))
        except (UnknownLocaleError, ValueError, TypeError, AttributeError):
            errors["locale"] = ["Choose a locale like en_US or fr_CA."]
    if "tax_rate" in fields:
        rate = Decimal(fields["tax_rate"])
        if not Decimal("0") <= rate <= Decimal("100") or rate.as_tuple().exponent < -2:
            errors["tax_rate"] = ["Enter a percentage between 0 and 100 with at most two decimals."]
    if "billing_mode" in fields and fields["billing_mode"] not in BILLING_MODES:
        errors["billing_mode"] = [f"Choose one of: {', '.join(BILLING_MODES)}."]
    if "invoice_prefix" in fields and not re.fullmatch(r"[A-Za-z0-9-]{1,16}", fields["invoice_prefix"] or ""):
        errors["invoice_prefix"] = ["Use 1 to 16 letters, digits or dashes."]
    for name, low, high in (
        ("invoice_due_days", 0, 365), ("cancellation_notice_hours", 0, 24 * 14),
        ("makeup_credit_expiry_days", 1, 730), ("lesson_buffer_minutes", 0, 120),
    ):
        if name in fields and not (isinstance(fields[name], int) and low <= fields[name] <= high):
            errors[name] = [f"Enter a whole number from {low} to {high}."]
    if "late_fee" in fields and Decimal(fields["late_fee"]) < 0:
        errors["late_fee"] = ["The late fee cannot be negative."]
    if errors:
        raise ValidationFailed(field_errors=errors)


STUDIO_FIELDS = (
    "name", "timezone", "currency", "locale", "tax_rate", "invoice_prefix", "invoice_due_days",
    "late_fee", "billing_mode", "cancellation_notice_hours", "makeup_credits_enabled",
    "makeup_credit_expiry_days", "lesson_buffer_minutes",
)


def create_studio(owner, name, *, timezone="America/New_York", currency="USD", locale="en_US"):
    fields = {"name": name, "timezone": timezone, "currency": currency, "locale": locale}
    _validate_studio_fields(fields)
    studio = Studio(slug=slugify(fields["name"]), **fields)
    db.session.add(studio)
    db.session.flush()
    db.session.add(Membership(studio_id=studio.id, user_id=owner.id, role=OWNER))
    db.session.flush()
    return studio


def sign_up(studio_name, first_name, last_name, email, password, timezone="America/New_York"):
    """A new studio with its first user as owner."""
    errors = {}
    if not (studio_name or "").strip():
        errors["studio_name"] = ["Enter the studio's name."]
    if not (first_name or "").strip():
        errors["first_name"] = ["Enter your first name."]
    try:
        email = validate_email(email)
        ensure_email_free(email)
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
    try:
        validate_password(password, email)
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
    if errors:
        raise ValidationFailed(field_errors=errors)
    user = create_user(email, password, first_name=first_name, last_name=last_name or "")
    studio = create_studio(user, studio_name, timezone=timezone)
    user.last_login = utcnow()
    return user, studio


def update_studio(studio, actor, **fields):
    unknown = set(fields) - set(STUDIO_FIELDS)
    if unknown:
        raise ValueError(f"not studio fields: {unknown}")
    _validate_studio_fields(fields)
    changed = {k: str(v) for k, v in fields.items() if getattr(studio, k) != v}
    for name, value in fields.items():
        setattr(studio, name, value)
    if changed:
        audit.record(studio, actor, "studio.updated", studio, **changed)
    db.session.flush()
    return studio


def active_memberships(user):
    return [m for m in user.memberships if m.is_active]


def membership_for(user, studio_id=None):
    """The membership of `user` in `studio_id`, or in their first studio when None."""
    memberships = active_memberships(user)
    if studio_id is None:
        return memberships[0] if memberships else None
    return next((m for m in memberships if m.studio_id == studio_id), None)


def list_members(studio):
    stmt = (
        select(Membership).join(User).where(Membership.studio_id == studio.id)
        .order_by(func.lower(User.first_name), func.lower(User.last_name), User.email)
    )
    return db.session.scalars(stmt).all()


def change_member_role(studio, actor, membership, role):
    if membership.studio_id != studio.id:
        raise NotFound("Member not found.")
    if membership.user_id == actor.id:
        raise PermissionDenied("You cannot change your own role.")
    if membership.role == OWNER:
        raise PermissionDenied("The owner's role changes only through an ownership transfer.")
    if role not in ASSIGNABLE_ROLES:
        raise ValidationFailed(field_errors={"role": ["Choose admin, teacher, parent or student."]})
    if role != membership.role:
        audit.record(studio, actor, "member.role_changed", membership.user,
                     old=membership.role, new=role)
        membership.role = role
    db.session.flush()
    return membership


def set_member_active(studio, actor, membership, active):
    if membership.studio_id != studio.id:
        raise NotFound("Member not found.")
    if membership.user_id == actor.id or membership.role == OWNER:
        raise PermissionDenied("You cannot deactivate yourself or the owner.")
    if membership.is_active != active:
        membership.is_active = active
        audit.record(studio, actor, "member.activated" if active else "member.deactivated",
                     membership.user)
    db.session.flush()
    return membership


def transfer_ownership(studio, actor, membership):
    owner = membership_for(actor, studio.id)
    if owner is None or owner.role != OWNER:
        raise PermissionDenied("Only the owner can transfer ownership.")
    if membership.studio_id != studio.id or not membership.is_active:
        raise NotFound("Member not found.")
    if membership.role != ADMIN:
        raise ValidationFailed("Make the person an admin first; ownership goes to an admin.")
    owner.role, membership.role = ADMIN, OWNER
    audit.record(studio, actor, "studio.ownership_transferred", membership.user)
    db.session.flush()


# ---------------------------------------------------------------- invitations

def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(studio, actor, email, role, *, first_name=""):
    """Create an invitation and queue its email. Returns (invitation, link)."""
    email = validate_email(email)
    if role not in ASSIGNABLE_ROLES:
        raise ValidationFailed(field_errors={"role": ["Choose admin, teacher, parent or student."]})
    existing = find_user_by_email(email)
    if existing is not None and existing.membership_in(studio.id) is not None:
        raise Conflict("This person is already a member of the studio.",
                       field_errors={"email": ["Already a member of this studio."]})
    now = utcnow()
    for old in db.session.scalars(select(Invitation).where(
        Invitation.studio_id == studio.id, Invitation.email == email,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
    )):
        old.revoked_at = now  # one live link per address
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        studio_id=studio.id, email=email, role=role, token_hash=_token_hash(token),
        invited_by_id=actor.id, expires_at=now + current_app.config["INVITATION_TTL"],
    )
    db.session.add(invitation)
    db.session.flush()
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "auth.accept_invitation", token=token
    )
    greeting = f"Hello {first_name.strip()}," if first_name.strip() else "Hello,"
    queue_email(
        to=email, studio=studio,
        subject=f"{actor.full_name} invited you to {studio.name} on Cadenza",
        body=(f"{greeting}\n\n{actor.full_name} invited you to join {studio.name} as "
              f"{role}.\n\nAccept the invitation here (the link works for "
              f"{current_app.config['INVITATION_TTL'].days} days):\n{link}\n"),
    )
    audit.record(studio, actor, "member.invited", invitation, email=email, role=role)
    return invitation, link


def pending_invitations(studio):
    return db.session.scalars(select(Invitation).where(
        Invitation.studio_id == studio.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow(),
    ).order_by(Invitation.created_at.desc())).all()


def revoke_invitation(studio, actor, invitation):
    if invitation.studio_id != studio.id:
        raise NotFound("Invitation not found.")
    invitation.revoked_at = utcnow()
    audit.record(studio, actor, "member.invitation_revoked", invitation, email=invitation.email)
    db.session.flush()


def find_invitation(token):
    """A pending invitation for this token, or NotFound."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _token_hash(token or ""))
    )
    if invitation is None or not invitation.is_pending:
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return invitation


def accept_invitation(token, *, user=None, first_name="", last_name="", password=None):
    """Join the studio: as the signed-in `user`, or as a new account with `password`."""
    invitation = find_invitation(token)
    if user is None:
        if find_user_by_email(invitation.email) is not None:
            raise ValidationFailed("An account with this email exists. Sign in to accept.")
        errors = {}
        if not (first_name or "").strip():
            errors["first_name"] = ["Enter your first name."]
        try:
            validate_password(password, invitation.email)
        except ValidationFailed as exc:
            errors.update(exc.field_errors)
        if errors:
            raise ValidationFailed(field_errors=errors)
        user = create_user(invitation.email, password, first_name=first_name, last_name=last_name)
    elif normalize_email(user.email) != invitation.email:
        raise PermissionDenied(f"This invitation is for {invitation.email}.")
    membership = user.membership_in(invitation.studio_id)
    if membership is None:
        membership = Membership(studio_id=invitation.studio_id, user_id=user.id, role=invitation.role)
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    db.session.flush()
    db.session.refresh(user)
    return user, membership


# ---------------------------------------------------------------- API refresh tokens

def store_refresh_token(user, jti, expires_at, family_id=None):
    token = RefreshToken(jti=jti, user_id=user.id, expires_at=expires_at,
                         family_id=family_id or uuid.uuid4())
    db.session.add(token)
    db.session.flush()
    return token


def use_refresh_token(jti, user_id):
    """Validate a presented refresh token and retire it. Reuse of a retired token revokes
    its whole family."""
    token = db.session.scalar(select(RefreshToken).where(RefreshToken.jti == jti))
    if token is None or str(token.user_id) != str(user_id):
        raise NotAuthenticated("The refresh token is not valid.")
    if token.revoked_at is not None:
        if token.replaced_by_jti:
            revoke_family(token.family_id)
            # The request answers 401 and so rolls back; the revocation must outlive it.
            db.session.commit()
        raise NotAuthenticated("The refresh token has been revoked.")
    if token.expires_at <= utcnow():
        raise NotAuthenticated("The refresh token has expired.")
    if not token.user.is_active:
        raise NotAuthenticated("This account is deactivated.")
    token.revoked_at = utcnow()
    return token


def revoke_family(family_id):
    now = utcnow()
    for token in db.session.scalars(select(RefreshToken).where(
        RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None)
    )):
        token.revoked_at = now
    db.session.flush()


def revoke_all_refresh_tokens(user):
    now = utcnow()
    for token in db.session.scalars(select(RefreshToken).where(
        RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None)
    )):
        token.revoked_at = now
