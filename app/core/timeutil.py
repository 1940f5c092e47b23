"""Time in a studio's timezone and calendar arithmetic, one version of each.

A studio's "today", its days as UTC ranges, and whole months (python-dateutil's
relativedelta: the 31st plus a month is the last day of the next month). No database here.
"""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

NOON = time(12)


def zone(name):
    """A timezone by its IANA name; UTC when the name is empty."""
    return ZoneInfo(name or "UTC")


def studio_zone(studio):
    return zone(getattr(studio, "timezone", None))


def local_today(studio, now=None):
    """The date it is in the studio's timezone (at `now`, UTC, when given)."""
    return (now or datetime.now(timezone.utc)).astimezone(studio_zone(studio)).date()


def to_local(studio, moment):
    """An aware moment in the studio's timezone."""
    return moment.astimezone(studio_zone(studio))


def day_bounds(studio, first_day, last_day):
    """UTC [start, end) of the studio's local dates first_day..last_day, inclusive."""
    tz = studio_zone(studio)
    start = datetime.combine(first_day, time.min, tzinfo=tz)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def local_noon(studio, day):
    """Noon of a local date, in UTC: a moment that stays on that date in any timezone report."""
    return datetime.combine(day, NOON, tzinfo=studio_zone(studio)).astimezone(timezone.utc)


def week_bounds(day):
    """Monday..Sunday of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def add_months(day, months):
    """`day` moved by whole months (negative: back), clamped to the end of a shorter month."""
    return day + relativedelta(months=months)


def month_start(day):
    return day.replace(day=1)


def month_end(day):
    return month_start(day) + relativedelta(months=1, days=-1)


def months_between(first_day, last_day):
    """The first day of every calendar month that overlaps first_day..last_day."""
    month = month_start(first_day)
    while month <= last_day:
        yield month
        month = add_months(month, 1)

