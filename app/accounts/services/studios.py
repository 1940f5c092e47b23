"""Studios and their memberships: sign-up, settings, members' roles, ownership."""
import re
import unicodedata

from babel import Locale, UnknownLocaleError
from sqlalchemy import func, select

from app.accounts.models import BILLING_MODES, CLASSMATE_NAMES, Membership, Studio, User
from app.accounts.services.users import create_user, ensure_email_free, validate_email, validate_password
from app.core import audit, validation
from app.core.db import utcnow
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.permissions import ADMIN, ASSIGNABLE_ROLES, OWNER
from app.core.search import matches
from app.extensions import db


def slugify(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "studio"
    candidate, n = slug, 2
    while db.session.scalar(select(Studio.id).where(Studio.slug == candidate)):
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


# ---------------------------------------------------------------- studios

MAX_REMINDER_LEAD_HOURS = 24 * 7  # lesson reminders go at most a week ahead


def _validate_studio_fields(fields):
    errors = {}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors["name"] = ["Enter the studio's name."]
        elif len(fields["name"]) > 120:
            errors["name"] = ["Use at most 120 characters."]
    for name, kind in (("timezone", validation.timezone), ("currency", validation.currency)):
        if name in fields:
            try:
                fields[name] = kind(fields[name])
            except validation.Invalid as exc:
                errors[name] = [exc.message]
    if "locale" in fields:
        try:
            fields["locale"] = str(Locale.parse(fields["locale"].replace("-", "_")))
        except (UnknownLocaleError, ValueError, TypeError, AttributeError):
            errors["locale"] = ["Choose a locale like en_US or fr_CA."]
    if "tax_rate" in fields:
        try:
            fields["tax_rate"] = validation.money(fields["tax_rate"], minimum=0, maximum=100)
        except validation.Invalid:
            errors["tax_rate"] = ["Enter a percentage between 0 and 100 with at most two decimals."]
    for name, choices in (("billing_mode", BILLING_MODES), ("classmate_names", CLASSMATE_NAMES)):
        if name in fields:
            try:
                validation.choice(fields[name], choices=choices)
            except validation.Invalid as exc:
                errors[name] = [exc.message]
    if "invoice_prefix" in fields and not re.fullmatch(r"[A-Za-z0-9-]{1,16}", fields["invoice_prefix"] or ""):
        errors["invoice_prefix"] = ["Use 1 to 16 letters, digits or dashes."]
    for name, low, high in (
        ("invoice_due_days", 0, 365), ("cancellation_notice_hours", 0, 24 * 14),
        ("makeup_credit_expiry_days", 1, 730), ("lesson_buffer_minutes", 0, 120),
        ("reminder_lead_hours", 0, MAX_REMINDER_LEAD_HOURS),
    ):
        if name in fields and not (isinstance(fields[name], int) and low <= fields[name] <= high):
            errors[name] = [f"Enter a whole number from {low} to {high}."]
    if "teachers_see_all_students" in fields and not isinstance(fields["teachers_see_all_students"], bool):
        errors["teachers_see_all_students"] = ["Choose true or false."]
    if "late_fee" in fields:
        try:
            fields["late_fee"] = validation.money(fields["late_fee"], minimum=0)
        except validation.Invalid as exc:
            errors["late_fee"] = ["The late fee cannot be negative." if "negative" in exc.message
                                  else exc.message]
    for name, max_length in DETAIL_LENGTHS.items():
        if name in fields:
            try:
                fields[name] = validation.text(fields[name], max_length=max_length)
            except validation.Invalid as exc:
                errors[name] = [exc.message]
            else:
                if "\x00" in fields[name]:  # PostgreSQL cannot store it
                    errors[name] = ["Remove the NUL character from the text."]
    if errors:
        raise ValidationFailed(field_errors=errors)


# What invoices print about the studio (all optional text), with the longest each may be.
DETAIL_LENGTHS = {
    "address_line1": 120, "address_line2": 120, "city": 80, "region": 80, "postal_code": 20,
    "country": 80, "tax_id": 40, "payment_instructions": 2000,
}
DETAIL_FIELDS = tuple(DETAIL_LENGTHS)

STUDIO_FIELDS = (
    "name", "timezone", "currency", "locale", "tax_rate", "invoice_prefix", "invoice_due_days",
    "late_fee", "billing_mode", "cancellation_notice_hours", "makeup_credits_enabled",
    "makeup_credit_expiry_days", "lesson_buffer_minutes", "classmate_names", "teachers_see_all_students",
    "reminder_lead_hours", *DETAIL_FIELDS,
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


def dismiss_checklist(studio, actor):
    """Hide the onboarding checklist from the studio's dashboard for good."""
    if studio.checklist_dismissed_at is None:
        studio.checklist_dismissed_at = utcnow()
        audit.record(studio, actor, "studio.checklist_dismissed", studio)
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


def list_members(studio, search=None):
    """The studio's members by name; `search` matches names and emails, whatever the case
    and accents."""
    stmt = (
        select(Membership).join(User).where(Membership.studio_id == studio.id)
        .order_by(func.lower(User.first_name), func.lower(User.last_name), User.email)
    )
    if search:
        stmt = stmt.where(matches(search, User.search_text))
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
