"""An admin adds a webhook endpoint (a real receiver on loopback), reads its secret, sends a
test event, sees the failed first attempt in the log, redelivers it, and disables the
endpoint; every page is axe-clean at desktop and phone widths."""
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.extensions import db
from app.webhooks import services
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.webhooks.conftest import allow_private, receiver  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
SHOTS = Path(tempfile.gettempdir()) / "shots" / "webhooks"  # for a person to look at


def _shots(page, name, axe_check):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        axe_check(page)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_admin_adds_tests_redelivers_and_disables_an_endpoint(
        page, live_url, make, axe_check, receiver, allow_private):  # noqa: F811
    studio = make.studio(name="Harmony Test Studio")
    admin = make.member(studio, "admin", first_name="Ada")
    db.session.commit()
    login_in_browser(page, live_url, admin.email, PASSWORD)
    page.get_by_role("link", name="Webhooks").click()
    page.wait_for_url(f"{live_url}/settings/webhooks")
    assert "No endpoints yet." in page.content()
    _shots(page, "empty", axe_check)

    page.get_by_label("Endpoint URL").fill("ftp://example.com/drop")
    page.get_by_role("group", name="Billing").get_by_label("invoice.paid").check()
    page.get_by_role("button", name="Add endpoint").click()
    page.get_by_text("Enter a URL starting with https:// (or http://).").wait_for()
    _shots(page, "refused", axe_check)

    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_role("group", name="Lessons").get_by_label("lesson.created").check()
    page.get_by_label("Description").fill("Front desk display")
    page.get_by_role("button", name="Add endpoint").click()
    page.get_by_role("button", name="Send test event").wait_for()
    page.get_by_text("Reveal secret").click()
    secret = page.get_by_label("Secret", exact=True).input_value()
    assert secret.startswith("whsec_")
    _shots(page, "endpoint", axe_check)

    receiver.script = [500]
    page.get_by_role("button", name="Send test event").click()
    page.get_by_text("A test event is on its way").wait_for()
    assert services.deliver_due() == (0, 1)  # what the worker does every minute
    log = page.locator("#delivery-log")
    log.get_by_role("button", name="Refresh").click()
    log.get_by_text("HTTP 500").wait_for()
    assert "next try" in log.inner_text()
    _shots(page, "failed-attempt", axe_check)

    later = datetime.now(timezone.utc) + timedelta(minutes=2)
    assert services.deliver_due(now=later) == (1, 0)  # the retry a minute later
    log.get_by_role("button", name="Refresh").click()
    log.get_by_text("Delivered").wait_for()
    log.get_by_role("button", name="Redeliver").click()
    page.get_by_text("will be sent again").wait_for()
    assert services.deliver_due() == (1, 0)
    assert [r.json["event"] for r in receiver.requests] == ["webhook.test"] * 3
    assert len({r.json["id"] for r in receiver.requests}) == 1
    _shots(page, "redelivered", axe_check)

    page.get_by_role("button", name="Disable").click()
    page.get_by_text("The endpoint is disabled").wait_for()
    page.get_by_role("link", name="Webhooks", exact=True).first.click()
    page.wait_for_url(f"{live_url}/settings/webhooks")
    assert "Disabled" in page.locator("tbody").inner_text()
    _shots(page, "list", axe_check)
