"""Recurrence math: wall-clock times across DST, gaps, frequencies (no database)."""

from datetime import date, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.timeutil import zone
from app.scheduling import recurrence
from app.scheduling.recurrence import NonexistentLocalTime, occurrence_dates, occurrences

HOUR = timedelta(hours=1)


def _local_times(items, tz):
    return {o.start.astimezone(tz).time() for o in items}


@pytest.mark.parametrize(
    "tz_name, spring, autumn",
    [
        ("America/New_York", date(2025, 3, 9), date(2025, 11, 2)),
        ("Europe/Berlin", date(2025, 3, 30), date(2025, 10, 26)),
    ],
)
def test_weekly_1600_stays_at_1600_local_across_both_dst_changes(tz_name, spring, autumn):
    tz = zone(tz_name)
    items = occurrences(
        "weekly", 1, time(16), timedelta(minutes=30), date(2025, 1, 7), date(2025, 12, 30), tz
    )
    assert len(items) == 52
    assert _local_times(items, tz) == {time(16)}
    assert all(o.start.astimezone(tz).weekday() == 1 for o in items)
    # The UTC hour moves with the offset: winter and summer differ by one hour.
    before = next(o for o in items if o.day > spring - timedelta(days=7))
    after = next(o for o in items if o.day > spring)
    assert after.start.astimezone(timezone.utc).hour == before.start.astimezone(timezone.utc).hour - 1
    last_summer = [o for o in items if o.day < autumn][-1]
    first_winter = next(o for o in items if o.day > autumn)
    assert (
        first_winter.start.astimezone(timezone.utc).hour
        == last_summer.start.astimezone(timezone.utc).hour + 1
    )
    assert all(o.end - o.start == timedelta(minutes=30) for o in items)


def test_a_start_in_the_spring_gap_is_refused():
    tz = zone("America/New_York")
    with pytest.raises(NonexistentLocalTime):
        recurrence.local_to_utc(date(2025, 3, 9), time(2, 30), tz)


def test_a_series_crossing_the_gap_names_the_day():
    tz = zone("America/New_York")
    with pytest.raises(NonexistentLocalTime) as caught:
        occurrences("weekly", 6, time(2, 30), HOUR, date(2025, 3, 1), date(2025, 4, 1), tz)
    assert caught.value.moment.date() == date(2025, 3, 9)


def test_the_repeated_autumn_hour_takes_its_first_occurrence():
    tz = zone("America/New_York")
    start = recurrence.local_to_utc(date(2025, 11, 2), time(1, 30), tz)
    assert start.astimezone(timezone.utc).hour == 5  # 01:30 EDT, not 01:30 EST


def test_biweekly_skips_every_other_week():
    days = occurrence_dates("biweekly", 0, date(2025, 1, 1), date(2025, 2, 28))
    assert days == [date(2025, 1, 6), date(2025, 1, 20), date(2025, 2, 3), date(2025, 2, 17)]


def test_monthly_keeps_the_nth_weekday():
    # 2025-01-14 is the second Tuesday of January.
    days = occurrence_dates("monthly", 1, date(2025, 1, 14), date(2025, 5, 31))
    assert days == [
        date(2025, 1, 14),
        date(2025, 2, 11),
        date(2025, 3, 11),
        date(2025, 4, 8),
        date(2025, 5, 13),
    ]


def test_monthly_from_a_fifth_weekday_means_the_last_one():
    days = occurrence_dates("monthly", 4, date(2025, 1, 31), date(2025, 4, 30))
    assert days == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 28), date(2025, 4, 25)]


def test_the_first_occurrence_is_the_weekday_on_or_after_the_start_date():
    assert occurrence_dates("weekly", 3, date(2025, 1, 1), date(2025, 1, 10)) == [
        date(2025, 1, 2),
        date(2025, 1, 9),
    ]
    assert occurrence_dates("weekly", 3, date(2025, 1, 10), date(2025, 1, 12)) == []


def test_closed_days_are_skipped():
    tz = zone("UTC")
    closed = {date(2025, 1, 14)}
    items = occurrences(
        "weekly", 1, time(16), HOUR, date(2025, 1, 7), date(2025, 1, 28), tz, closed=closed.__contains__
    )
    assert [o.day for o in items] == [date(2025, 1, 7), date(2025, 1, 21), date(2025, 1, 28)]


TIMEZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Tokyo",
    "America/Sao_Paulo",
    "Pacific/Auckland",
]


@settings(max_examples=60, deadline=None)
@given(
    tz_name=st.sampled_from(TIMEZONES),
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    weekday=st.integers(0, 6),
    hour=st.integers(7, 21),
    minute=st.sampled_from([0, 15, 30, 45]),
    minutes=st.sampled_from([30, 45, 60, 90]),
)
def test_a_year_of_weekly_lessons_keeps_its_wall_clock_time(tz_name, start, weekday, hour, minute, minutes):
    tz = zone(tz_name)
    items = occurrences(
        "weekly",
        weekday,
        time(hour, minute),
        timedelta(minutes=minutes),
        start,
        start + timedelta(days=363),
        tz,
    )
    assert len(items) == 52
    for o in items:
        local = o.start.astimezone(tz)
        assert (local.weekday(), local.hour, local.minute) == (weekday, hour, minute)
        assert local.date() == o.day
        assert o.end - o.start == timedelta(minutes=minutes)
    assert all(b.day - a.day == timedelta(weeks=1) for a, b in zip(items, items[1:], strict=False))
