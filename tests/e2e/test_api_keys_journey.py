"""An admin makes an API key for the studio's website, copies it from the page that shows it
once, sees the program use it, then revokes it and the key stops working."""
import json
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser

pytestmark = pytest.mark.e2e
SHOTS = Path(tempfile.gettempdir()) / "shots" / "api-keys"  # for a person to look at


def _status(live_url, path, secret):
    url = f"{live_url}{path}"  # our loopback server
    request = urllib.request.Request(url, headers={"X-API-Key": secret})  # noqa: S310
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 # nosec B310 - loopback
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def _shots(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_admin_makes_copies_and_revokes_a_key(page, live_url, make, axe_check, shoot):
    studio = make.studio(name="Harmony Test Studio")
    admin = make.member(studio, "admin", first_name="Ada")
    db.session.commit()
    login_in_browser(page, live_url, admin.email, PASSWORD)
    page.get_by_role("link", name="API keys").click()
    page.wait_for_url(f"{live_url}/settings/api-keys")
    assert "No keys yet." in page.content()
    axe_check(page)
    _shots(page, "empty")

    page.get_by_role("button", name="Make key").click()  # nothing chosen: said by the fields
    page.locator("#scopes-error").wait_for()
    assert "Name the key (what uses it)." in page.locator("#name-error").inner_text()
    axe_check(page)
    _shots(page, "errors")
    page.get_by_label("Name").fill("Website booking form")
    billing = page.get_by_role("group", name="Invoices, payments and reports")
    billing.get_by_label("Read").check()
    page.get_by_role("group", name="Teachers, families and students").get_by_label("Read").check()
    page.get_by_label("Expires on").fill("2031-06-30")
    page.get_by_role("button", name="Make key").click()
    secret_field = page.get_by_label("Key", exact=True)
    secret_field.wait_for()
    secret = secret_field.input_value()
    assert secret.startswith("cdz_live_") and len(secret) == 49
    assert "This is the only time the key is shown" in page.content()
    page.get_by_role("button", name="Copy").click()
    page.get_by_role("button", name="Copied").wait_for()
    axe_check(page)
    _shots(page, "created")
    shoot(page, "api-keys-created")

    status, body = _status(live_url, "/api/v1/invoices", secret)
    assert status == 200 and body["count"] == 0
    assert _status(live_url, "/api/v1/lessons", secret)[0] == 403

    page.reload()  # the secret is gone for good; the list shows its prefix and its use
    assert secret not in page.content()
    row = page.locator("tbody tr", has_text="Website booking form")
    assert secret[:13] in row.inner_text() and "127.0.0.1" in row.inner_text()
    assert "people:read, billing:read" in row.inner_text()
    assert "End of Jun 30, 2031" in row.inner_text()
    axe_check(page)
    _shots(page, "listed")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke Website booking form").click()
    page.wait_for_url(f"{live_url}/settings/api-keys")
    assert "is revoked" in page.locator(".flashes").inner_text()
    assert "Revoked" in page.locator("tbody tr", has_text="Website booking form").inner_text()
    assert _status(live_url, "/api/v1/invoices", secret)[0] == 401
    axe_check(page)
    _shots(page, "revoked")
