"""Threads in a real browser: a parent writes to their child's teacher (the picker offers
only the teacher and the office), replies appear without a reload, and every role's inbox,
new-message form and thread pass axe at desktop and phone widths."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.messaging.services import threads as services
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.factories import PASSWORD
from tests.messaging import threads_world

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("THREAD_SHOTS", "/tmp/shots/threads"))  # noqa: S108 # nosec B108 - screenshots to look at


@pytest.fixture()
def w(make):
    return threads_world.build(make)


def snap(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, label in ((DESKTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_parent_writes_to_the_teacher_who_replies(w, browser, live_url, axe_check):
    earlier = services.create_thread(w.p["admin"], "Spring recital programme",
                                     [w.users["parent"].id, w.users["teacher"].id,
                                      w.users["student"].id],
                                     "Please send the **pieces** for the programme by Friday.")
    services.post_message(w.p["teacher"], earlier, "Sam plays the *Minuet in G*.")
    db.session.commit()

    parent = browser.new_page()
    login_in_browser(parent, live_url, w.users["parent"].email, PASSWORD)
    parent.goto(f"{live_url}/messages")
    assert "Spring recital programme" in parent.locator("main").inner_text()
    axe_check(parent)
    snap(parent, "parent-inbox")

    parent.get_by_role("button", name="New message").click()
    picker = parent.locator("fieldset.recipients").inner_text()
    assert "Theo" in picker and "Lena" in picker and "Clara" not in picker
    parent.get_by_label(re.compile("Theo Marsh")).check()
    parent.get_by_label("Subject").fill("Tuesday's lesson")
    parent.get_by_label("Message").fill("Could Sam come at **5pm** instead?")
    axe_check(parent)
    snap(parent, "parent-new-message")
    parent.get_by_role("button", name="Send").click()
    parent.wait_for_url(re.compile(r"/messages/[0-9a-f-]{36}$"))
    axe_check(parent)
    snap(parent, "parent-thread")

    parent.locator("textarea#body").fill("Thanks in advance!")
    parent.get_by_role("button", name="Send reply").click()
    parent.locator(".message", has_text="Thanks in advance!").wait_for()
    assert parent.locator("textarea#body").input_value() == ""
    thread_url = parent.url

    for name in ("teacher", "admin", "student"):
        page = browser.new_page()
        login_in_browser(page, live_url, w.users[name].email, PASSWORD)
        page.goto(f"{live_url}/messages")
        axe_check(page)
        snap(page, f"{name}-inbox")
        page.get_by_role("button", name="New message").click()
        # The form's own page, not the inbox still on screen while it loads.
        expect(page.get_by_role("heading", name="New message")).to_be_visible()
        axe_check(page)
        snap(page, f"{name}-new-message")
        page.goto(f"{live_url}/messages")
        page.get_by_role("link", name=re.compile("Spring recital programme")).click()
        # The thread's own page, not the inbox still on screen while it loads.
        expect(page.get_by_role("heading", name="Spring recital programme")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Minuet in G")
        axe_check(page)
        snap(page, f"{name}-thread")
        if name == "teacher":
            page.goto(thread_url)
            assert "5pm" in page.locator("main").inner_text()
        page.close()
    parent.close()


def test_an_open_thread_catches_up_after_its_stream_reconnects(app, w, browser, live_url,
                                                              monkeypatch):
    """A message written while the page's stream was down shows in the open thread once the
    browser reconnects (the stream's catch-up), and nothing on the way breaks the Content
    Security Policy (htmx's trigger filters would: they evaluate strings)."""
    thread = services.create_thread(w.p["admin"], "Spring recital programme",
                                    [w.users["parent"].id], "Pieces by Friday, please.")
    db.session.commit()
    monkeypatch.setitem(app.config, "STREAM_MAX_SECONDS", 2)
    page = browser.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    login_in_browser(page, live_url, w.users["parent"].email, PASSWORD)
    page.goto(f"{live_url}/messages/{thread.id}")
    expect(page.locator("main")).to_contain_text("Pieces by Friday")
    page.route("**/stream", lambda route: route.abort())  # the stream ends and cannot come back
    page.wait_for_timeout(3000)
    services.post_message(w.p["admin"], thread, "Written while you were away.")
    db.session.commit()
    page.unroute("**/stream")
    expect(page.locator(".message", has_text="Written while you were away.")).to_be_visible(
        timeout=20_000)
    assert not [text for text in console if "Content Security Policy" in text]
    page.close()
