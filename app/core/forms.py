"""Helpers shared by WTForms on the HTML side."""
from app.core.errors import ValidationFailed


def apply_errors(form, error: ValidationFailed, aliases=None):
    """Show a service's field errors next to the form's fields; the rest above the form."""
    aliases = aliases or {}
    for name, messages in error.field_errors.items():
        field = getattr(form, aliases.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)
    if not error.field_errors:
        form.form_errors.append(error.detail)


def split_list(value):
    """Comma-separated text from a form field as a list of trimmed entries. A field bound to a
    record (form(obj=...)) and posted without that field still holds the record's list."""
    parts = value if isinstance(value, (list, tuple)) else (value or "").split(",")
    return [str(part).strip() for part in parts if str(part).strip()]
