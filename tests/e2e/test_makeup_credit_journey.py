"""A family owed a make-up lesson: the admin sees the credit on the family page, books the
make-up against it (from the calendar on a desktop, from the booking page on a phone), and
the parent sees the credit used in the portal."""

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.db import utcnow
from app.core.timeutil import local_today
from app.extensions import db
from app.scheduling.models import MakeupCredit
from tests.e2e.conftest import DESKTOP, PHONE, axe_clean, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture()
def studio(make):
    studio = make.studio(name="Allegro Strings")
    admin = make.member(studio, "admin", first_name="Alice")
    parent = make.member(studio, "parent", first_name="Paula")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    family = make.family(studio, guardians=[parent], name="Bennett")
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett")
    make.student(studio, family, first_name="Ella", last_name="Bennett")
    missed = make.lesson(studio, teacher, [sam], start=utcnow() - timedelta(days=3), status="cancelled")
    missed.cancellation_reason = "Flu"
    db.session.add(MakeupCredit(id=uuid.uuid4(), studio_id=studio.id, family_id=family.id, student_id=sam.id,
                                source_lesson_id=missed.id, expires_at=utcnow() + timedelta(days=30)))
    db.session.commit()
    return type("Setup", (), {"studio": studio, "admin": admin, "parent": parent, "family": family,
                              "today": local_today(studio)})


def _book_against_the_credit(form):
    form.get_by_label("Teacher").select_option(label="Theo Marsh")
    credit = form.get_by_label("Use a make-up credit")
    expect(credit).to_have_count(0)
    form.get_by_label(re.compile(r"^Student")).select_option(label="Sam Bennett")
    expect(credit).to_be_visible()
    expect(form.get_by_text("Sam Bennett has 1 make-up credit")).to_be_visible()
    credit.select_option(index=1)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_makeup_lesson_booked_against_the_familys_credit(page, live_url, studio, shoot, viewport):
    size = "desktop" if viewport == DESKTOP else "phone"
    page.set_viewport_size(viewport)
    today = studio.today.isoformat()
    login_in_browser(page, live_url, studio.admin.email, PASSWORD)
    page.goto(f"{live_url}/families/{studio.family.id}")
    credits = page.locator("article.makeup-credits")
    expect(credits).to_contain_text("1 available")
    expect(credits).to_contain_text("(Flu)")
    shoot(page, f"makeup-family-before-{size}")
    axe_clean(page)

    if viewport == DESKTOP:
        page.goto(f"{live_url}/calendar?view=week&date={today}")
        page.locator(f'a.cal-slot[href*="date={today}"][href*="time=08:00"]').first.click()
        dialog = page.locator("dialog#panel")
        expect(dialog).to_be_visible()
        _book_against_the_credit(dialog)
        shoot(page, f"makeup-booking-{size}")
        axe_clean(page)
        dialog.get_by_role("button", name="Book lesson").click()
        expect(dialog).to_be_hidden()
        expect(page.locator(".cal-grid .cal-lesson.st-scheduled", has_text="Sam Bennett")).to_have_count(1)
    else:
        page.goto(f"{live_url}/lessons/new?date={today}&time=08:00")
        _book_against_the_credit(page.locator("main"))
        shoot(page, f"makeup-booking-{size}")
        axe_clean(page)
        page.get_by_role("button", name="Book lesson").click()
    expect(page.locator("#flashes")).to_contain_text("Lesson booked for")

    page.goto(f"{live_url}/families/{studio.family.id}")
    expect(credits).to_contain_text("0 available")
    expect(credits).to_contain_text("used by")
    shoot(page, f"makeup-family-after-{size}")
    axe_clean(page)

    page.context.clear_cookies()
    login_in_browser(page, live_url, studio.parent.email, PASSWORD)
    portal = page.locator("article.makeup-credits")
    expect(portal).to_contain_text("0 available")
    expect(portal).to_contain_text("used by")
    shoot(page, f"makeup-portal-{size}")
    axe_clean(page)
