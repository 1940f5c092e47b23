"""What a valid value is, one function per kind, for every way a value enters the product.

Each `<kind>(value)` returns the clean value (trimmed, normalised, parsed) or raises `Invalid`
with a sentence for the person who typed it. The API's marshmallow fields (core/schemas.py),
the pages' WTForms validators (core/forms.py) and services call these same functions, so a
value accepted by one door is accepted by every door.

`FieldErrors` gathers the messages of several fields and raises them together as one
ValidationFailed: the shape a service needs when it checks a set of changes. `field()` checks
one value and raises at once. These two are the only ways a service turns a bad value into a
400 with `field_errors`; a domain's own kinds (a tag list, a birth date) are validators
raising `Invalid` like the ones here.

The supported calendar is years MIN_DATE.year to MAX_DATE.year: every date or datetime that
comes in (a lesson, an invoice, a birthday, a page's `?date=`) is inside it, so no date
arithmetic (a week on, a conversion to UTC or to the studio's time) can overflow.
"""
import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from app.core.errors import ValidationFailed
from app.core.money import CENT, MAX_AMOUNT

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)
DATE_RANGE_NOTE = f"Years {MIN_DATE.year} to {MAX_DATE.year}."

MAX_JSON_DEPTH = 32
MAX_URL_LENGTH = 500
MAX_QUANTITY = Decimal("10000")
URL_SCHEMES = ("http", "https")

# In the tz database but not a place: the machine's own zone, a placeholder, a rules template.
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
NOT_ZONE_PREFIXES = ("posix/", "right/", "SystemV/")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_PLAIN_DECIMAL = re.compile(r"-?\d+(?:\.(\d+))?")


class Invalid(ValueError):
    """A value that is not of its kind; the message is meant for the person who sent it.
    `detail` is an optional sentence for the whole request (the error body's "detail")."""

    def __init__(self, message, *, detail=None):
        super().__init__(message)
        self.message, self.detail = message, detail


class FieldErrors:
    """Messages per field, gathered while checking several values, raised together."""

    def __init__(self):
        self.fields = {}

    def add(self, name, message):
        self.fields.setdefault(name, []).append(message)

    def check(self, name, validator, value, **options):
        """`validator(value, **options)`, or None with its message recorded under `name`."""
        try:
            return validator(value, **options)
        except Invalid as exc:
            self.add(name, exc.message)
            return None

    def clean(self, changes, name, validator, **options):
        """Replace `changes[name]`, when present, by its clean value (a dict of changes a
        service received); a bad value stays as sent and its message is recorded."""
        if name not in changes:
            return
        try:
            changes[name] = validator(changes[name], **options)
        except Invalid as exc:
            self.add(name, exc.message)

    def __bool__(self):
        return bool(self.fields)

    def raise_if_any(self):
        if self.fields:
            raise ValidationFailed(field_errors=self.fields)


def field(name, validator, value, **options):
    """One value checked where a service takes it: Invalid becomes a 400 on field `name`."""
    try:
        return validator(value, **options)
    except Invalid as exc:
        raise ValidationFailed(exc.detail, field_errors={name: [exc.message]}) from exc


# ------------------------------------------------------------------ time zones and currencies

@cache
def _zones():
    return frozenset(name for name in available_timezones()
                     if name not in NOT_ZONES and not name.startswith(NOT_ZONE_PREFIXES))


def timezone_names():
    """Every accepted zone name, sorted (for pick lists)."""
    return sorted(_zones())


def timezone(value):
    """An IANA time zone name of a place (or UTC), spelt as the tz database spells it."""
    name = value.strip() if isinstance(value, str) else None
    if not name or name not in _zones():
        raise Invalid("Choose a valid IANA timezone, like America/New_York.")
    return name


@cache
def _currencies():
    """ISO 4217 codes a country uses as money today, by Babel's territory data: funds,
    metals and testing codes (XXX, XTS, XAU, XDR...) belong to no territory."""
    from babel import Locale
    from babel.numbers import get_territory_currencies

    today = date.today()
    return frozenset(code for territory in Locale("en").territories
                     for code in get_territory_currencies(territory, start_date=today))


