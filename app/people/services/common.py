"""What the people services share: the kinds of value only people have (tags, a birth date,
a calendar colour), checked like core/validation's, and references by id."""
import re
from datetime import date

from sqlalchemy import select

from app.core import validation
from app.core.tenancy import parse_uuid
from app.core.validation import Invalid
from app.extensions import db

MAX_TAGS = 20
MAX_TAG_LENGTH = 60
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def tags(value):
    """A list of short labels, lower-cased, without blanks or repeats ("Piano, theory")."""
    raw = value or []
    if isinstance(raw, str):
        raw = raw.split(",")
    labels = []
    for item in raw:
        label = " ".join(str(item).split()).lower()
        if label and label not in labels:
            labels.append(label)
    if len(labels) > MAX_TAGS:
        raise Invalid(f"Use at most {MAX_TAGS} entries.")
    if any(len(label) > MAX_TAG_LENGTH for label in labels):
        raise Invalid(f"Keep each entry under {MAX_TAG_LENGTH} characters.")
    return labels


def optional_rate(value):
    """An amount of zero or more (core/validation.money); blank is None."""
    return None if value is None or value == "" else validation.money(value, minimum=0)


def birth_date(value):
    if value is None:
        return None
    if not isinstance(value, date):
        raise Invalid("Enter a date as YYYY-MM-DD.")
    if value > date.today():
        raise Invalid("The birth date cannot be in the future.")
    if value.year < 1900:
        raise Invalid("Enter a birth date after 1900.")
    return value


def colour(value):
    clean = (value or "").strip()
    if not COLOR_RE.match(clean):
        raise Invalid("Choose a colour like #5b3cc4.")
    return clean.lower()


def resolve_reference(changes, errors, name, model, studio, *, label, attribute=None,
                      required=False):
    """Turn an id in `changes[name]` into a row of `studio`; unknown ids are field errors.

    A referenced id that does not exist in the caller's studio is reported as
    "Unknown <label>." (400), never as 404: only ids in the URL answer 404. A `required`
    reference cannot be cleared.
    """
    if name not in changes:
        return
    value = changes.pop(name)
    target = attribute or name
    if value in (None, ""):
        if required:
            errors.add(name, f"Choose a {label}.")
        else:
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
