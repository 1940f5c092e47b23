"""Families and their guardians."""
from decimal import Decimal

from sqlalchemy import func, or_, select

from app.accounts.models import Invitation, User
from app.accounts.services import invite_member
from app.billing.services import family_balances
from app.core import audit, validation
from app.core.db import utcnow
from app.core.errors import Conflict, PermissionDenied, ValidationFailed
from app.core.permissions import MANAGERS, PARENT, STUDENT
from app.core.search import matches
from app.core.tenancy import parse_uuid, scoped
from app.extensions import db
from app.people.models import Family, FamilyGuardian, Student
from app.people.services.common import apply_changes, reject_unknown
from app.people.services.webhook_data import announce_family

FAMILY_FIELDS = ("name", "primary_contact", "phone", "billing_email", "address", "notes")
CONTACT_FIELDS = ("phone", "billing_email", "address")
GUARDIAN_FIELDS = ("email", "first_name", "last_name", "phone", "relation")


def _role_of(studio, user):
    membership = user.membership_in(studio.id) if user is not None else None
    return membership.role if membership is not None and membership.is_active else None


def is_guardian(family, user):
    return any(g.user_id == user.id for g in family.guardians)


def _resolve_primary_contact(studio, family, changes, errors):
    if "primary_contact" not in changes:
        return
    value = changes.pop("primary_contact")
    if value in (None, ""):
        changes["primary_contact_id"] = None
        return
    user = value if isinstance(value, User) else None
    if user is None and parse_uuid(value):
        user = db.session.get(User, parse_uuid(value))
    guardian = family is not None and user is not None and is_guardian(family, user)
    if user is None or not (guardian or _role_of(studio, user) == PARENT):
        errors.add("primary_contact", "Unknown primary contact: choose a parent of this studio.")
        return
    changes["primary_contact_id"] = user.id
    changes["_primary_contact_user"] = user


def _validate_family(studio, changes, family=None):
    errors = validation.FieldErrors()
    errors.clean(changes, "name", validation.text, max_length=120, required=True,
                 missing="Enter the family's name.")
    errors.clean(changes, "phone", validation.text, max_length=40)
    errors.clean(changes, "address", validation.text, max_length=500)
    errors.clean(changes, "notes", validation.text, max_length=10000)
    errors.clean(changes, "billing_email", validation.email)
    if "billing_email" in changes and changes["billing_email"] is None:
        changes["billing_email"] = ""
    _resolve_primary_contact(studio, family, changes, errors)
    errors.raise_if_any()


def _ensure_contact_is_guardian(studio, family, user):
    if user is not None and not is_guardian(family, user):
        family.guardians.append(FamilyGuardian(
            studio_id=studio.id, user=user, email=user.email,
            first_name=user.first_name, last_name=user.last_name,
        ))


def create_family(studio, actor, **fields):
    """A new family; only `name` is required. A primary contact becomes a guardian."""
    reject_unknown(fields, FAMILY_FIELDS)
    _validate_family(studio, fields)
    contact = fields.pop("_primary_contact_user", None)
    family = Family(studio_id=studio.id, **fields)
    db.session.add(family)
    _ensure_contact_is_guardian(studio, family, contact)
    db.session.flush()
    audit.record(studio, actor, "family.created", family, name=family.name)
    return family


def update_family(studio, actor, family, **changes):
    """Change a family. Parents may change the contact details of their own family."""
    reject_unknown(changes, FAMILY_FIELDS)
    role = _role_of(studio, actor)
    if role not in MANAGERS:
        if role != PARENT or not is_guardian(family, actor):
            raise PermissionDenied("You may only change your own family's contact details.")
        forbidden = sorted(set(changes) - set(CONTACT_FIELDS))
        if forbidden:
            raise PermissionDenied(
                "Only studio admins can change: " + ", ".join(forbidden) + ".",
                field_errors={name: ["Only studio admins can change this."] for name in forbidden},
            )
    _validate_family(studio, changes, family)
    contact = changes.pop("_primary_contact_user", None)
    changed = apply_changes(family, changes)
    _ensure_contact_is_guardian(studio, family, contact)
    if changed:
        audit.record(studio, actor, "family.updated", family, fields=sorted(changed))
    db.session.flush()
    if changed:
        announce_family(studio, "family.updated", family)
    return family


