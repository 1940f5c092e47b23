"""A parent who forgot their password asks for a link, chooses a new password and is signed
in; the device still signed in with the old one is signed out. At desktop and phone width,
with no axe violation of any impact on any page of the way."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from app.extensions import db
from app.messaging.models import OutboxEmail
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser

pytestmark = pytest.mark.e2e
LINK_RE = re.compile(r"https?://\S+(/reset-password/\S+)")


def assert_accessible(page):
    violations = Axe().run(page).response["violations"]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert not violations, f"accessibility violations on {page.url}: {summary}"


def emailed_link_path(address):
    db.session.rollback()  # the request committed the email
    body = db.session.scalar(select(OutboxEmail.body_text).where(OutboxEmail.to_address == address))
    return LINK_RE.search(body).group(1)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_parent_resets_a_forgotten_password(browser, live_url, make, shoot, axe_check, viewport):
    width = "desktop" if viewport == DESKTOP else "phone"
    studio = make.studio(name="Harmony Test Studio")
    parent = make.member(studio, "parent", first_name="Rosa")
    db.session.commit()
    old_device = browser.new_context(viewport=DESKTOP).new_page()
    login_in_browser(old_device, live_url, parent.email, PASSWORD)
    page = browser.new_context(viewport=viewport).new_page()

    page.goto(f"{live_url}/login")
    assert_accessible(page)
    shoot(page, f"login-forgot-link-{width}")
    page.get_by_role("link", name="Forgot password?").click()
    page.wait_for_url(f"{live_url}/forgot-password")
    assert_accessible(page)
    shoot(page, f"forgot-password-{width}")
    page.get_by_label("Email").fill(parent.email)
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_url(f"{live_url}/forgot-password/sent")
    assert "If an account exists for that email" in page.locator("main").inner_text()
    assert_accessible(page)
    shoot(page, f"forgot-password-sent-{width}")

    link = f"{live_url}{emailed_link_path(parent.email)}"
    page.goto(link)
    assert parent.email in page.locator("main").inner_text()
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    assert "at least 8 characters" in page.locator("#password-error").inner_text()
    assert_accessible(page)
    shoot(page, f"reset-password-error-{width}")
    page.get_by_label("New password").fill("a-brand-new-password")
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_url(f"{live_url}/")
    assert "Your password is changed" in page.locator(".flashes").inner_text()
    axe_check(page)  # the dashboard is not this journey's page: serious and critical, as elsewhere
    shoot(page, f"reset-password-done-{width}")

    old_device.goto(f"{live_url}/account/")
    assert old_device.url.startswith(f"{live_url}/login")

    page.context.clear_cookies()
    page.goto(link)
    assert "This link does not work any more" in page.locator("main").inner_text()
    assert_accessible(page)
    shoot(page, f"reset-link-used-{width}")
    page.get_by_role("button", name="Ask for a new link").click()
    page.wait_for_url(f"{live_url}/forgot-password")
    old_device.context.close()
    page.context.close()
