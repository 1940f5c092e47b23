"""What each person sees of others, in a real browser at desktop and phone width: a parent
and a student see a classmate of a group lesson by first name only; a teacher finds only
their own students, by a search that ignores accents."""
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from app.core.timeutil import local_today, zone
from app.extensions import db
from app.scheduling.recurrence import local_to_utc
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture()
def studio(make):
    studio = make.studio(name="Allegro Strings")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    other_teacher = make.teacher(studio, first_name="Clara", last_name="Weiss")
    parent = make.member(studio, "parent", first_name="Pat", last_name="Bennett")
    student_user = make.member(studio, "student", first_name="Sam", last_name="Bennett")
    family = make.family(studio, name="Bennett", guardians=[parent])
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett", user=student_user,
                       primary_teacher=teacher)
    zoe = make.student(studio, make.family(studio, name="Okafor"), first_name="Zoë", last_name="Okafor")
    make.student(studio, make.family(studio, name="García"), first_name="José", last_name="García",
                 primary_teacher=teacher)
    make.student(studio, make.family(studio, name="Garcia Lopez"), first_name="Inés", last_name="Garcia",
                 primary_teacher=other_teacher)
    day = local_today(studio) + timedelta(days=1)
    start = local_to_utc(day, time(16, 0), zone(studio.timezone))
    make.lesson(studio, teacher, [sam, zoe], start=start, lesson_type="group")
    db.session.commit()
    return type("Setup", (), {"day": day, "teacher": teacher.user, "parent": parent,
                              "student": student_user})


def _open_group_lesson(page, live_url, day):
    page.goto(f"{live_url}/calendar?view=day&date={day.isoformat()}")
    lesson = page.locator(".cal-lesson", has_text="Zoë").first
    expect(lesson).to_contain_text("Sam Bennett, Zoë")
    lesson.click()
    dialog = page.locator("dialog#panel")
    expect(dialog).to_be_visible()
    return dialog


@pytest.mark.parametrize("who", ["parent", "student"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_families_see_a_classmate_by_first_name(page, live_url, studio, shoot, axe_check, who, size):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    login_in_browser(page, live_url, getattr(studio, who).email, PASSWORD)
    dialog = _open_group_lesson(page, live_url, studio.day)
    expect(dialog).to_contain_text("Zoë")
    expect(dialog).not_to_contain_text("Okafor")
    shoot(page, f"privacy-group-lesson-{who}-{size}")
    axe_check(page)
    expect(page.locator("body")).not_to_contain_text("Okafor")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_teacher_sees_the_whole_group_and_only_their_students(page, live_url, studio, shoot, axe_check,
                                                                size):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    login_in_browser(page, live_url, studio.teacher.email, PASSWORD)
    dialog = _open_group_lesson(page, live_url, studio.day)
    expect(dialog).to_contain_text("Zoë Okafor")
    shoot(page, f"privacy-group-lesson-teacher-{size}")

    page.goto(f"{live_url}/students")
    page.get_by_label("Search").fill("garcia")
    results = page.locator("#results")
    expect(results).not_to_contain_text("Sam Bennett")  # the search has applied
    expect(results).to_contain_text("José García")
    expect(results).not_to_contain_text("Inés")  # another teacher's student
    shoot(page, f"privacy-teacher-students-search-{size}")
    axe_check(page)


def test_the_privacy_settings_are_on_the_studio_settings_page(page, live_url, make, shoot, axe_check):
    studio = make.studio(name="Allegro Strings")
    admin = make.member(studio, "admin", first_name="Alice")
    db.session.commit()
    login_in_browser(page, live_url, admin.email, PASSWORD)
    page.goto(f"{live_url}/settings/studio")
    page.get_by_label("In group lessons, families see the other children's").select_option("hidden")
    page.get_by_label("Teachers see every student and family").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#flashes")).to_contain_text("Studio settings are saved.")
    expect(page.get_by_label("Teachers see every student and family")).to_be_checked()
    shoot(page, "privacy-studio-settings-desktop")
    axe_check(page)
