"""Key pages and API lists run as many SQL queries for 12 rows as for 2 (no N+1; SPEC §8).

tests/people/test_query_counts.py covers the people lists; this covers the dashboard, the
scheduling, teaching and billing lists, and the family portal.
"""
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.timeutil import zone
from app.extensions import db
from app.people.models import TeacherProfile
from app.scheduling.recurrence import local_to_utc
from tests.conftest import api_login, bearer, web_login
from tests.query_counts import assert_flat


class Data:
    """A studio whose lessons, notes, invoices and payments can be grown."""

    def __init__(self, make, studio_setup):
        self.make = make
        self.studio = studio_setup.studio
        self.users = studio_setup.users
        self.teacher = db.session.scalar(select(TeacherProfile).where(
            TeacherProfile.studio_id == self.studio.id,
            TeacherProfile.user_id == self.users["teacher"].id))
        self.room = make.room(self.studio, name="Room A")
        self.family = make.family(self.studio, guardians=[self.users["parent"]], name="Bennett")
        self.day = datetime.now(timezone.utc).astimezone(zone(self.studio.timezone)).date()
        self.grown = 0
        db.session.commit()

    def grow(self, n):
        """n more students, each with a lesson today (and a note), an invoice and a payment;
        every other one in the parent's family."""
        tz = zone(self.studio.timezone)
        for _ in range(n):
            i = self.grown
            self.grown += 1
            family = self.family if i % 2 == 0 else self.make.family(self.studio, name=f"Family {i}")
            student = self.make.student(self.studio, family, first_name=f"Kid{i}",
                                        primary_teacher=self.teacher)
            start = local_to_utc(self.day, time(7 + i // 2, 30 * (i % 2)), tz)
            lesson = self.make.lesson(self.studio, self.teacher, [student], start=start,
                                      room=self.room)
            self.make.note(lesson, student=student, author=self.users["teacher"])
            if i == 0:  # upcoming lists are non-empty from the first row, whatever the hour
                self.make.lesson(self.studio, self.teacher, [student], room=self.room,
                                 start=local_to_utc(self.day + timedelta(days=1), time(10), tz))
            invoice = self.make.invoice(self.studio, family, send=True,
                                        lines=((f"Lessons {i}", 2, "40.00"),))
            self.make.payment(self.studio, invoice, Decimal("10.00"))
        db.session.commit()


    def grow_dashboard(self, n):
        """n more of what the staff dashboard lists, each with its own student and every other
        one with a teacher of its own: a lesson of yesterday without attendance, an upcoming
        lesson with a cancellation request, an overdue invoice."""
        from app.scheduling import services

        tz = zone(self.studio.timezone)
        yesterday, next_week = self.day - timedelta(days=1), self.day + timedelta(days=7)
        for _ in range(n):
            i = self.grown
            self.grown += 1
            teacher = self.teacher if i % 2 == 0 else self.make.teacher(self.studio)
            student = self.make.student(self.studio, self.family, first_name=f"Kid{i}")
            self.make.lesson(self.studio, teacher, [student], room=self.room,
                             start=local_to_utc(yesterday, time(7 + i // 2, 30 * (i % 2)), tz))
            upcoming = self.make.lesson(self.studio, teacher, [student], room=self.room,
                                        start=local_to_utc(next_week, time(7 + i // 2, 30 * (i % 2)), tz))
            services.request_cancellation(self.studio, self.users["parent"], upcoming, f"Trip {i}")
            self.make.invoice(self.studio, self.make.family(self.studio, name=f"Late {i}"), send=True,
                              lines=((f"Lessons {i}", 1, "40.00"),), issue_date=self.day - timedelta(days=40),
                              due_date=self.day - timedelta(days=10))
        db.session.commit()


@pytest.fixture()
def data(make, studio_setup):
    return Data(make, studio_setup)


def _week(day):
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


WEB_PAGES = {
    "admin": [
        "/",
        "/lessons",
        "/lessons/today",
        "/calendar?view=week&date={day}",
        "/calendar?view=week&date={day}&teacher={teacher}",
        "/calendar?view=day&date={day}",
        "/invoices",
        "/payments",
        "/notes",
        "/notes?student_q=kid",
        "/reports",
        "/reports/teacher-hours",
        "/reports/attendance",
        "/reports/retention",
        "/reports/utilisation",
        "/families/{family}",
    ],
    "teacher": ["/", "/calendar?view=week&date={day}", "/notes", "/notes?student_q=kid", "/reports",
                "/reports/utilisation"],
    "parent": ["/", "/families/{family}", "/families/{family}/statement"],
}

API_LISTS = [
    "/api/v1/lessons",
    "/api/v1/lessons?start_date={monday}&end_date={sunday}",
    "/api/v1/lessons/calendar?start={monday}&end={sunday}",
    "/api/v1/invoices",
    "/api/v1/payments",
    "/api/v1/lesson-notes",
]


def _fill(path, data):
    monday, sunday = _week(data.day)
    return path.format(day=data.day, teacher=data.teacher.id, family=data.family.id,
                       monday=monday, sunday=sunday)


@pytest.mark.parametrize(("role", "path"), [(r, p) for r, paths in WEB_PAGES.items() for p in paths])
def test_pages_do_not_grow_with_rows(app, client, data, role, path):
    web_login(client, data.users[role].email)
    assert_flat(app, lambda: client.get(_fill(path, data)), data.grow)


@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_the_staff_dashboard_does_not_grow_with_its_lists(app, client, data, role):
    web_login(client, data.users[role].email)
    counts = assert_flat(app, lambda: client.get("/"), data.grow_dashboard)
    first = counts.first.get_data(as_text=True)
    assert "Kid0" in first and "Trip 0" in first
    assert "Trip 10" in counts.last.get_data(as_text=True)


@pytest.mark.parametrize("path", API_LISTS)
def test_api_lists_do_not_grow_with_rows(app, client, data, path):
    headers = bearer(api_login(client, data.users["admin"].email))
    response = assert_flat(app, lambda: client.get(_fill(path, data), headers=headers), data.grow).last
    results = response.json["results"] if isinstance(response.json, dict) else response.json
    assert len(results) >= 12
