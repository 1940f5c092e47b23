"""Helpers shared by WTForms on the HTML side, and its fields and validators for the kinds
of value in core/validation.py (the same rules as the API's fields in core/schemas.py)."""
import wtforms
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from app.core import validation
from app.core.errors import ValidationFailed


class DateField(wtforms.DateField):
    """A date inside the supported calendar (core.validation); out of it is a field error,
    never a date that overflows later."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            try:
                validation.in_date_range(self.data)
            except validation.Invalid as exc:
                self.data = None
                raise ValueError(exc.message) from exc


class Checked:
    """A WTForms validator running one core.validation function on the field's data; the
    clean value replaces it (an empty optional field is left alone)."""

    def __init__(self, check, *, raw=False, **options):
        self.check, self.raw, self.options = check, raw, options
        self.field_flags = {}

    def __call__(self, form, field):
        value = (field.raw_data or [None])[0] if self.raw else field.data
        if value in (None, ""):
            return
        try:
            field.data = self.check(value, **self.options)
        except validation.Invalid as exc:
            raise ValidationError(exc.message) from exc


def Timezone():  # noqa: N802 - reads as a validator class, like WTForms' own
    return Checked(validation.timezone)


def Currency():  # noqa: N802
    return Checked(validation.currency)


def URL():  # noqa: N802
    return Checked(validation.url)


def Money(**options):  # noqa: N802
    """A plain decimal amount as typed (`minimum=0` for prices): "1e2" is refused even where a
    DecimalField would read it as 100. The field's data becomes the Decimal."""
    return Checked(validation.money, raw=True, **options)


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


class EmptyForm(FlaskForm):
    """A form of no fields but its CSRF token, for one-click actions (sign out, revoke,
    delete, end a series)."""
