"""Dates, times, money and counts in the studio's locale, timezone and currency (Babel)."""
from datetime import date, datetime, timezone
from decimal import Decimal

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal

from app.core.tenancy import current_principal
from app.core.timeutil import studio_zone
from app.core.uploads import format_bytes


def _studio():
    principal = current_principal()
    return principal.studio if principal else None


def _locale(studio):
    return getattr(studio, "locale", None) or "en_US"


def local_datetime(value, studio=None):
    studio = studio or _studio()
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(studio_zone(studio))


def datetime_filter(value, fmt="medium", studio=None):
    if value is None:
        return ""
    studio = studio or _studio()
    return format_datetime(local_datetime(value, studio), fmt, locale=_locale(studio))


def date_filter(value, fmt="medium", studio=None):
    if value is None:
        return ""
    studio = studio or _studio()
    if isinstance(value, datetime):
        value = local_datetime(value, studio).date()
    return format_date(value, fmt, locale=_locale(studio))


def time_filter(value, fmt="short", studio=None):
    if value is None:
        return ""
    studio = studio or _studio()
    if isinstance(value, datetime):
        value = local_datetime(value, studio)
    return format_time(value, fmt, locale=_locale(studio))


def money_filter(value, studio=None, currency=None):
    if value is None:
        return ""
    studio = studio or _studio()
    currency = currency or getattr(studio, "currency", None) or "USD"
    return format_currency(Decimal(value), currency, locale=_locale(studio))


def percent_filter(value, studio=None):
    studio = studio or _studio()
    return f"{format_decimal(Decimal(value), '#,##0.##', locale=_locale(studio))}%"


def number_filter(value, studio=None):
    """A count with the locale's grouping: 21,405 lessons (21.405 in de_DE)."""
    if value is None:
        return ""
    return format_decimal(value, "#,##0", locale=_locale(studio or _studio()))


def filesize_filter(value):
    """A size in bytes as people read it (2.4 MB), the same words the upload errors use."""
    return "" if value is None else format_bytes(value)


def register(app):
    app.jinja_env.filters.update(
        datetime=datetime_filter, date=date_filter, time=time_filter, money=money_filter,
        percent=percent_filter, number=number_filter, filesize=filesize_filter,
    )
    app.jinja_env.globals["today"] = date.today
