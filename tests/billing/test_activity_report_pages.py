"""The attendance, retention and utilisation pages: chart (y ticks, month labels, a tooltip
per bar), the same figures as a table, and a CSV; teachers see their own utilisation only."""
import csv
import io
import re
from datetime import time, timedelta

import pytest

from app.core.timeutil import add_months, month_start
from app.extensions import db
from app.people.models import TeacherAvailability
from tests.conftest import web_login


def _client(app, user):
    db.session.commit()
    client = app.test_client()
    web_login(client, user.email)
    return client


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture()
def taught(bill, make):
    """Last month: Sam present and absent, Lily excused in a group, Chidi a no-show; Zoe (a
    second teacher) teaches one lesson. Theo is available Mondays 15:00-18:00."""
    first, _last = bill.last_month()
    lessons = [bill.lesson(bill.sam, first), bill.lesson(bill.sam, first + timedelta(days=1)),
               bill.lesson([bill.sam, bill.lily], first + timedelta(days=2), lesson_type="group"),
               bill.lesson(bill.chidi, first + timedelta(days=3), status="no_show")]
    recorded = (["present"], ["absent"], ["present", "excused"], ["absent"])
    for lesson, marks in zip(lessons, recorded, strict=True):
        for attendee, mark in zip(lesson.attendees, marks, strict=True):
            attendee.attendance = mark
    bill.zoe = make.teacher(bill.studio, first_name="Zoe", last_name="Young")
    make.lesson(bill.studio, bill.zoe, [bill.lily], start=bill.at(first + timedelta(days=4)), minutes=60,
                status="completed")
    db.session.add(TeacherAvailability(studio_id=bill.studio.id, teacher_id=bill.teacher.id, weekday=0,
                                       start_time=time(15), end_time=time(18)))
    db.session.flush()
    return first


def _range(first):
    return f"start={first.isoformat()}&end={add_months(first, 1) - timedelta(days=1)}"


def test_attendance_page_has_chart_table_and_csv(app, bill, taught):
    client = _client(app, bill.admin)
    html = client.get(f"/reports/attendance?{_range(taught)}").get_data(as_text=True)

    assert "<h1>Attendance</h1>" in html and 'aria-current="page">Attendance<' in html
    month = f"{taught:%B %Y}"
    assert f"<title>{month}: 2 present</title>" in html and f"<title>{month}: 1 no-show</title>" in html
    assert re.search(r'text-anchor="end">2</text>', html)  # a y tick with its value
    cells = "".join(f'<td class="num">{value}</td>' for value in (2, 1, 1, 1, "50%"))
    assert f'<th scope="row">{taught:%b %Y}</th>{cells}' in html
    rows = _csv(client.get(f"/reports/attendance.csv?{_range(taught)}"))
    assert rows == [["month", "present", "absent", "excused", "no_show", "attendance_rate"],
                    [f"{taught:%Y-%m}", "2", "1", "1", "1", "50.0"]]


def test_retention_page_and_csv(app, bill, taught):
    client = _client(app, bill.admin)
    start = add_months(taught, -1)
    query = f"start={start.isoformat()}&end={taught.isoformat()}"
    html = client.get(f"/reports/retention?{query}").get_data(as_text=True)
    assert "<h1>Retention</h1>" in html and f"<title>{taught:%B %Y}: 3 new</title>" in html
    rows = _csv(client.get(f"/reports/retention.csv?{query}"))
    assert rows[1:] == [[f"{start:%Y-%m}", "0", "0", "0", ""], [f"{taught:%Y-%m}", "3", "3", "0", ""]]


def test_utilisation_page_for_managers_shows_every_teacher(app, bill, taught):
    client = _client(app, bill.admin)
    html = client.get(f"/reports/utilisation?{_range(taught)}").get_data(as_text=True)
    assert "Theo Marsh" in html and "Zoe Young" in html and "h</text>" in html
    rows = _csv(client.get(f"/reports/utilisation.csv?{_range(taught)}"))
    assert rows[0] == ["teacher", "month", "lessons", "taught_hours", "available_hours", "utilisation"]
    theo = next(r for r in rows if r[0] == "Theo Marsh")
    assert theo[2:4] == ["4", "3.00"] and float(theo[4]) >= 12  # four or five Mondays of 3 hours
    zoe = next(r for r in rows if r[0] == "Zoe Young")
    assert zoe[2:] == ["1", "1.00", "0.00", ""]


def test_a_teacher_sees_their_own_utilisation_and_no_studio_report(app, bill, taught):
    client = _client(app, bill.teacher_user)
    html = client.get(f"/reports/utilisation?{_range(taught)}").get_data(as_text=True)
    assert "<h1>My utilisation</h1>" in html and "Theo Marsh" in html and "Zoe Young" not in html
    rows = _csv(client.get(f"/reports/utilisation.csv?{_range(taught)}"))
    assert [r[0] for r in rows[1:]] == ["Theo Marsh"]
    assert ">Attendance<" not in html
    assert client.get("/reports/attendance").status_code == 302
    assert client.get("/reports/retention.csv").status_code == 404


def test_empty_period_pages_render(app, bill):
    client = _client(app, bill.admin)
    future = add_months(month_start(bill.today()), 24)
    query = f"start={future.isoformat()}&end={future.isoformat()}"
    for path in ("attendance", "retention", "utilisation"):
        response = client.get(f"/reports/{path}?{query}")
        assert response.status_code == 200, path
    assert "No lessons were taught" in client.get(f"/reports/utilisation?{query}").get_data(as_text=True)
