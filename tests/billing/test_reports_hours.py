"""Teacher hours are summed in SQL (issue 7): same totals as adding up each lesson."""
from datetime import timedelta

from app.billing.services import reports


def test_teacher_hours_sums_minutes_and_counts_per_status(bill, make):
    first, last = bill.last_month()
    other = make.teacher(bill.studio, first_name="Zoe", last_name="Young")
    bill.lesson(bill.sam, first, minutes=45)
    bill.lesson(bill.lily, first + timedelta(days=1), minutes=30)
    bill.lesson(bill.chidi, first + timedelta(days=2), minutes=60, status="no_show")
    bill.lesson(bill.sam, first + timedelta(days=3), minutes=45, status="cancelled")
    bill.lesson(bill.sam, last + timedelta(days=1), minutes=45)  # outside the range
    make.lesson(bill.studio, other, [bill.lily], start=bill.at(first + timedelta(days=4)),
                minutes=20, status="completed")

    rows = reports.teacher_hours(bill.studio, first, last)

    by_name = {r.teacher.full_name: r for r in rows}
    theo = by_name["Theo Marsh"]
    assert (theo.lessons, theo.no_shows, theo.minutes) == (2, 1, 135)
    assert str(theo.hours) == "2.25" and str(theo.pay) == "135.00"
    zoe = by_name["Zoe Young"]
    assert (zoe.lessons, zoe.no_shows, zoe.minutes) == (1, 0, 20)
    only = reports.teacher_hours(bill.studio, first, last, teacher_id=other.id)
    assert [(r.teacher.id, r.minutes) for r in only] == [(other.id, 20)]
