"""Marshmallow building blocks shared by every API schema."""
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validates_schema

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MIN_YEAR, MAX_YEAR = 1000, 9000  # far enough for any real date, clear of overflow


def _contains_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_contains_nul(v) for v in value)
    return False


class BaseSchema(Schema):
    """Rejects unknown fields and strings containing NUL bytes."""

    class Meta:
        unknown = RAISE
        ordered = True

    @pre_load(pass_collection=True)
    def reject_nul_bytes(self, data, **kwargs):
        if isinstance(data, Mapping):  # also webargs' MultiDictProxy (query, form)
            bad = {str(k): ["NUL bytes are not allowed."] for k, v in data.items()
                   if _contains_nul(k) or _contains_nul(v)}
            if bad:
                raise ValidationError(bad)
        elif _contains_nul(data):
            raise ValidationError("NUL bytes are not allowed.")
        return data

    @validates_schema
    def reject_far_dates(self, data, **kwargs):
        """Only dates a studio can mean: far ones overflow date arithmetic (no lesson or
        invoice is dated in year 1 or 9999)."""
        bad = {name: [f"Use a date between {MIN_YEAR} and {MAX_YEAR}."]
               for name, value in data.items()
               if isinstance(value, (date, datetime)) and not MIN_YEAR <= value.year <= MAX_YEAR}
        if bad:
            raise ValidationError(bad)


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC with a trailing Z. Input without an offset is taken as UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime(UTC_FORMAT)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is None:
            result = result.replace(tzinfo=timezone.utc)
        return result.astimezone(timezone.utc)


class Money(fields.Field):
    """A decimal amount as a string with two decimals ("216.00"); never a float."""

    default_error_messages = {
        "invalid": "Enter an amount like \"19.99\".",
        "precision": "Use at most two decimal places.",
        "range": "The amount is out of range.",
    }

    def __init__(self, *, places=2, **kwargs):
        self.places = places
        super().__init__(**kwargs)

    def format(self, value):
        """The amount as this field writes it (for rows built without the schema)."""
        if value is None:
            return None
        quantum = Decimal(1).scaleb(-self.places)
        return str(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))

    def _serialize(self, value, attr, obj, **kwargs):
        return self.format(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.make_error("invalid")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise self.make_error("invalid") from exc
        if not amount.is_finite():
            raise self.make_error("invalid")
        if amount.as_tuple().exponent < -self.places:
            raise self.make_error("precision")
        if abs(amount) >= Decimal(10) ** (12 - self.places):
            raise self.make_error("range")
        return amount


class ErrorSchema(BaseSchema):
    """The one error body. Some errors add keys (a 409 names its `conflicts`)."""

    class Meta(BaseSchema.Meta):
        unknown = INCLUDE

    detail = fields.String(required=True, metadata={"description": "A sentence for humans."})
    code = fields.String(
        required=True,
        metadata={"description": "VALIDATION_ERROR, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, "
                  "PAYLOAD_TOO_LARGE, RATE_LIMITED or INTERNAL_ERROR."},
    )
    field_errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True,
        metadata={"description": "Messages per field; nested fields use dotted names."},
    )
    request_id = fields.String(allow_none=True, metadata={"description": "Echo of X-Request-ID."})


def utc_datetime_from_date(day, tz):
    """Midnight of a local date in `tz`, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(timezone.utc)
