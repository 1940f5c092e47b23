"""An admin registers an app; a parent connects it from the app's link (signing in on the
way), allows it on the consent page and lands on the app's loopback listener with a code the
app exchanges; the admin sees the connection and the parent disconnects it."""
import shutil
from pathlib import Path

import pytest
import requests

from app.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.oauth.conftest import authorize_query, pkce_pair
from tests.oauth.test_live_flow import Receiver

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots/oauth")  # noqa: S108 # nosec B108 - where reviewers look at every page


@pytest.fixture()
def both_widths(shoot, axe_check):
    """shots(page, name): axe-clean, then a screenshot at 1366 and at 390 px."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shots(page, name):
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            axe_check(page)
            shutil.copy(shoot(page, f"oauth-{name}-{label}"), SHOTS / f"{name}-{label}.png")
        page.set_viewport_size(DESKTOP)

    return _shots


def test_a_parent_connects_an_app_and_disconnects_it(browser, page, live_url, make, both_widths):
    studio = make.studio(name="Harmony Test Studio")
    admin = make.member(studio, "admin", first_name="Ada", last_name="Admin")
    parent = make.member(studio, "parent", first_name="Pat", last_name="Parent")
    db.session.commit()
    receiver = Receiver()
    try:
        login_in_browser(page, live_url, admin.email, PASSWORD)
        page.goto(f"{live_url}/settings/apps")
        both_widths(page, "apps-empty")
        page.get_by_label("Name").fill("Practice Buddy")
        page.get_by_label("Redirect URIs").fill("http://127.0.0.1/callback")
        page.get_by_label("See — Teachers, families and students").check()
        page.get_by_label("See — Invoices, payments and reports").check()
        page.get_by_label("Server app: keeps a client secret").check()
        page.get_by_role("button", name="Register app").click()
        assert "Practice Buddy is registered." in page.locator(".flashes").inner_text()
        client_id = page.get_by_label("Client ID").input_value()
        secret = page.get_by_label("Client secret").input_value()
        assert secret.startswith("cdz_cs_")
        both_widths(page, "secret")
        page.goto(f"{live_url}/settings/apps")
        both_widths(page, "apps-list")
        page.get_by_role("link", name="Edit Practice Buddy").click()
        both_widths(page, "app-edit")

        parent_context = browser.new_context(viewport=DESKTOP)
        parent_page = parent_context.new_page()
        verifier, challenge = pkce_pair()
        url = live_url + authorize_query(
            {"client_id": client_id}, redirect_uri=receiver.redirect_uri, challenge=challenge,
            scope="people:read billing:read", state="journey")
        parent_page.goto(url)
        assert "/login" in parent_page.url
        parent_page.get_by_label("Email").fill(parent.email)
        parent_page.get_by_label("Password").fill(PASSWORD)
        parent_page.get_by_role("button", name="Sign in").click()
        parent_page.wait_for_url("**/oauth/authorize?**")
        heading = parent_page.get_by_role("heading", name="Connect Practice Buddy?")
        assert heading.is_visible()
        assert "Harmony Test Studio" in parent_page.locator(".consent-card").inner_text()
        both_widths(parent_page, "consent")
        parent_page.get_by_role("button", name="Allow").click()
        parent_page.wait_for_url(f"{receiver.redirect_uri}?**")
        received = receiver.received[-1]
        assert received["state"] == "journey"

        issued = requests.post(f"{live_url}/oauth/token", auth=(client_id, secret), data={
            "grant_type": "authorization_code", "code": received["code"],
            "redirect_uri": receiver.redirect_uri, "code_verifier": verifier}, timeout=10)
        assert issued.status_code == 200, issued.text
        access = issued.json()["access_token"]
        invoices = requests.get(f"{live_url}/api/v1/invoices", timeout=10,
                                headers={"Authorization": f"Bearer {access}"})
        assert invoices.status_code == 200

        page.goto(f"{live_url}/settings/connected-apps")
        assert "Pat Parent" in page.locator("table").inner_text()
        both_widths(page, "connected")

        parent_page.goto(f"{live_url}/account/#connected-apps")
        section = parent_page.locator("#connected-apps")
        assert "Practice Buddy" in section.inner_text()
        both_widths(parent_page, "profile-connected")
        section.get_by_role("button", name="Disconnect Practice Buddy").click()
        assert "Practice Buddy is disconnected" in parent_page.locator(".flashes").inner_text()
        gone = requests.get(f"{live_url}/api/v1/invoices", timeout=10,
                            headers={"Authorization": f"Bearer {access}"})
        assert gone.status_code == 401
        parent_context.close()
    finally:
        receiver.close()
