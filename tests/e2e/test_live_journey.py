"""Live updates in real browsers: a parent writes to their child's teacher and the teacher's
open page shows it (Messages badge, bell, inbox) without a reload; the teacher replies and
the parent's open thread shows the reply; the office cancels a lesson and the parent's bell
and notifications show it. Three browser contexts, one per member, on the app served over
HTTP with the page stream (/stream) open in each."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

SUBJECT = "Sam's practice this week"


@pytest.fixture()
def journey(make, app):
    studio = make.studio(name="Live Journey Music")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh", email="theo@live.test")
    make.member(studio, "admin", email="ada@live.test", first_name="Ada", last_name="Office")
    parent = make.member(studio, "parent", email="paula@live.test", first_name="Paula",
                         last_name="Bennett")
    family = make.family(studio, guardians=[parent], name="Bennett Family")
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett",
                       primary_teacher=teacher)
    start = (datetime.now(timezone.utc) + timedelta(days=3)).replace(minute=0, second=0,
                                                                      microsecond=0)
    lesson = make.lesson(studio, teacher=teacher, students=[sam], start=start)
    db.session.commit()
    # Streams as served: open for minutes (the test app ends them at once otherwise).
    previous = app.config["STREAM_MAX_SECONDS"]
    app.config["STREAM_MAX_SECONDS"] = 120
    yield type("Journey", (), {"lesson_id": lesson.id})
    app.config["STREAM_MAX_SECONDS"] = previous


def _stream_open(page):
    """Wait until the page's EventSource is connected (htmx's SSE extension says so)."""
    page.wait_for_function(
        "() => { const d = htmx && document.body['htmx-internal-data'];"
        " return d && d.sseEventSource && d.sseEventSource.readyState === 1; }", timeout=10_000)


def _mark_unreloaded(page):
    page.evaluate("() => { window.__sameDocument = true; }")


def _still_same_document(page):
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"


def _bell(page):
    return page.locator("#notification-bell a.bell")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_messages_and_a_cancellation_reach_open_pages_live(journey, browser, live_url, axe_check,
                                                           shoot, viewport):
    size = viewport["width"]
    teacher_ctx = browser.new_context(viewport=viewport)
    parent_ctx = browser.new_context(viewport=viewport)
    office_ctx = browser.new_context(viewport=viewport)
    try:
        teacher, parent, office = (teacher_ctx.new_page(), parent_ctx.new_page(),
                                   office_ctx.new_page())

        # The teacher has the inbox open, nothing unread.
        login_in_browser(teacher, live_url, "theo@live.test", PASSWORD)
        teacher.goto(f"{live_url}/messages")
        _stream_open(teacher)
        expect(_bell(teacher)).to_have_attribute("aria-label", "Notifications, none unread")
        _mark_unreloaded(teacher)

        # The parent writes to the teacher.
        login_in_browser(parent, live_url, "paula@live.test", PASSWORD)
        parent.goto(f"{live_url}/messages/new")
        parent.get_by_label("Theo Marsh").check()
        parent.get_by_label("Subject").fill(SUBJECT)
        parent.get_by_label(re.compile("^Message")).fill("Sam struggled with the **scales**. Any tips?")
        parent.get_by_role("button", name="Send").click()
        parent.wait_for_url(re.compile(r"/messages/[0-9a-f-]{36}$"))
        _stream_open(parent)
        _mark_unreloaded(parent)

        # The teacher's page shows it without a reload: bell, Messages badge, inbox row.
        expect(_bell(teacher)).to_have_attribute("aria-label", "Notifications, 1 unread")
        expect(teacher.locator("#notification-bell .bell-badge")).to_have_text("1")
        expect(teacher.locator(".sidebar .nav-badge .badge")).to_have_text("1")
        expect(teacher.locator("#thread-list")).to_contain_text(SUBJECT)
        _still_same_document(teacher)
        shoot(teacher, f"live-teacher-inbox-live-{size}")
        axe_check(teacher)

        # The teacher opens the thread and replies; the parent's open thread shows the reply.
        teacher.locator("#thread-list").get_by_role("link", name=re.compile(SUBJECT)).click()
        teacher.wait_for_url(re.compile(r"/messages/[0-9a-f-]{36}$"))
        expect(teacher.locator("main")).to_contain_text("Any tips?")
        teacher.locator(".reply-form textarea").fill("Slow them down, hands separately.")
        teacher.get_by_role("button", name="Send reply").click()
        expect(teacher.locator("main")).to_contain_text("hands separately")
        expect(parent.locator("#thread-messages")).to_contain_text("hands separately")
        _still_same_document(parent)
        shoot(parent, f"live-parent-thread-live-{size}")
        axe_check(parent)

        # The office cancels the lesson; the parent's open page shows it in the bell.
        parent.goto(f"{live_url}/")
        _stream_open(parent)
        _mark_unreloaded(parent)
        before = _bell(parent).get_attribute("aria-label")
        login_in_browser(office, live_url, "ada@live.test", PASSWORD)
        office.goto(f"{live_url}/lessons/{journey.lesson_id}/cancel")
        office.get_by_label("Reason").fill("Teacher unwell")
        office.locator("main form").get_by_role("button", name="Cancel lesson").click()
        expect(office.locator("main")).to_contain_text(re.compile("cancelled", re.I))
        expect(_bell(parent)).not_to_have_attribute("aria-label", before)
        expect(parent.locator("#notification-bell .bell-badge")).to_be_visible()
        _still_same_document(parent)
        shoot(parent, f"live-parent-bell-after-cancel-{size}")

        # ... and the notifications page lists the cancellation.
        _bell(parent).click()
        parent.wait_for_url(re.compile(r"/notifications"))
        expect(parent.locator("main")).to_contain_text(re.compile("cancel", re.I))
        shoot(parent, f"live-parent-notifications-{size}")
        axe_check(parent)
    finally:
        for context in (teacher_ctx, parent_ctx, office_ctx):
            context.close()
