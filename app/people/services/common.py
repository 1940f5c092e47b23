"""Validation helpers the people services share: they collect field errors, then raise once."""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.accounts.services import EMAIL_RE, normalize_email
from app.core.errors import ValidationFailed
from app.core.tenancy import parse_uuid
from app.extensions import db

MAX_TAGS = 20
MAX_TAG_LENGTH = 60
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_MONEY = Decimal("9999999999.99")


class Errors:
    """Field errors gathered while checking a set of changes."""

    def __init__(self):
        self.fields = {}

    def add(self, field, message):
        self.fields.setdefault(field, []).append(message)

    def __bool__(self):
        return bool(self.fields)

    def raise_if_any(self):
        if self.fields:
            raise ValidationFailed(field_errors=self.fields)


def clean_text(changes, errors, name, max_length, *, required=False, label="this field"):
    """Strip a text value in `changes` (if present) and check its length."""
    if name not in changes:
        return
    value = (changes[name] or "").strip()
    if required and not value:
        errors.add(name, f"Enter {label}.")
    elif len(value) > max_length:
        errors.add(name, f"Use at most {max_length} characters.")
    changes[name] = value


def clean_email(changes, errors, name, *, required=False):
    """Lower-case and check an optional email; '' becomes None."""
    if name not in changes:
        return
    value = normalize_email(changes[name])
    if not value:
        if required:
            errors.add(name, "Enter an email address.")
        changes[name] = None
    elif len(value) > 254 or not EMAIL_RE.match(value):
        errors.add(name, "Enter a valid email address.")
    else:
        changes[name] = value


def clean_tags(changes, errors, name):
    """A list of short labels, lower-cased, without blanks or repeats ("Piano, theory")."""
    if name not in changes:
        return
    raw = changes[name] or []
    if isinstance(raw, str):
        raw = raw.split(",")
    tags = []
    for item in raw:
        tag = " ".join(str(item).split()).lower()
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        errors.add(name, f"Use at most {MAX_TAGS} entries.")
    elif any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        errors.add(name, f"Keep each entry under {MAX_TAG_LENGTH} characters.")
    changes[name] = tags


def clean_money(changes, errors, name):
    """An optional non-negative amount with at most two decimals."""
    if name not in changes or changes[name] in (None, ""):
        if name in changes:
            changes[name] = None
        return
    try:
        amount = Decimal(str(changes[name]).strip())
    except InvalidOperation:
        errors.add(name, "Enter an amount like 45.00.")
        return
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        errors.add(name, "Enter an amount with at most two decimals.")
    elif amount < 0 or amount > MAX_MONEY:
        errors.add(name, "Enter an amount of zero or more.")
    else:
        changes[name] = amount.quantize(Decimal("0.01"))


def clean_birth_date(changes, errors, name="date_of_birth"):
    if name not in changes or changes[name] is None:
        return
    value = changes[name]
    if not isinstance(value, date):
        errors.add(name, "Enter a date as YYYY-MM-DD.")
    elif value > date.today():
        errors.add(name, "The birth date cannot be in the future.")
    elif value.year < 1900:
        errors.add(name, "Enter a birth date after 1900.")


def clean_color(changes, errors, name="calendar_color"):
    if name not in changes:
        return
    value = (changes[name] or "").strip()
    if not COLOR_RE.match(value):
        errors.add(name, "Choose a colour like #5b3cc4.")
    else:
        changes[name] = value.lower()


def resolve_reference(changes, errors, name, model, studio, *, label, attribute=None):
    """Turn an id in `changes[name]` into a row of `studio`; unknown ids are field errors.

    A referenced id that does not exist in the caller's studio is reported as
    "Unknown <label>." (400), never as 404: only ids in the URL answer 404.
    """
    if name not in changes:
        return
    value = changes.pop(name)
    target = attribute or name
    if value in (None, ""):
        changes[target] = None
        return
    if isinstance(value, model):
        found = value if value.studio_id == studio.id else None
    else:
        object_id = parse_uuid(value)
        found = object_id and db.session.scalar(
            select(model).where(model.studio_id == studio.id, model.id == object_id)
        )
    if found is None:
        errors.add(name, f"Unknown {label}.")
    else:
        changes[target] = found


def reject_unknown(changes, allowed):
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"unexpected fields: {sorted(unknown)}")


def apply_changes(obj, changes):
    """Set attributes; returns the names whose values changed."""
    changed = []
    for name, value in changes.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed
