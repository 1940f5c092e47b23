"""Small helpers the teaching services share: text and list cleaning, studio-local dates."""
from datetime import date, timedelta

from app.core.errors import ValidationFailed
from app.scheduling.services.common import local_today

MAX_LIST_ITEMS = 30
MAX_ITEM_LENGTH = 300


def clean_text(value, field, *, max_length, required=False, label="This field"):
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(field_errors={field: [f"{label} is required."]})
    if len(text) > max_length:
        raise ValidationFailed(field_errors={field: [f"Use at most {max_length} characters."]})
    return text


def clean_list(values, field, *, max_items=MAX_LIST_ITEMS, max_length=MAX_ITEM_LENGTH):
    """A list of short strings: trimmed, blanks dropped, duplicates kept in order once."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ValidationFailed(field_errors={field: ["Give a list of texts."]})
    items = []
    for value in values:
        if not isinstance(value, str):
            raise ValidationFailed(field_errors={field: ["Every item must be a text."]})
        text = value.strip()
        if len(text) > max_length:
            raise ValidationFailed(field_errors={field: [f"Keep each item under {max_length} characters."]})
        if text and text not in items:
            items.append(text)
    if len(items) > max_items:
        raise ValidationFailed(field_errors={field: [f"Give at most {max_items} items."]})
    return items


def clean_int(value, field, *, minimum, maximum, allow_none=False, message=None):
    if value is None and allow_none:
        return None
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(field_errors={field: ["Enter a whole number."]})
    if not minimum <= value <= maximum:
        raise ValidationFailed(
            message or f"Must be between {minimum} and {maximum}.",
            field_errors={field: [f"Must be between {minimum} and {maximum}."]},
        )
    return value


def ensure_active_student(student, field="student"):
    if not student.is_active:
        raise ValidationFailed(field_errors={field: [f"{student.full_name} is archived."]})


def week_bounds(day: date):
    """Monday..Sunday of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def studio_today(studio):
    return local_today(studio)
