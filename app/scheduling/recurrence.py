"""Recurrence math (dateutil.rrule) in the studio's wall-clock time. No database here.

A series is a frequency, a weekday and a local time. Occurrence *dates* come from rrule;
each date is combined with the local time in the studio's timezone and only then turned into
UTC, so a 16:00 lesson stays at 16:00 local across DST changes.
"""
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

HORIZON_WEEKS = 26
MAX_SERIES_DAYS = 3 * 366  # an explicit end date may lie at most about three years ahead


class NonexistentLocalTime(ValueError):
    """A wall-clock time that a DST change skips (e.g. 02:30 when clocks jump to 03:00)."""

    def __init__(self, moment, tz):
        super().__init__(f"{moment:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks move forward).")
        self.moment = moment


class Occurrence(NamedTuple):
    day: date  # studio-local date of the occurrence
    start: datetime  # aware UTC
    end: datetime  # aware UTC


def is_nonexistent(naive, tz):
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != naive


def local_to_utc(day, wall_time, tz):
    """The UTC instant of a local date and wall-clock time; NonexistentLocalTime in a DST gap.

    Ambiguous times (the repeated hour in autumn) resolve to their first occurrence.
    """
    naive = datetime.combine(day, wall_time)
    if is_nonexistent(naive, tz):
        raise NonexistentLocalTime(naive, tz)
    return naive.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)


def first_on_or_after(day, day_of_week):
    return day + timedelta(days=(day_of_week - day.weekday()) % 7)


def monthly_ordinal(first_day):
    """Which weekday of its month a date is: 1..4, or -1 for a fifth (= last) one."""
    ordinal = (first_day.day - 1) // 7 + 1
    return -1 if ordinal == 5 else ordinal


def occurrence_dates(frequency, day_of_week, start_date, until):
    """Local dates of a series from `start_date` through `until` (inclusive)."""
    first = first_on_or_after(start_date, day_of_week)
    if first > until:
        return []
    start = datetime.combine(first, time())
    end = datetime.combine(until, time())
    if frequency == "monthly":
        rule = rrule(MONTHLY, dtstart=start, until=end,
                     byweekday=weekday(day_of_week, monthly_ordinal(first)))
    else:
        rule = rrule(WEEKLY, dtstart=start, until=end, byweekday=day_of_week,
                     interval=2 if frequency == "biweekly" else 1)
    return [moment.date() for moment in rule]


def occurrences(frequency, day_of_week, wall_time, duration, start_date, until, tz,
                *, closed=lambda day: False, from_date=None):
    """The series' occurrences in [from_date or start_date, until], skipping closed days.

    Raises NonexistentLocalTime when an occurrence falls into a DST gap.
    """
    result = []
    for day in occurrence_dates(frequency, day_of_week, start_date, until):
        if (from_date and day < from_date) or closed(day):
            continue
        start = local_to_utc(day, wall_time, tz)
        result.append(Occurrence(day, start, start + duration))
    return result


def horizon(today, weeks=HORIZON_WEEKS):
    """The last date a series without an end date is generated through."""
    return today + timedelta(weeks=weeks)


