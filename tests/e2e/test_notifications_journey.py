"""The bell and the notifications page in a real browser, as admin, teacher, parent and
student, at desktop and phone width: the badge counts what the studio's events left each
of them, marking one read updates the bell without a reload, following one opens its page
and marks it read, "Mark all read" empties the badge. Accessibility checked on every page."""
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.extensions import db
from app.scheduling import services as scheduling
from app.teaching import services as teaching
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, axe_clean, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("NOTIFICATION_SHOTS") or SCREENSHOTS / "notifications")


def _at(days, hour=16):
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture()
def studio(make):
    studio = make.studio(name="Bell Music")
    admin = make.member(studio, "admin", email="alice@bell.test", first_name="Alice", last_name="Admin")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh", email="theo@bell.test",
                           hourly_rate=60)
    parent = make.member(studio, "parent", email="paula@bell.test", first_name="Paula",
                         last_name="Bennett")
    student = make.member(studio, "student", email="sam@bell.test", first_name="Sam",
                          last_name="Bennett")
    family = make.family(studio, guardians=[parent], name="Bennett Family")
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett", user=student,
                       primary_teacher=teacher)
    lily = make.student(studio, family, first_name="Lily", last_name="Bennett", primary_teacher=teacher)

    def book(who, days, actor=admin):
        placement = scheduling.Placement(teacher=teacher, students=(who,))
        return scheduling.schedule_lesson(studio, actor, placement, start=_at(days)).lesson

    past = book(sam, -2)
    teaching.create_note(studio, teacher.user, past, summary="Lovely scales.",
                         visible_to_parent=True, visible_to_student=True)
    book(sam, 3)
    moved = book(lily, 4)
    scheduling.reschedule_lesson(studio, admin, moved, start=_at(5))
    cancelled = book(lily, 6)
    scheduling.cancel_lesson(studio, teacher.user, cancelled, "Theo is at a competition",
                             initiated_by="studio")
    asked = book(sam, 8)
    scheduling.request_cancellation(studio, parent, asked, "Family holiday")
    invoice = make.invoice(studio, family, send=True, actor=admin)
    make.payment(studio, invoice, "50.00", actor=admin)
    db.session.commit()
    return {"admin": admin.email, "teacher": teacher.user.email, "parent": parent.email,
            "student": student.email}


def _badge(page):
    return page.locator("#notification-bell a.bell").get_attribute("aria-label")


@pytest.mark.parametrize("role", ["admin", "teacher", "parent", "student"])
def test_the_bell_and_the_page_for_each_role(page, live_url, studio, role):
    SHOTS.mkdir(parents=True, exist_ok=True)
    login_in_browser(page, live_url, studio[role], PASSWORD)
    label = _badge(page)
    unread = int(re.search(r"Notifications, (\d+) unread", label).group(1))
    assert unread > 0, label
    axe_clean(page)
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{role}-bell-{name}.png"))

    page.set_viewport_size(DESKTOP)
    page.locator("#notification-bell a.bell").click()
    page.wait_for_url(f"{live_url}/notifications")
    assert page.locator("li.notification.unread").count() == unread
    axe_clean(page)
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{role}-page-{name}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    # One read with htmx: the item loses its highlight, the bell counts one fewer.
    page.locator("li.notification.unread").first.get_by_role("button", name=re.compile("Mark")).click()
    page.wait_for_function(
        "n => document.querySelectorAll('li.notification.unread').length === n", arg=unread - 1)
    expected = f"Notifications, {unread - 1 if unread > 1 else 'none'} unread"
    page.wait_for_function(
        "label => document.querySelector('#notification-bell a.bell').getAttribute('aria-label') === label",
        arg=expected)

    if unread > 1:
        page.get_by_role("button", name="Mark all read").click()
        page.wait_for_function("() => !document.querySelector('li.notification.unread')")
        page.wait_for_function(
            "() => document.querySelector('#notification-bell a.bell').getAttribute('aria-label')"
            " === 'Notifications, none unread'")
        axe_clean(page)
        page.screenshot(path=str(SHOTS / f"{role}-all-read-desktop.png"), full_page=True)


def test_following_a_notification_opens_its_page_and_marks_it_read(page, live_url, studio):
    login_in_browser(page, live_url, studio["parent"], PASSWORD)
    before = _badge(page)
    page.goto(f"{live_url}/notifications")
    link = page.locator("li.notification.unread a.notification-title").first
    link.click()
    page.wait_for_load_state()
    assert "/notifications" not in page.url
    assert _badge(page) != before


def test_the_email_choices_on_the_account_page(page, live_url, studio):
    login_in_browser(page, live_url, studio["parent"], PASSWORD)
    page.goto(f"{live_url}/account/#notifications")
    box = page.get_by_label("Lesson note shared")
    assert not box.is_checked()
    box.check()
    page.get_by_role("button", name="Save email choices").click()
    page.wait_for_url(re.compile(r".*/account/#notifications"))
    assert page.get_by_label("Lesson note shared").is_checked()
    axe_clean(page)
    page.locator("#notifications").screenshot(path=str(SHOTS / "parent-email-choices.png"))