def delete_family(studio, actor, family):
    """Delete a family that has no students (archived ones included: their history stays)."""
    count = db.session.scalar(select(func.count()).where(
        Student.studio_id == studio.id, Student.family_id == family.id))
    if count:
        raise Conflict(
            f"{family.name} has {count} student{'s' if count != 1 else ''}. "
            "Move them to another family before deleting this one."
        )
    audit.record(studio, actor, "family.deleted", family, name=family.name)
    db.session.delete(family)
    db.session.flush()


# ------------------------------------------------------------------ guardians

def _validate_guardian(fields, invite):
    errors = validation.FieldErrors()
    errors.clean(fields, "email", validation.email, required=invite)
    for name in ("first_name", "last_name"):
        errors.clean(fields, name, validation.text, max_length=80)
    errors.clean(fields, "phone", validation.text, max_length=40)
    errors.clean(fields, "relation", validation.text, max_length=40)
    if not fields.get("email") and not fields.get("first_name") and "email" not in errors.fields:
        errors.add("email", "Enter the guardian's email or name.")
    errors.raise_if_any()


def _guardian_with_email(family, email):
    return next((g for g in family.guardians
                 if g.email == email or (g.user is not None and g.user.email == email)), None)


def add_guardian(studio, actor, family, *, invite=False, **fields):
    """Add a parent or guardian to `family`. Returns (guardian, invitation).

    With an email of an existing member, the guardian is linked to that login. Otherwise
    the guardian is a contact; with `invite`, they are also invited to sign in as a parent
    and linked when they accept.
    """
    reject_unknown(fields, GUARDIAN_FIELDS)
    fields = {"email": None, "first_name": "", "last_name": "", "phone": "", "relation": "", **fields}
    _validate_guardian(fields, invite)
    email = fields["email"]
    if email and _guardian_with_email(family, email) is not None:
        raise ValidationFailed(field_errors={"email": ["Already a guardian of this family."]})
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    role = _role_of(studio, user)
    if role == STUDENT:
        raise ValidationFailed(field_errors={"email": ["This email belongs to a student's login."]})
    guardian = FamilyGuardian(studio_id=studio.id, **fields)
    invitation = None
    if role is not None:
        guardian.user = user
        guardian.first_name = guardian.first_name or user.first_name
        guardian.last_name = guardian.last_name or user.last_name
    elif invite:
        invitation, _link = invite_member(studio, actor, email, PARENT, first_name=fields["first_name"])
    family.guardians.append(guardian)
    if family.primary_contact_id is None and guardian.user is not None:
        family.primary_contact_id = guardian.user.id
    db.session.flush()
    audit.record(studio, actor, "family.guardian_added", family, guardian=email or guardian.full_name)
    return guardian, invitation


def invite_guardian(studio, actor, guardian):
    """Invite a guardian who has an email but no login to sign in as a parent."""
    if guardian.user_id is not None:
        raise ValidationFailed("This guardian already signs in.")
    if not guardian.email:
        raise ValidationFailed(field_errors={"email": ["Add the guardian's email first."]})
    invitation, _link = invite_member(studio, actor, guardian.email, PARENT,
                                      first_name=guardian.first_name)
    return invitation


def invite_parent(studio, actor, email, *, first_name="", family=None, family_name=""):
    """Invite a parent into a family, so that they never sign in to no family: `family` (one
    of the studio's, or its id), else a new family named `family_name`. The parent becomes a
    guardian of it at once and signs in as its parent when they accept; an address that
    already signs in to the studio is linked without an invitation.
    Returns (family, guardian, invitation or None)."""
    errors = validation.FieldErrors()
    email = errors.check("email", validation.email, email, required=True)
    if family in (None, "") and not (family_name or "").strip():
        errors.add("family_name", "A parent joins a family: choose one, or type the name of a new one.")
    errors.raise_if_any()
    family = _family_to_join(studio, actor, family, family_name)
    guardian = _guardian_with_email(family, email)
    if guardian is not None:
        if guardian.user_id is not None:
            raise ValidationFailed(field_errors={"email": [f"Already a parent of {family.name}."]})
        return family, guardian, invite_guardian(studio, actor, guardian)
    guardian, invitation = add_guardian(studio, actor, family, invite=True, email=email,
                                        first_name=first_name or "")
    return family, guardian, invitation


