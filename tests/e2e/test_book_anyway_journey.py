"""An admin books outside the teacher's hours: the warning shows, and one click on "Book
anyway" books; moving the lesson outside them too, one click on "Move anyway" moves it."""

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from app.core.timeutil import local_today
from app.extensions import db
from app.people.models import TeacherAvailability
from tests.e2e.conftest import DESKTOP, PHONE, axe_clean, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture()
def studio(make):
    studio = make.studio(name="Allegro Strings")
    admin = make.member(studio, "admin", first_name="Alice")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    for weekday in range(7):
        db.session.add(TeacherAvailability(studio_id=studio.id, teacher_id=teacher.id, weekday=weekday,
                                           start_time=time(12), end_time=time(13)))
    family = make.family(studio, name="Bennett")
    make.student(studio, family, first_name="Sam", last_name="Bennett")
    db.session.commit()
    return type("Setup", (), {"studio": studio, "admin": admin, "today": local_today(studio)})


def test_book_anyway_and_move_anyway_take_one_click(page, live_url, studio, shoot):
    today = studio.today.isoformat()
    login_in_browser(page, live_url, studio.admin.email, PASSWORD)
    page.goto(f"{live_url}/calendar?view=week&date={today}")
    page.locator(f'a.cal-slot[href*="date={today}"][href*="time=08:00"]').first.click()
    dialog = page.locator("dialog#panel")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Teacher").select_option(label="Theo Marsh")
    dialog.get_by_label(re.compile(r"^Student")).select_option(label="Sam Bennett")
    dialog.get_by_role("button", name="Book lesson").click()

    expect(dialog.locator(".warning-box")).to_contain_text("outside Theo Marsh")
    shoot(page, "anyway-book-warning-desktop")
    axe_clean(page)
    dialog.get_by_role("button", name="Book anyway").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#flashes")).to_contain_text("Lesson booked for")
    lesson = page.locator(".cal-grid .cal-lesson", has_text="Sam Bennett")
    expect(lesson).to_have_count(1)

    lesson.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Reschedule").click()
    dialog.get_by_label("Start time").fill("07:00")
    dialog.get_by_role("button", name="Move lesson").click()
    expect(dialog.locator(".warning-box")).to_contain_text("outside Theo Marsh")
    shoot(page, "anyway-move-warning-desktop")
    axe_clean(page)
    dialog.get_by_role("button", name="Move anyway").click()
    expect(dialog.locator(".panel-notice")).to_contain_text("Moved to")


def test_book_anyway_on_the_booking_page_at_phone_width(page, live_url, studio, shoot):
    page.set_viewport_size(PHONE)
    login_in_browser(page, live_url, studio.admin.email, PASSWORD)
    page.goto(f"{live_url}/lessons/new?date={studio.today.isoformat()}&time=08:00")
    page.get_by_label("Teacher").select_option(label="Theo Marsh")
    page.get_by_label(re.compile(r"^Student")).select_option(label="Sam Bennett")
    page.get_by_role("button", name="Book lesson").click()
    expect(page.locator(".warning-box")).to_contain_text("outside Theo Marsh")
    shoot(page, "anyway-book-warning-phone")
    axe_clean(page)
    page.get_by_role("button", name="Book anyway").click()
    expect(page.locator("#flashes")).to_contain_text("Lesson booked for")
    page.set_viewport_size(DESKTOP)
