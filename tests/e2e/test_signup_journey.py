"""A new studio owner signs up, signs out and signs in again, in a real browser."""
import pytest

from tests.e2e.conftest import PHONE, login_in_browser

pytestmark = pytest.mark.e2e


def test_owner_signs_up_logs_out_and_logs_in(page, live_url, shoot, axe_check):
    page.goto(f"{live_url}/signup")
    axe_check(page)
    page.get_by_label("Studio name").fill("Allegro Strings")
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Boulanger")
    page.get_by_label("Email").fill("nadia@allegro.test")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create studio").click()
    # The browser keeps the page; the server answers with the message next to the field.
    assert page.locator("#password-error").inner_text() == "Field must be between 8 and 256 characters long."

    page.get_by_label("Password").fill("a-long-enough-password")
    page.get_by_role("button", name="Create studio").click()
    page.wait_for_url(f"{live_url}/")
    assert "Allegro Strings is ready" in page.locator(".flashes").inner_text()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Nadia")
    assert "Owner" in page.locator(".role-badge").inner_text()
    axe_check(page)
    shoot(page, "dashboard-owner-desktop")

    page.set_viewport_size(PHONE)
    shoot(page, "dashboard-owner-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.locator("summary[aria-label$=', account menu']").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_url}/login")
    assert "You are signed out." in page.locator(".flashes").inner_text()
    shoot(page, "login-desktop")

    page.goto(f"{live_url}/")
    assert page.url.startswith(f"{live_url}/login")

    login_in_browser(page, live_url, "nadia@allegro.test", "a-long-enough-password")
    assert "Welcome back, Nadia." in page.locator(".flashes").inner_text()
