"""app/core/timeutil.py: a studio's today and days, and whole-month arithmetic."""
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from app.core.timeutil import (
    add_months,
    day_bounds,
    local_noon,
    local_today,
    month_end,
    month_start,
    months_between,
    to_local,
    week_bounds,
)
from app.scheduling.calendar import shift, visible_range

NEW_YORK = SimpleNamespace(timezone="America/New_York")
NO_ZONE = SimpleNamespace(timezone=None)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_today_is_the_studios_date_not_the_servers():
    late_evening_in_new_york = utc(2026, 3, 2, 3, 30)
    assert local_today(NEW_YORK, late_evening_in_new_york) == date(2026, 3, 1)
    assert local_today(NO_ZONE, late_evening_in_new_york) == date(2026, 3, 2)
    assert to_local(NEW_YORK, late_evening_in_new_york).hour == 22


def test_day_bounds_follow_daylight_saving_time():
    start, end = day_bounds(NEW_YORK, date(2026, 3, 8), date(2026, 3, 8))  # clocks spring forward
    assert (start, end) == (utc(2026, 3, 8, 5), utc(2026, 3, 9, 4))


def test_local_noon_is_noon_on_that_date():
    assert local_noon(NEW_YORK, date(2026, 7, 4)) == utc(2026, 7, 4, 16)
    assert local_noon(NO_ZONE, date(2026, 7, 4)) == utc(2026, 7, 4, 12)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 1, 1), -1, date(2025, 12, 1)),
    (date(2026, 3, 31), -13, date(2025, 2, 28)),
])
def test_add_months_clamps_to_the_end_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_month_start_and_end():
    leap = date(2028, 2, 17)
    assert (month_start(leap), month_end(leap)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_end(date(2026, 12, 31)) == date(2026, 12, 31)


def test_months_between_cross_the_year():
    assert list(months_between(date(2026, 11, 20), date(2027, 1, 3))) == [
        date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    assert list(months_between(date(2026, 6, 2), date(2026, 5, 31))) == []


def test_weeks_run_monday_to_sunday():
    assert week_bounds(date(2026, 3, 1)) == (date(2026, 2, 23), date(2026, 3, 1))  # a Sunday
    assert week_bounds(date(2026, 3, 2)) == (date(2026, 3, 2), date(2026, 3, 8))


def test_the_month_calendar_moves_by_whole_months_and_shows_whole_weeks():
    assert shift("month", date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert shift("month", date(2026, 1, 15), -1) == date(2025, 12, 1)
    assert visible_range("month", date(2026, 2, 14)) == (date(2026, 1, 26), date(2026, 3, 1))
