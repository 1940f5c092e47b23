"""A teacher writes a note for the parent only; the parent reads it on the portal; the
student never sees it. In a real browser, with accessibility checks and screenshots."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

SECRET = "Practise before screens, please"


@pytest.fixture()
def journey(make):
    studio = make.studio(name="Journey Music")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh", email="theo@journey.test")
    parent = make.member(
        studio, "parent", email="paula@journey.test", first_name="Paula", last_name="Bennett"
    )
    student_user = make.member(
        studio, "student", email="sam@journey.test", first_name="Sam", last_name="Bennett"
    )
    family = make.family(studio, guardians=[parent], name="Bennett Family")
    sam = make.student(
        studio, family, first_name="Sam", last_name="Bennett", user=student_user, primary_teacher=teacher
    )
    yesterday = datetime.now(timezone.utc).replace(microsecond=0, second=0) - timedelta(days=1)
    make.lesson(studio, teacher, [sam], start=yesterday, status="completed")
    earlier = make.lesson(studio, teacher, [sam], start=yesterday - timedelta(days=7), status="completed")
    make.note(
        earlier,
        summary="Scales were **excellent** this week.",
        assignments=["G major, 10 minutes daily"],
        practice_target_minutes=70,
        author=teacher.user,
    )
    make.goal(sam, title="Play Für Elise from memory", progress_percentage=60)
    make.practice(sam, minutes=30, pieces=["Für Elise"])
    db.session.commit()


def _sign_out(page):
    page.locator("summary[aria-label$=', account menu']").click()
    page.get_by_role("button", name="Sign out").click()


def test_parent_reads_the_note_the_student_cannot_see(journey, page, live_url, shoot, axe_check):
    login_in_browser(page, live_url, "theo@journey.test", PASSWORD)
    page.get_by_role("button", name=re.compile("^Write note for Sam Bennett")).first.click()
    form = page.locator("form[hx-post*='/note']")
    form.get_by_label("Summary").fill(f"{SECRET}. Sam was tired; <script>alert(1)</script> let's talk.")
    form.get_by_label("Assignments").fill("Für Elise bars 1–16, hands separately\nG major scale")
    form.get_by_label("Practice target (minutes a week)").fill("100")
    form.get_by_label("The student can read this note").uncheck()
    axe_check(page)
    shoot(page, "teaching-note-form-desktop")
    form.get_by_role("button", name="Save note").click()
    card = page.locator(".note-card").filter(has_text=SECRET)
    card.wait_for()
    assert "Hidden from student" in card.inner_text()
    assert "Parents can read" in card.inner_text()
    _sign_out(page)

    login_in_browser(page, live_url, "paula@journey.test", PASSWORD)
    portal_notes = page.locator("article[aria-labelledby=portal-notes]")
    assert SECRET in portal_notes.inner_text()
    assert "alert(1)" not in page.content().split(SECRET)[0][-50:]
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert (
        "Für Elise bars 1–16, hands separately"
        in page.locator("article[aria-labelledby=portal-assignments]").inner_text()
    )
    assert page.locator("progress").count() >= 2
    axe_check(page)
    shoot(page, "teaching-portal-parent-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "teaching-portal-parent-phone")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_url}/notes")
    assert SECRET in page.locator("main").inner_text()
    axe_check(page)
    _sign_out(page)

    login_in_browser(page, live_url, "sam@journey.test", PASSWORD)
    assert "Scales were excellent this week." in page.locator("main").inner_text()
    assert SECRET not in page.content()
    page.goto(f"{live_url}/notes")
    assert SECRET not in page.content()
    page.goto(f"{live_url}/practice")
    page.get_by_role("spinbutton", name="Minutes").fill("35")
    page.get_by_label("Pieces").fill("Für Elise")
    page.get_by_role("button", name="Log practice").click()
    assert "35 minutes of practice logged for Sam." in page.locator(".flashes").inner_text()
    axe_check(page)
    shoot(page, "teaching-practice-student-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "teaching-practice-student-phone")
