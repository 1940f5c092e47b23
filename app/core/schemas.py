"""Marshmallow building blocks shared by every API schema."""
import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.core import validation

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# The supported calendar (core.validation), as the document says it of every date and date-time
# it takes: years 1900 to 2200.
MIN_YEAR, MAX_YEAR = validation.MIN_DATE.year, validation.MAX_DATE.year
YEAR_PATTERN = "^(?:19[0-9]{2}|2[01][0-9]{2}|2200)-"
# Strings with NUL bytes are refused (PostgreSQL cannot store them): said of every string taken.
NO_NUL_PATTERN = "^[^\\u0000]*$"
# One @, a dot in the domain, printable ASCII without spaces: what the account services accept.
EMAIL_PATTERN = "^[!-?A-~]+@[!-?A-~]+\\.[!-?A-~]+$"
CLOCK_PATTERN = "^(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$"


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
        """Every date is held to the supported calendar (core.validation); `UTCDateTime`
        checks it itself, before converting to UTC. The OpenAPI document says so on each
        field (core.api.date_range2properties)."""
        bad = {}
        for name, value in data.items():
            if isinstance(value, (date, datetime)):
                try:
                    validation.in_date_range(value)
                except validation.Invalid as exc:
                    bad[name] = [exc.message]
        if bad:
            raise ValidationError(bad)


def _checked(function, value):
    """`function(value)` with core.validation's Invalid as this field's ValidationError."""
    try:
        return function(value)
    except validation.Invalid as exc:
        raise ValidationError(exc.message) from exc


def _with_note(kwargs, note):
    """Add `note` to the field's OpenAPI description (input fields only)."""
    if kwargs.get("dump_only"):
        return kwargs
    metadata = dict(kwargs.get("metadata") or {})
    metadata["description"] = " ".join(filter(None, (metadata.get("description"), note)))
    return {**kwargs, "metadata": metadata}


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC with a trailing Z. Input without an offset is taken as UTC. Input is
    held to the supported calendar before it is converted, so no offset can overflow it."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime(UTC_FORMAT)

    def _deserialize(self, value, attr, data, **kwargs):
        result = _checked(validation.in_date_range, super()._deserialize(value, attr, data, **kwargs))
        if result.tzinfo is None:
            result = result.replace(tzinfo=timezone.utc)
        return result.astimezone(timezone.utc)


