"""An admin adds a family with two children and finds them in the students list."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser

pytestmark = pytest.mark.e2e


@pytest.fixture()
def studio_with_admin(make):
    studio = make.studio(name="Allegro Strings")
    admin = make.member(studio, "admin", email="office@allegro.test", first_name="Olga")
    make.teacher(
        studio, email="theo@allegro.test", first_name="Theo", last_name="Marsh", instruments=["piano"]
    )
    make.student(studio, first_name="Existing", last_name="Pupil")
    db.session.commit()
    return admin


def add_child(page, first_name, instrument, shoot=None):
    page.get_by_role("button", name="Add a student").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a student")
    if shoot:
        shoot(page, "people-student-form-desktop")
    expect(page.get_by_label("Family", exact=True)).to_have_value(re.compile(r"[0-9a-f-]{36}"))
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Primary teacher").select_option(label="Theo Marsh")
    page.get_by_label("Instrument").fill(instrument)
    page.get_by_role("button", name="Add student").click()
    expect(page.locator(".flashes")).to_contain_text(f"{first_name} Rivera is added to Rivera Family.")


def test_admin_adds_a_family_with_two_children(page, live_url, shoot, axe_check, studio_with_admin):
    login_in_browser(page, live_url, "office@allegro.test", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Families", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Families")
    axe_check(page)
    page.get_by_role("button", name="Add a family").click()
    page.get_by_label("Family name").fill("Rivera Family")
    page.get_by_label("Phone").fill("+1 212 555 0142")
    page.get_by_label("Billing email").fill("maria.rivera@example.test")
    page.get_by_role("button", name="Create family").click()
    expect(page.locator(".flashes")).to_contain_text("Rivera Family is created.")

    guardian = page.locator("#guardian-form")
    guardian.get_by_label("Email").fill("maria.rivera@example.test")
    guardian.get_by_label("First name").fill("María")
    guardian.get_by_label("Last name").fill("Rivera")
    guardian.get_by_label("Relation").fill("Mother")
    guardian.get_by_role("button", name="Add guardian").click()
    expect(page.locator(".flashes")).to_contain_text("Added María Rivera to Rivera Family")

    add_child(page, "Lucía", "Piano", shoot)
    page.get_by_role("link", name="Rivera Family").first.click()
    add_child(page, "Mateo", "Violin")
    page.get_by_role("link", name="Rivera Family").first.click()
    expect(page.get_by_role("table")).to_contain_text("Lucía Rivera")
    expect(page.get_by_role("table")).to_contain_text("Mateo Rivera")
    axe_check(page)
    shoot(page, "people-family-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "people-family-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Students", exact=True).click()
    expect(page.locator("#results")).to_contain_text("3 students")
    page.wait_for_load_state("load")  # htmx listens from here on; typing earlier went unheard
    page.get_by_label("Search").fill("rivera")
    expect(page.locator("#results")).to_contain_text("2 students match your filters")
    expect(page).to_have_url(re.compile(r"/students\?.*q=rivera"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Lucía Rivera")
    expect(rows.nth(1)).to_contain_text("Mateo Rivera")
    expect(page.locator("#results")).not_to_contain_text("Existing Pupil")
    axe_check(page)
    shoot(page, "people-students-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "people-students-phone")

    page.set_viewport_size(DESKTOP)
    rows.nth(0).get_by_role("link", name="Lucía Rivera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lucía Rivera")
    axe_check(page)
    shoot(page, "people-student-desktop")


def test_teacher_pages_and_import_page_are_accessible(
    page, live_url, shoot, axe_check, studio_with_admin, tmp_path
):
    login_in_browser(page, live_url, "office@allegro.test", PASSWORD)
    page.goto(f"{live_url}/teachers")
    axe_check(page)
    shoot(page, "people-teachers-desktop")
    page.get_by_role("link", name="Theo Marsh").click()
    page.get_by_role("button", name="Edit availability").click()
    page.get_by_role("button", name="Add another window").click()
    expect(page.locator("[data-window-row]")).to_have_count(3)
    first_row = page.locator("[data-window-row]").nth(0)
    first_row.locator("select").select_option(label="Tuesday")
    first_row.locator("input").nth(0).fill("15:00")
    first_row.locator("input").nth(1).fill("18:30")
    axe_check(page)
    shoot(page, "people-availability-desktop")
    page.get_by_role("button", name="Save availability").click()
    expect(page.locator(".flashes")).to_contain_text("Weekly availability is saved.")
    expect(page.locator("table.availability")).to_contain_text("3:00")
    page.set_viewport_size(PHONE)
    shoot(page, "people-teacher-phone")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_url}/people/import")
    axe_check(page)
    shoot(page, "people-import-desktop")
    upload = tmp_path / "students.csv"
    upload.write_text(
        "Student First Name,Student Last Name,Parent Email,Teacher,DOB\n"
        "Ana,Lima,mum@example.test,Theo Marsh,2014-05-31\n"
        "Rui,Lima,mum@example.test,Nobody,31/31/2014\n"
        ",Nameless,,,\n",
        encoding="utf-8",
    )
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    page.get_by_role("link", name=re.compile("All rows")).click()
    expect(page.locator("#import-rows tbody tr")).to_have_count(3)
    axe_check(page)
    shoot(page, "people-import-preview-desktop")
    page.get_by_role("button", name="Import 1 student").click()
    # The import runs as a job: its page says when it is done, with a way to the result.
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of families and students")
    expect(page.locator(".job-progress")).to_contain_text("Imported 1 student and 1 new family.")
    axe_check(page)
    shoot(page, "people-import-job-desktop")
    page.get_by_role("button", name="See the imported rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import complete")
