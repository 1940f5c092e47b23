"""An admin books a weekly series from the calendar, sees it in week view, cancels one
occurrence and marks another attended, in a real browser (desktop and phone)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.timeutil import local_today, studio_zone
from app.extensions import db
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture()
def studio(make):
    studio = make.studio(name="Allegro Strings")
    admin = make.member(studio, "admin", first_name="Alice")
    make.teacher(studio, first_name="Theo", last_name="Marsh")
    family = make.family(studio, name="Bennett")
    make.student(studio, family, first_name="Sam", last_name="Bennett")
    db.session.commit()
    return type("Setup", (), {"studio": studio, "admin": admin, "today": local_today(studio)})


def test_weekly_series_cancel_one_and_mark_another_attended(page, live_url, studio, shoot, axe_check):
    today = studio.today.isoformat()
    login_in_browser(page, live_url, studio.admin.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    axe_check(page)

    # Click the free 8:00 slot of today: the booking form opens prefilled.
    page.locator(f'a.cal-slot[href*="date={today}"][href*="time=08:00"]').first.click()
    dialog = page.locator("dialog#panel")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Date")).to_have_value(today)
    expect(dialog.get_by_label("Start time")).to_have_value("08:00")
    dialog.get_by_label("Teacher").select_option(label="Theo Marsh")
    dialog.get_by_label(re.compile(r"^Student")).select_option(label="Sam Bennett")
    dialog.get_by_label("Repeats").select_option("weekly")
    shoot(page, "scheduling-booking-dialog-desktop")
    axe_check(page)
    dialog.get_by_role("button", name="Book lesson").click()

    # The dialog closes, a flash confirms, and the week view shows the lesson without a reload.
    expect(dialog).to_be_hidden()
    expect(page.locator("#flashes")).to_contain_text("Booked every week from")
    this_week = page.locator(".cal-grid .cal-lesson", has_text="Sam Bennett")
    expect(this_week).to_have_count(1)
    shoot(page, "scheduling-week-desktop")
    axe_check(page)

    # Next week: the series goes on. Cancel that occurrence from its panel.
    page.get_by_role("button", name="Next week").click()
    expect(page).to_have_url(re.compile(f"date={studio.today + timedelta(weeks=1)}"))
    next_week = page.locator(".cal-grid .cal-lesson", has_text="Sam Bennett")
    expect(next_week).to_have_count(1)
    next_week.click()
    expect(dialog).to_be_visible()
    dialog.locator(".lesson-actions").get_by_role("button", name="Cancel lesson").click()
    dialog.get_by_label("Reason").fill("Family holiday")
    shoot(page, "scheduling-cancel-dialog-desktop")
    dialog.locator("form").get_by_role("button", name="Cancel lesson").click()
    expect(dialog.locator(".panel-notice")).to_contain_text("is cancelled")
    expect(dialog.locator(".status-badge")).to_have_text("Cancelled")
    dialog.get_by_role("button", name="Close").click()
    expect(page.locator(".cal-grid .cal-lesson.st-cancelled", has_text="Sam Bennett")).to_have_count(1)

    # Back to this week: mark today's lesson attended.
    page.get_by_role("button", name="Today").click()
    expect(page).to_have_url(re.compile(f"date={today}"))
    page.locator(".cal-grid .cal-lesson", has_text="Sam Bennett").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Attended").click()
    expect(dialog.locator(".panel-notice")).to_have_text("Marked as attended.")
    expect(dialog.locator(".status-badge")).to_have_text("Attended")
    dialog.get_by_role("button", name="Close").click()
    expect(page.locator(".cal-grid .cal-lesson.st-completed", has_text="Sam Bennett")).to_have_count(1)
    shoot(page, "scheduling-week-after-desktop")

    # Month view and the phone layout (the week becomes a list of days).
    page.get_by_role("button", name="Month").click()
    expect(page.locator(".cal-month")).to_be_visible()
    shoot(page, "scheduling-month-desktop")
    axe_check(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_url}/calendar?view=week")
    expect(page.locator(".cal-list.week .cal-lesson", has_text="Sam Bennett")).to_be_visible()
    shoot(page, "scheduling-week-phone")
    axe_check(page)
    page.goto(f"{live_url}/lessons")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lessons")
    shoot(page, "scheduling-lessons-phone")
    axe_check(page)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_url}/rooms")
    shoot(page, "scheduling-rooms-desktop")
    axe_check(page)


def test_a_parent_asks_to_cancel_and_the_teacher_takes_attendance(page, live_url, make, shoot, axe_check):
    from datetime import datetime, timezone

    studio = make.studio(name="Allegro Strings")
    parent = make.member(studio, "parent", first_name="Paula")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    family = make.family(studio, guardians=[parent], name="Bennett")
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett")
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    make.lesson(studio, teacher, [sam], start=now + timedelta(days=2))
    make.lesson(studio, teacher, [sam], start=now - timedelta(minutes=5))
    db.session.commit()

    login_in_browser(page, live_url, parent.email, PASSWORD)
    upcoming = page.locator(".agenda.upcoming .agenda-item")
    expect(upcoming).to_have_count(2)  # the lesson under way, and the one in two days
    axe_check(page)
    upcoming.nth(1).get_by_role("link", name="Sam Bennett").click()
    dialog = page.locator("dialog#panel")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Why can't you come?").fill("School concert")
    dialog.get_by_role("button", name="Request cancellation").click()
    expect(dialog.locator(".panel-notice")).to_contain_text("Your request is sent")
    axe_check(page)
    shoot(page, "scheduling-parent-request-desktop")

    page.context.clear_cookies()
    login_in_browser(page, live_url, teacher.user.email, PASSWORD)
    if local_today(studio) == (now - timedelta(minutes=5)).astimezone(studio_zone(studio)).date():
        item = page.locator(".agenda-item", has_text="Sam Bennett").first
        item.get_by_role("button", name="Mark Sam Bennett as attended").click()
        expect(page.locator(".agenda-item .notice")).to_have_text("Marked as attended.")
    axe_check(page)
    shoot(page, "scheduling-teacher-today-desktop")
    page.goto(f"{live_url}/lessons")
    expect(page.get_by_role("heading", name="Cancellation requests")).to_be_visible()
    axe_check(page)