def currency_codes():
    return sorted(_currencies())


def currency(value):
    """An active ISO 4217 currency code, upper-cased."""
    code = value.strip().upper() if isinstance(value, str) else None
    if not code or code not in _currencies():
        raise Invalid("Choose an ISO 4217 currency code in use, like USD.")
    return code


def minor_unit(currency_code):
    """Decimal places of the currency's smallest unit that amounts may use (JPY 0, USD 2);
    never more than the two that money columns keep."""
    from babel.numbers import get_currency_precision

    return min(get_currency_precision(currency_code), 2)


# ------------------------------------------------------------------ text, numbers, URLs, JSON

def choice(value, *, choices):
    """One of `choices` (a sequence of the accepted values, in the order the message lists them)."""
    if isinstance(value, str) and value in choices:
        return value
    raise Invalid(f"Choose one of: {', '.join(choices)}.")


def required(value):
    """Anything but None (a field a form or a body must send)."""
    if value is None:
        raise Invalid("This field is required.")
    return value


def text(value, *, max_length, required=False, missing="This field is required."):
    """Text trimmed of surrounding blanks; None is ''. `missing` is said when a `required`
    text is blank (a form's own wording: "Enter the family's name.")."""
    if value is not None and not isinstance(value, str):
        raise Invalid("Enter a text.")
    clean = (value or "").strip()
    if required and not clean:
        raise Invalid(missing)
    if len(clean) > max_length:
        raise Invalid(f"Use at most {max_length} characters.")
    return clean


def text_list(values, *, max_items, max_length):
    """A list of short texts: trimmed, blanks dropped, each kept once in order; None is []."""
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        raise Invalid("Give a list of texts.")
    items = []
    for value in values:
        if not isinstance(value, str):
            raise Invalid("Every item must be a text.")
        item = value.strip()
        if len(item) > max_length:
            raise Invalid(f"Keep each item under {max_length} characters.")
        if item and item not in items:
            items.append(item)
    if len(items) > max_items:
        raise Invalid(f"Give at most {max_items} items.")
    return items


def whole_number(value, *, minimum, maximum, invalid="Enter a whole number.", detail=None):
    """An int (not a bool) within [minimum, maximum]; `detail` words the range for the
    whole request ("Log between 1 and 600 minutes per entry.")."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(invalid)
    if not minimum <= value <= maximum:
        message = f"Must be between {minimum} and {maximum}."
        raise Invalid(message, detail=detail or message)
    return value


EMAIL_MAX_LENGTH = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value, *, required=False):
    """An email address, trimmed and lower-cased; blank is None unless `required`."""
    address = value.strip().lower() if isinstance(value, str) else ""
    if not address:
        if required:
            raise Invalid("Enter an email address.")
        return None
    if len(address) > EMAIL_MAX_LENGTH or not _EMAIL.match(address):
        raise Invalid("Enter a valid email address.")
    return address


def url(value, *, max_length=MAX_URL_LENGTH):
    """An absolute http(s) address with a host; '' stays '' (no address)."""
    if not isinstance(value, str):
        raise Invalid("Enter a web address.")
    address = value.strip()
    if not address:
        return ""
    if len(address) > max_length:
        raise Invalid(f"Use at most {max_length} characters.")
    if _CONTROL.search(address) or _SURROGATE.search(address) or " " in address:
        raise Invalid("A web address cannot contain spaces or control characters.")
    try:
        parts = urlsplit(address)
        host = parts.hostname
    except ValueError as exc:
        raise Invalid("Enter a web address starting with https://.") from exc
    if parts.scheme.lower() not in URL_SCHEMES or not host:
        raise Invalid("Enter a web address starting with https://.")
    return address


def local_path(value):
    """A path on this site (`/lessons?page=2`), safe to redirect to; anything else (another
    host, a scheme, `//host`, backslashes, control characters) raises Invalid."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        raise Invalid("Not a path on this site.")
    if "\\" in value or _CONTROL.search(value) or _SURROGATE.search(value):
        raise Invalid("Not a path on this site.")
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        raise Invalid("Not a path on this site.")
    return value