def _family_to_join(studio, actor, family, family_name):
    if family not in (None, ""):
        found = family if isinstance(family, Family) else db.session.scalar(
            scoped(Family, studio).where(Family.id == parse_uuid(family)))
        if found is None or found.studio_id != studio.id:
            raise ValidationFailed(field_errors={"family": ["Choose one of the studio's families."]})
        return found
    try:
        return create_family(studio, actor, name=family_name)
    except ValidationFailed as exc:
        messages = exc.field_errors.get("name", [exc.detail])
        raise ValidationFailed(field_errors={"family_name": messages}) from exc


def make_primary_contact(studio, actor, family, guardian):
    """Make a guardian the family's primary contact (one per family: the family's
    `primary_contact`). Only a guardian who signs in can be it."""
    if guardian.family_id != family.id:
        raise ValidationFailed("This guardian belongs to another family.")
    if guardian.user_id is None:
        raise ValidationFailed(f"{guardian.full_name} does not sign in yet: the primary contact is "
                               "a parent with a login. Invite them first.")
    family.primary_contact_id = guardian.user_id
    audit.record(studio, actor, "family.primary_contact_changed", family, guardian=guardian.full_name)
    db.session.flush()
    return family


def remove_guardian(studio, actor, family, guardian):
    """Remove a guardian from a family (their login, if any, stays in the studio)."""
    if guardian.family_id != family.id:
        raise ValidationFailed("This guardian belongs to another family.")
    if guardian.user_id is not None and family.primary_contact_id == guardian.user_id:
        family.primary_contact_id = None
    audit.record(studio, actor, "family.guardian_removed", family, guardian=guardian.full_name)
    family.guardians.remove(guardian)
    db.session.flush()


# ------------------------------------------------------------------ reading

def invited_guardian_emails(studio, family):
    """Emails of the family's guardians without a login who have a pending invitation."""
    emails = [g.email for g in family.guardians if g.user_id is None and g.email]
    if not emails:
        return set()
    return set(db.session.scalars(select(Invitation.email).where(
        Invitation.studio_id == studio.id, Invitation.email.in_(emails), Invitation.role == PARENT,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow(),
    )))


def families_of(studio, user):
    """The families `user` is a guardian of, by name."""
    return db.session.scalars(
        scoped(Family, studio).join(FamilyGuardian, FamilyGuardian.family_id == Family.id)
        .where(FamilyGuardian.user_id == user.id).order_by(func.lower(Family.name))
    ).all()


def balances(families):
    """{family id: balance} for many families in one go: what is due on their open
    invoices minus their unused credit (billing computes it in two queries)."""
    return family_balances(families)


def family_balance(family) -> Decimal:
    return balances([family])[family.id]


FAMILY_ORDERING = {
    "name": func.lower(Family.name),
    "created_at": Family.created_at,
}


def filter_families(stmt, *, search=None):
    """Search by family name, billing email, guardian name or email."""
    if search:
        guardian_match = select(FamilyGuardian.family_id).outerjoin(
            User, User.id == FamilyGuardian.user_id
        ).where(matches(search, FamilyGuardian.search_text, func.coalesce(User.search_text, "")))
        stmt = stmt.where(or_(matches(search, Family.search_text), Family.id.in_(guardian_match)))
    return stmt


def family_choices(studio):
    """(id, name) of every family, for select boxes."""
    rows = db.session.execute(
        select(Family.id, Family.name).where(Family.studio_id == studio.id)
        .order_by(func.lower(Family.name), Family.id)
    ).all()
    return [(str(row.id), row.name) for row in rows]
