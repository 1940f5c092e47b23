"""A new owner who teaches signs up with "I teach too" and books a lesson from an empty
calendar slot for a student whose usual lesson is 45 minutes at $45: the form fills in the
student's length when the student is chosen, and the lesson comes out 45 minutes at $45.00.
At desktop and phone width, with axe finding nothing of any impact on every page."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Studio
from app.core.timeutil import local_today
from app.extensions import db
from app.scheduling.models import Lesson
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


def no_axe_violations(page):
    violations = Axe().run(page).response["violations"]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert not violations, f"accessibility violations on {page.url}: {summary}"


@pytest.mark.parametrize("width, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_a_new_owner_who_teaches_books_a_student_at_their_usual_length_and_rate(
        page, live_url, make, shoot, width, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_url}/signup")
    page.get_by_label("Studio name").fill(f"Solo Piano {width}")
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Boulanger")
    page.get_by_label("Email").fill(f"nadia.{width}@solo.test")
    page.get_by_label("Password").fill("a-long-enough-password")
    page.get_by_label("I teach too").check()
    no_axe_violations(page)
    shoot(page, f"owner-teaches-signup-{width}")
    page.get_by_role("button", name="Create studio").click()
    page.wait_for_url(f"{live_url}/")

    studio = db.session.scalar(select(Studio).where(Studio.name == f"Solo Piano {width}"))
    family = make.family(studio, name="Bennett")
    student = make.student(studio, family, first_name="Sam", last_name="Bennett",
                           default_lesson_minutes=45, default_lesson_rate=Decimal("45.00"))
    db.session.commit()
    today = local_today(studio).isoformat()

    page.goto(f"{live_url}/calendar?view=day&date={today}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    no_axe_violations(page)
    page.locator(f'a.cal-slot[href*="date={today}"][href*="time=09:00"]').first.click()
    dialog = page.locator("dialog#panel")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Teacher")).to_have_value(re.compile(".+"))
    expect(dialog.get_by_label("Length (minutes)")).to_have_value("30")
    dialog.get_by_label(re.compile(r"^Student")).select_option(label="Sam Bennett")
    expect(dialog.get_by_label("Length (minutes)")).to_have_value("45")
    expect(dialog).to_contain_text("Usual lesson: 45 min at $45.00")
    expect(dialog.get_by_label("Start time")).to_have_value("09:00")
    no_axe_violations(page)
    shoot(page, f"owner-teaches-booking-{width}")
    dialog.get_by_role("button", name="Book lesson").click()

    expect(dialog).to_be_hidden()
    expect(page.locator("#flashes")).to_contain_text("Lesson booked")
    booked = page.locator(".cal-grid .cal-lesson", has_text="Sam Bennett")
    expect(booked).to_have_count(1)
    no_axe_violations(page)
    shoot(page, f"owner-teaches-booked-{width}")

    db.session.expire_all()
    lesson = db.session.scalar(select(Lesson).where(Lesson.studio_id == studio.id))
    assert lesson.student_id == student.id
    assert lesson.end_at - lesson.start_at == timedelta(minutes=45)
    assert lesson.rate == Decimal("45.00")


@pytest.mark.parametrize("width, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_an_owner_without_teachers_learns_why_and_says_they_teach_in_settings(
        page, live_url, shoot, width, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_url}/signup")
    page.get_by_label("Studio name").fill(f"Quiet Strings {width}")
    page.get_by_label("First name").fill("Olive")
    page.get_by_label("Email").fill(f"olive.{width}@quiet.test")
    page.get_by_label("Password").fill("a-long-enough-password")
    page.get_by_role("button", name="Create studio").click()
    page.wait_for_url(f"{live_url}/")

    page.goto(f"{live_url}/lessons/new")
    notice = page.locator(".notice")
    expect(notice).to_contain_text("No one teaches in this studio yet")
    expect(notice.get_by_role("link", name="Add a teacher")).to_be_visible()
    no_axe_violations(page)
    shoot(page, f"booking-without-teachers-{width}")

    notice.get_by_role("link", name="say that you teach").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your teaching")
    no_axe_violations(page)
    page.get_by_label("I teach in this studio").check()
    shoot(page, f"settings-your-teaching-{width}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flashes")).to_contain_text("You are on the teachers list.")
    expect(page.get_by_label("I teach in this studio")).to_be_checked()
    no_axe_violations(page)

    page.goto(f"{live_url}/lessons/new")
    expect(page.locator(".notice")).to_have_count(0)
    expect(page.get_by_label("Teacher")).to_contain_text("Olive")
