"""The staff dashboard in a real browser, at desktop and phone width: an admin sees today's
agenda, marks yesterday's lessons present for one teacher and then for the whole day,
approves a family's cancellation request and sees the overdue invoices; a teacher sees and
marks only their own lessons. Every page state passes axe with no violation at all."""
import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from app.core.timeutil import local_today, zone
from app.extensions import db
from app.scheduling import services
from app.scheduling.recurrence import local_to_utc
from tests.e2e.conftest import DESKTOP, PHONE, axe_clean, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture()
def studio(make):
    studio = make.studio(name="Allegro Strings")
    admin = make.member(studio, "admin", first_name="Alice", last_name="Moreau")
    parent = make.member(studio, "parent", first_name="Pat", last_name="Bennett")
    theo = make.teacher(studio, first_name="Theo", last_name="Marsh")
    clara = make.teacher(studio, first_name="Clara", last_name="Weiss")
    family = make.family(studio, name="Bennett", guardians=[parent])
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett", primary_teacher=theo)
    ella = make.student(studio, family, first_name="Ella", last_name="Bennett", primary_teacher=clara)
    zoe = make.student(studio, make.family(studio, name="Okafor"), first_name="Zoë", last_name="Okafor",
                       primary_teacher=theo)
    room = make.room(studio, name="Studio 1")
    tz, today = zone(studio.timezone), local_today(studio)
    yesterday = today - timedelta(days=1)

    def at(day, hour):
        return local_to_utc(day, time(hour), tz)

    make.lesson(studio, theo, [sam], start=at(today, 23), room=room)
    make.lesson(studio, theo, [sam], start=at(yesterday, 9), room=room)
    make.lesson(studio, clara, [ella], start=at(yesterday, 10), room=room)
    make.lesson(studio, theo, [zoe], start=at(yesterday, 11), room=room)
    upcoming = make.lesson(studio, theo, [sam], start=at(today + timedelta(days=7), 16), room=room)
    services.request_cancellation(studio, parent, upcoming, "School concert")
    make.invoice(studio, family, send=True, lines=(("Piano lessons", 4, "45.00"),),
                 issue_date=today - timedelta(days=40), due_date=today - timedelta(days=10))
    db.session.commit()
    return type("Setup", (), {"admin": admin, "teacher": theo.user, "yesterday": yesterday})


def _day_section(page, day):
    return page.locator(f'section[aria-labelledby="attendance-{day.isoformat()}"]')


@pytest.mark.parametrize("size", SIZES)
def test_an_admin_works_through_the_day_from_the_dashboard(page, live_url, studio, shoot, size):
    page.set_viewport_size(SIZES[size])
    login_in_browser(page, live_url, studio.admin.email, PASSWORD)
    agenda = page.locator("#dashboard-agenda")
    expect(agenda).to_contain_text("Sam Bennett")
    expect(agenda).to_contain_text("Theo Marsh · Studio 1")
    attendance = page.locator("#dashboard-attendance")
    day = _day_section(page, studio.yesterday)
    expect(day.locator("li")).to_have_count(3)
    expect(page.locator("#dashboard-requests")).to_contain_text("School concert")
    expect(page.locator("#dashboard-overdue")).to_contain_text("$180.00")
    shoot(page, f"dashboard-admin-{size}")
    axe_clean(page)

    # One teacher's day first: only Clara's lesson is marked.
    day.get_by_role("button", name=re.compile("^Mark all present for Clara Weiss")).click()
    expect(attendance.locator(".notice")).to_have_text("1 lesson marked as attended.")
    expect(day.locator("li")).to_have_count(2)
    expect(day).not_to_contain_text("Ella Bennett")
    axe_clean(page)

    # Then the rest of the day.
    day.get_by_role("button", name=re.compile("^Mark all present for the 2 lessons")).click()
    expect(attendance.locator(".notice")).to_have_text("2 lessons marked as attended.")
    expect(day).to_have_count(0)
    shoot(page, f"dashboard-admin-marked-{size}")
    axe_clean(page)

    # The family's request: approved, the lesson is cancelled.
    page.locator("#dashboard-requests").get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.locator("#flashes")).to_contain_text("Request approved")
    expect(page.locator("#dashboard-requests")).to_contain_text("No cancellation requests")
    shoot(page, f"dashboard-admin-done-{size}")
    axe_clean(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_teacher_sees_and_marks_only_their_own_lessons(page, live_url, studio, shoot, size):
    page.set_viewport_size(SIZES[size])
    login_in_browser(page, live_url, studio.teacher.email, PASSWORD)
    day = _day_section(page, studio.yesterday)
    expect(day.locator("li")).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("Ella Bennett")
    expect(page.locator("#dashboard-overdue")).to_have_count(0)
    expect(page.locator("#dashboard-requests")).to_contain_text("School concert")
    shoot(page, f"dashboard-teacher-{size}")
    axe_clean(page)
    day.get_by_role("button", name=re.compile("^Mark all present")).click()
    expect(page.locator("#dashboard-attendance .notice")).to_have_text("2 lessons marked as attended.")
    expect(day).to_have_count(0)
    shoot(page, f"dashboard-teacher-marked-{size}")
    axe_clean(page)