class StrictBoolean(fields.Boolean):
    """JSON `true` or `false`, nothing else: marshmallow's own Boolean also takes 0/1, "yes" and
    "on", which a client never means in JSON and the document cannot say."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class QueryBoolean(fields.Boolean):
    """A query-string flag spelled `true` or `false`, as the document says."""

    SPELLINGS = {"true": True, "false": False}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or value not in self.SPELLINGS:
            raise self.make_error("invalid", input=value)
        return self.SPELLINGS[value]


class EmailAddress(fields.String):
    """An email address (EMAIL_PATTERN, at most 254 characters); `blank=True` also takes ""
    (no address)."""

    def __init__(self, *, blank=False, **kwargs):
        pattern = f"^$|{EMAIL_PATTERN}" if blank else EMAIL_PATTERN
        super().__init__(validate=[
            validate.Length(max=254),
            validate.Regexp(pattern, error="Enter a valid email address."),
        ], **kwargs)


class ClockTime(fields.Time):
    """A wall-clock time, "16:00" or "16:00:00"; dumped as "16:00:00"."""

    def openapi_properties(self, converter):
        return {"type": "string", "pattern": CLOCK_PATTERN, "example": "16:00:00"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(CLOCK_PATTERN, value):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        return super()._deserialize(value, attr, data, **kwargs)


class Money(fields.Field):
    """A decimal amount as a string with two decimals ("216.00"); never a float. Input is a
    plain decimal (core.validation.money): no exponent, no NaN, at most `places` decimals."""

    def __init__(self, *, places=2, **kwargs):
        self.places = places
        super().__init__(**_with_note(
            kwargs, f"A plain decimal with at most {places} decimals (no exponent)."))

    def format(self, value):
        """The amount as this field writes it (for rows built without the schema)."""
        if value is None:
            return None
        quantum = Decimal(1).scaleb(-self.places)
        return str(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))

    def _serialize(self, value, attr, obj, **kwargs):
        return self.format(value)

    @property
    def digits(self):
        """Digits before the point that Numeric(12, places) columns hold."""
        return 12 - self.places

    def openapi_properties(self, converter):
        """What the document says of this field: a string like "19.99", or a JSON number."""
        if self.dump_only:
            return {"type": "string", "format": "decimal", "example": "19.99",
                    "pattern": f"^-?[0-9]+\\.[0-9]{{{self.places}}}$"}
        largest = float(Decimal(10) ** self.digits - Decimal(1).scaleb(-self.places))
        low, high = -largest, largest
        for rule in self.validators:
            if isinstance(rule, validate.Range):
                low = max(low, float(rule.min)) if rule.min is not None else low
                high = min(high, float(rule.max)) if rule.max is not None else high
        sign = "-?" if low < 0 else ""
        return {"anyOf": [
            {"type": "string", "format": "decimal", "example": "19.99",
             "pattern": f"^{sign}[0-9]{{1,{self.digits}}}(\\.[0-9]{{1,{self.places}}})?$"},
            {"type": "number", "multipleOf": float(Decimal(1).scaleb(-self.places)),
             "minimum": low, "maximum": high},
        ]}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, Decimal):
            value = str(value)
        if isinstance(value, str):  # as the document says: no spaces, signs but "-", exponents
            if not DECIMAL_TEXT.fullmatch(value):
                raise ValidationError('Enter an amount like "19.99".')
            if len(value.lstrip("-").split(".")[0]) > self.digits:
                raise ValidationError("The amount is out of range.")
        return _checked(lambda v: validation.money(v, places=self.places), value)


class Timezone(fields.String):
    """An IANA time zone of a place, like "America/New_York" (core.validation.timezone)."""

    def __init__(self, **kwargs):
        super().__init__(**_with_note(kwargs, "An IANA time zone name, like America/New_York."))

    def _deserialize(self, value, attr, data, **kwargs):
        return _checked(validation.timezone, super()._deserialize(value, attr, data, **kwargs))


class Currency(fields.String):
    """An ISO 4217 currency in use, like "USD" (core.validation.currency)."""

    def __init__(self, **kwargs):
        super().__init__(**_with_note(kwargs, "An ISO 4217 currency code in use, like USD."))

    def _deserialize(self, value, attr, data, **kwargs):
        return _checked(validation.currency, super()._deserialize(value, attr, data, **kwargs))


class URL(fields.String):
    """An http(s) address; "" means none (core.validation.url)."""

    def __init__(self, **kwargs):
        super().__init__(**_with_note(kwargs, "An http:// or https:// address, or \"\"."))

    def _deserialize(self, value, attr, data, **kwargs):
        return _checked(validation.url, super()._deserialize(value, attr, data, **kwargs))


class ErrorSchema(BaseSchema):
    """The one error body. Some errors add keys (a 409 names its `conflicts`)."""

    class Meta(BaseSchema.Meta):
        unknown = INCLUDE

    detail = fields.String(required=True, metadata={"description": "A sentence for humans."})
    code = fields.String(
        required=True,
        metadata={"description": "VALIDATION_ERROR, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, "
                  "PRECONDITION_FAILED (412: `If-Match` is stale), PAYLOAD_TOO_LARGE, "
                  "RATE_LIMITED or INTERNAL_ERROR."},
    )
    field_errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True,
        metadata={"description": "Messages per field; nested fields use dotted names."},
    )
    request_id = fields.String(allow_none=True, metadata={"description": "Echo of X-Request-ID."})


# ---------------------------------------------------------------- people, as answers embed them
# Lessons, notes, goals and invoices name their teacher, students and users the same way.

class TeacherRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    first_name = fields.String(attribute="user.first_name", dump_only=True)
    last_name = fields.String(attribute="user.last_name", dump_only=True)
    full_name = fields.String(dump_only=True)
    email = fields.String(dump_only=True)
    calendar_color = fields.String(dump_only=True)


class StudentRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    instrument = fields.String(dump_only=True)


class UserRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    full_name = fields.String(dump_only=True)
