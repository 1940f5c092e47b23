"""An admin writes an announcement to the piano students: the count follows the audience as
it is chosen, the review says whom it reaches, and it is sent; a parent opens it; the
unsubscribe link works signed out. In a real browser, at desktop and phone widths, with
accessibility checks."""
import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.messaging.models import Announcement
from app.messaging.services import announcements as service
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.factories import PASSWORD
from tests.messaging.announcement_world import build

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("ANNOUNCEMENT_SHOTS") or Path(tempfile.gettempdir()) / "shots" / "announcements")


@pytest.fixture()
def w(make):
    return build(make)


def snap(page, name):
    """A full-page screenshot at desktop and phone widths (the page left at desktop width)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, label in ((DESKTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_an_admin_announces_to_the_piano_students_and_a_parent_reads_it(
        w, page, browser, live_url, axe_check):
    login_in_browser(page, live_url, w.admin.email, PASSWORD)
    page.get_by_role("link", name="Announcements").first.click()
    expect(page.locator("main")).to_contain_text("No announcements yet")
    axe_check(page)
    snap(page, "list-empty")

    page.get_by_role("button", name="New announcement").click()
    page.wait_for_url(re.compile(r"/announcements/new"))
    page.wait_for_load_state("load")  # the page's script has shown the chosen audience's input only
    expect(page.get_by_label("Teacher", exact=True)).to_be_hidden()
    page.get_by_label("Students of one instrument").check()
    page.get_by_label("Instrument", exact=True).select_option("Piano")
    preview = page.locator("#audience-preview")
    preview.get_by_text("This goes to 2 families (3 emails).").wait_for()
    page.get_by_label("Subject").fill("Piano recital on Sunday")
    page.locator("textarea#body").fill("Bring your **music** and arrive at 2:30.\n\n- Parking at the back")
    axe_check(page)
    snap(page, "compose")

    page.get_by_role("button", name="Review").click()
    expect(page.locator("main")).to_contain_text("Piano students and families")
    axe_check(page)
    snap(page, "review")
    page.get_by_role("button", name="Send to 3 people").click()
    page.wait_for_url(re.compile(r"/announcements/[0-9a-f-]{36}$"))
    assert "People reached" in page.locator("main").inner_text()
    axe_check(page)
    snap(page, "detail")

    page.get_by_role("link", name="Announcements").first.click()
    expect(page.locator("main")).to_contain_text("Piano recital on Sunday")
    axe_check(page)
    snap(page, "list")

    announcement = db.session.scalar(db.select(Announcement))
    parent = browser.new_page(viewport=PHONE)
    login_in_browser(parent, live_url, w.parent.email, PASSWORD)
    parent.goto(f"{live_url}/announcements/{announcement.id}")
    text = parent.locator("main").inner_text()
    assert "Bring your music" in text and "People reached" not in text
    axe_check(parent)
    snap(parent, "parent-reads")
    parent.close()


def test_the_unsubscribe_link_works_signed_out(w, browser, live_url, axe_check):
    token = service.unsubscribe_token(w.parent)
    db.session.commit()
    page = browser.new_page(viewport=DESKTOP)

    page.goto(f"{live_url}/unsubscribe/{token}")
    axe_check(page)
    snap(page, "unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("main")).to_contain_text("You are unsubscribed.")
    axe_check(page)
    snap(page, "unsubscribed")
    page.close()
