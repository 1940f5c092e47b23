"""A new owner signs up (the timezone picker suggests the browser's zone), finds the
onboarding checklist on the dashboard, fills in the studio details with a logo, and sees the
step tick itself; at desktop and phone width, with no axe violations of any impact."""
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, axe_clean, login_in_browser

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "timezone_id": "Europe/Paris"}


def logo_file(tmp_path):
    image = Image.new("RGB", (240, 96), (91, 60, 196))
    for x in range(20, 220):
        for y in range(30, 66):
            image.putpixel((x, y), (255, 255, 255))
    path = tmp_path / "allegro-logo.png"
    out = io.BytesIO()
    image.save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_new_owner_is_led_through_the_studio_details(page, live_url, shoot, tmp_path, viewport):
    width = "desktop" if viewport == DESKTOP else "phone"
    page.set_viewport_size(viewport)
    page.goto(f"{live_url}/signup")
    timezone = page.locator("#timezone")
    expect(timezone).to_have_value("Europe/Paris")  # the browser's zone, preselected
    expect(page.locator("#timezone-browser")).to_contain_text("your device's timezone")
    search = page.get_by_label("Search timezones")
    search.fill("chicago")
    expect(timezone).to_have_value("America/Chicago")
    expect(page.locator("#timezone-matches")).to_contain_text("1 timezone matches")
    search.fill("lisbon")
    search.press("Enter")  # leaves the search for the list, without submitting the form
    expect(timezone).to_be_focused()
    expect(timezone).to_have_value("Europe/Lisbon")
    axe_clean(page)
    shoot(page, f"onboarding-signup-{width}")

    page.get_by_label("Studio name").fill(f"Allegro Strings {width}")
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Email").fill(f"nadia-{width}@allegro.test")
    page.get_by_label("Password").fill("a-long-enough-password")
    page.get_by_role("button", name="Create studio").click()
    page.wait_for_url(f"{live_url}/")

    checklist = page.get_by_role("article", name="Get your studio running")
    expect(checklist).to_be_visible()
    expect(checklist).to_contain_text("0 of 6 done")
    expect(checklist.get_by_role("link", name="Book the first lesson")).to_have_attribute("href", "/calendar")
    axe_clean(page)
    shoot(page, f"onboarding-checklist-{width}")

    checklist.get_by_role("link", name="Add your studio details").click()
    page.wait_for_url(f"{live_url}/settings/studio")
    expect(page.locator("#timezone")).to_have_value("Europe/Lisbon")  # saved; not replaced
    expect(page.get_by_role("button", name="Use Europe/Paris (your device's timezone)")).to_be_visible()
    page.get_by_label("Address", exact=True).fill("12 Rue de la Paix")
    page.get_by_label("City").fill("Paris")
    page.get_by_label("Postal code").fill("75002")
    page.get_by_label("Country").fill("France")
    page.get_by_label("Tax id").fill("FR 40 123456789")
    page.get_by_label("How families pay").fill(
        "Bank transfer to Allegro Strings\nIBAN FR76 3000 6000 0112 3456 7890 189")
    page.get_by_label("Logo").set_input_files(str(logo_file(tmp_path)))
    axe_clean(page)
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#flashes")).to_contain_text("Studio settings are saved.")
    expect(page.get_by_role("img", name="Current logo of Allegro Strings")).to_be_visible()
    axe_clean(page)
    shoot(page, f"onboarding-studio-details-{width}")

    page.get_by_role("link", name="Cadenza home").click()
    page.wait_for_url(f"{live_url}/")
    checklist = page.get_by_role("article", name="Get your studio running")
    expect(checklist).to_contain_text("1 of 6 done")
    expect(checklist.locator("[data-step='studio']")).to_have_class("onboarding-step done")
    expect(checklist.locator("[data-step='studio']")).to_contain_text("(done)")
    axe_clean(page)
    shoot(page, f"onboarding-checklist-ticked-{width}")

    page.get_by_role("button", name="Hide this list").click()
    expect(page.locator("#flashes")).to_contain_text("The checklist is hidden.")
    expect(page.get_by_role("article", name="Get your studio running")).to_have_count(0)
    axe_clean(page)


@pytest.fixture()
def detailed_studio(make, tmp_path):
    from app.accounts import services

    studio = make.studio(name="Allegro Strings", address_line1="12 Rue de la Paix", city="Paris",
                         postal_code="75002", country="France", tax_id="FR 40 123456789",
                         payment_instructions="Bank transfer to Allegro Strings\n"
                                              "IBAN FR76 3000 6000 0112 3456 7890 189")
    admin = make.member(studio, "admin", email="office@allegro-details.test")
    parent = make.member(studio, "parent", email="maria@allegro-details.test", first_name="Maria")
    services.set_studio_logo(studio, admin, logo_file(tmp_path).read_bytes())
    family = make.family(studio, guardians=[parent], name="Rivera Family")
    invoice = make.invoice(studio, family, lines=[("Violin lessons", 4, "45.00")], send=True)
    db.session.commit()
    return invoice


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_parent_sees_the_studio_details_on_the_invoice(page, live_url, shoot, detailed_studio,
                                                           viewport):
    width = "desktop" if viewport == DESKTOP else "phone"
    page.set_viewport_size(viewport)
    login_in_browser(page, live_url, "maria@allegro-details.test", PASSWORD)
    page.goto(f"{live_url}/invoices/{detailed_studio.id}")

    logo = page.get_by_role("img", name="Allegro Strings logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.naturalWidth") == 240
    document = page.locator(".invoice-doc")
    expect(document).to_contain_text("Tax id: FR 40 123456789")
    expect(document).to_contain_text("How to pay")
    expect(document).to_contain_text("IBAN FR76 3000 6000 0112 3456 7890 189")
    axe_clean(page)
    shoot(page, f"onboarding-invoice-details-{width}")
