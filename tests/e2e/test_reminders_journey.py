"""The reminder lead time in the studio settings page, in a real browser at desktop and phone
width: an admin sees it with its hint, a value out of range is refused next to the field,
a good one is saved; and the reminder email as a family reads it."""
import tempfile
from datetime import time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Studio
from app.core.timeutil import local_today, zone
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.scheduling.recurrence import local_to_utc
from app.scheduling.services.reminders import remind_lesson
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
SHOTS = Path(tempfile.gettempdir()) / "shots" / "reminders"  # looked at by people, kept out of the repo


@pytest.fixture()
def studio(make):
    studio = make.studio(name="Allegro Strings")
    admin = make.member(studio, "admin")
    parent = make.member(studio, "parent", first_name="Pat", last_name="Bennett",
                         preferences={"timezone": "Europe/Berlin"})
    family = make.family(studio, name="Bennett", guardians=[parent])
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    day = local_today(studio) + timedelta(days=1)
    lesson = make.lesson(studio, teacher, [sam], start=local_to_utc(day, time(16), zone(studio.timezone)),
                         room=make.room(studio, name="Room A"), online_url="https://meet.example.test/sam")
    db.session.commit()
    return type("Setup", (), {"studio": studio, "admin": admin, "parent": parent, "lesson": lesson})


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_admin_sets_the_reminder_lead_time(page, live_url, studio, axe_check, size):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    login_in_browser(page, live_url, studio.admin.email, PASSWORD)
    page.goto(f"{live_url}/settings/studio")
    field = page.get_by_label("Lesson reminders (hours before)")
    expect(field).to_have_value("24")
    expect(page.locator("#reminder_lead_hours-hint")).to_contain_text("0 for none")
    field.scroll_into_view_if_needed()
    _shoot(page, f"settings-{size}")
    axe_check(page)

    field.fill("200")
    page.get_by_role("button", name="Save settings").click()
    error = page.locator("#reminder_lead_hours-error")
    expect(error).to_contain_text("between 0 and 168")
    expect(field).to_have_attribute("aria-invalid", "true")
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"settings-error-{size}.png"))
    _shoot(page, f"settings-error-full-{size}")
    axe_check(page)

    page.get_by_label("Lesson reminders (hours before)").fill("48")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Studio settings are saved.")).to_be_visible()
    expect(page.get_by_label("Lesson reminders (hours before)")).to_have_value("48")
    db.session.expire_all()
    assert db.session.get(Studio, studio.studio.id).reminder_lead_hours == 48


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_reminder_email_reads_well(page, studio, size):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    remind_lesson(studio.studio, studio.lesson)
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == studio.parent.email))
    page.set_content(email.body_html)
    expect(page.get_by_text("Times are in your timezone (Europe/Berlin).")).to_be_visible()
    expect(page.get_by_role("link", name="Open the lesson")).to_be_visible()
    _shoot(page, f"email-{size}")
