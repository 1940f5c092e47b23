"""A teacher sees where they are signed in, signs one device out, then signs out everywhere."""
import pytest

from app.extensions import db
from tests.conftest import PASSWORD, api_login
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser

pytestmark = pytest.mark.e2e
PHONE_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
               "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def test_teacher_signs_a_device_out_then_everywhere(app, browser, page, live_url, make, shoot, axe_check):
    studio = make.studio(name="Harmony Test Studio")
    teacher = make.member(studio, "teacher", first_name="Clara")
    db.session.commit()
    phone = browser.new_context(viewport=PHONE, user_agent=PHONE_AGENT)
    phone_page = phone.new_page()
    login_in_browser(phone_page, live_url, teacher.email, PASSWORD)
    api_client = app.test_client()
    api_client.environ_base["HTTP_USER_AGENT"] = "python-requests/2.32.3"
    api_login(api_client, teacher.email)

    login_in_browser(page, live_url, teacher.email, PASSWORD)
    page.goto(f"{live_url}/account/")
    sessions = page.locator("#sessions")
    assert sessions.locator("li").count() == 3
    assert "This device" in sessions.locator("li").first.inner_text()
    assert "Safari on iPhone" in sessions.inner_text()
    assert "API client (python-requests)" in sessions.inner_text()
    axe_check(page)
    shoot(page, "profile-sessions-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "profile-sessions-phone")
    page.set_viewport_size(DESKTOP)

    sessions.get_by_role("button", name="Sign out Safari on iPhone", exact=False).click()
    assert "Safari on iPhone is signed out." in page.locator(".flashes").inner_text()
    phone_page.goto(f"{live_url}/account/")
    assert phone_page.url.startswith(f"{live_url}/login")

    page.get_by_role("button", name="Sign out everywhere").click()
    page.wait_for_url(f"{live_url}/login")
    assert "signed out on every device" in page.locator(".flashes").inner_text()
    page.goto(f"{live_url}/account/")
    assert page.url.startswith(f"{live_url}/login")
    phone.close()