def json_document(raw):
    """Parse a JSON request body (bytes or text). Refused: text that is not UTF-8 JSON,
    nesting deeper than MAX_JSON_DEPTH, and lone UTF-16 surrogates (\\ud800), which no
    database or encoder downstream can store."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
        document = json.loads(text)
    except RecursionError as exc:
        raise Invalid(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted.") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise Invalid("The body is not valid JSON.") from exc
    _check_json_tree(document)
    return document


def _check_json_tree(document):
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise Invalid("Text with a lone surrogate (like \\ud800) is not accepted.")
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_JSON_DEPTH:
            raise Invalid(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted.")
        items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
        for key, item in items:
            if key is not None:
                pending.append((key, depth))
            pending.append((item, depth + 1))


def without_nul(pairs):
    """Refuse NUL bytes in any name or value of (name, value) pairs (a query string, a form):
    PostgreSQL cannot store or compare text holding one."""
    for name, value in pairs:
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise ValidationFailed("Text with NUL bytes is not accepted.",
                                   field_errors={name.replace("\x00", ""): ["NUL bytes are not allowed."]})


# ------------------------------------------------------------------ dates and money

def in_date_range(value):
    """A date or datetime inside the supported calendar (checked before any conversion)."""
    if not MIN_DATE.year <= value.year <= MAX_DATE.year:
        raise Invalid(f"Use a date between {MIN_DATE.year} and {MAX_DATE.year}.")
    return value


def iso_date(value):
    """A `YYYY-MM-DD` date (or a date) inside the supported calendar."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(value.strip() if isinstance(value, str) else "")
        except ValueError as exc:
            raise Invalid("Enter a date as YYYY-MM-DD.") from exc
    return in_date_range(value)


def page_date(text, default=None):
    """A page's date argument (`?date=`, `?week=`, `?start_date=`): malformed text gives
    `default`; a date outside the supported calendar is moved to its nearest end, so the
    page shows the edge of the calendar rather than failing."""
    try:
        day = date.fromisoformat(text.strip()) if isinstance(text, str) else None
    except ValueError:
        day = None
    return default if day is None else clamp_date(day)


def clamp_date(day):
    """`day` moved inside the supported calendar."""
    return min(max(day, MIN_DATE), MAX_DATE)


def _plain_decimal(value, places, invalid):
    """A plain decimal ("19.99", "-5", 20) with at most `places` decimals, as a Decimal."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise Invalid(invalid)
    if isinstance(value, float):
        value = repr(value)
    digits = str(value).strip()
    match = _PLAIN_DECIMAL.fullmatch(digits)
    if match is None:
        raise Invalid(invalid)
    if match.group(1) is not None and len(match.group(1)) > places:
        raise Invalid(f"Use at most {places} decimal places." if places != 2
                      else "Use at most two decimal places.")
    try:
        return Decimal(digits)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refused it
        raise Invalid(invalid) from exc


def number(value, *, places=2):
    """A count that may have decimals (1, 1.5, "2"): a plain decimal, at most `places`."""
    return _plain_decimal(value, places, "Enter a number like 1 or 1.5.")


def quantity(value, *, maximum=MAX_QUANTITY):
    """A line's quantity: a `number` above zero and at most `maximum`, to two places."""
    amount = number(value)
    if amount <= 0:
        raise Invalid("Must be more than zero.")
    if amount > maximum:
        raise Invalid(f"At most {maximum}.")
    return amount.quantize(CENT)


def money(value, *, places=2, minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT, positive=False):
    """An amount as a plain decimal ("19.99", "-5", 20): at most `places` decimals, no
    exponent, no NaN or Infinity, within [minimum, maximum] (`positive`: and not zero).
    Returns a Decimal."""
    amount = _plain_decimal(value, places, 'Enter an amount like "19.99".')
    if positive and amount == 0:
        raise Invalid("Must be more than zero.")
    if amount < 0 <= minimum:
        raise Invalid("The amount cannot be negative.")
    if amount < minimum or amount > maximum:
        raise Invalid("The amount is out of range.")
    return amount.quantize(Decimal(1).scaleb(-places))
