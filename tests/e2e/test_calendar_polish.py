"""The week view in a browser: drag a lesson to move it (or M from the keyboard), long names
wrap between words, overlapping lessons sit side by side."""

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from app.core.timeutil import local_today, studio_zone
from app.extensions import db
from app.scheduling.models import Lesson
from tests.e2e.conftest import login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture()
def week(make):
    studio = make.studio(name="Allegro Strings")
    admin = make.member(studio, "admin", first_name="Alice")
    theo = make.teacher(studio, first_name="Theo", last_name="Marsh")
    clara = make.teacher(studio, first_name="Clara", last_name="Weiss")
    family = make.family(studio, name="Kowalczykowska")
    long = make.student(studio, family, first_name="Maximilian", last_name="Kowalczykowska")
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett")
    day = local_today(studio) + timedelta(days=2)

    def at(hour, minute=0):
        return datetime.combine(day, time(hour, minute), tzinfo=studio_zone(studio))

    moved = make.lesson(studio, theo, [sam], start=at(10), minutes=30)
    make.lesson(studio, theo, [long], start=at(16), minutes=45)
    make.lesson(studio, clara, [long], start=at(16, 15), minutes=30)
    db.session.commit()
    return type("Week", (), {"studio": studio, "admin": admin, "day": day, "moved": moved.id, "at": at})


def _open_week(page, live_url, week):
    # Tall enough that a lesson and the slot it is dropped on are on screen together: a
    # synthetic drag does not scroll the page the way a person's drag does.
    page.set_viewport_size({"width": 1366, "height": 1600})
    login_in_browser(page, live_url, week.admin.email, PASSWORD)
    page.goto(f"{live_url}/calendar?view=week&date={week.day.isoformat()}")


def test_dragging_a_lesson_moves_it_through_the_reschedule_form(page, live_url, week, shoot, axe_check):
    _open_week(page, live_url, week)
    lesson = page.locator(".cal-grid .cal-lesson", has_text="Sam Bennett")
    slot = page.locator(f'a.cal-slot[href*="date={week.day.isoformat()}"][href*="time=14:00"]')
    lesson.drag_to(slot, source_position={"x": 4, "y": 2}, target_position={"x": 4, "y": 2})
    dialog = page.locator("dialog#panel")
    expect(dialog).to_be_visible(timeout=15000)  # a drop posts the move: allow a busy server
    expect(dialog.locator(".panel-notice")).to_contain_text("Moved to")
    shoot(page, "calendar-drag-moved-desktop")
    axe_check(page)
    moved = db.session.scalars(db.select(Lesson).where(Lesson.rescheduled_from_id == week.moved)).one()
    assert moved.start_at == week.at(14)
    dialog.get_by_role("button", name="Close").click()
    expect(page.locator(".cal-grid .cal-lesson.st-scheduled", has_text="Sam Bennett")).to_have_count(1)


def test_a_drop_onto_a_clash_shows_the_reschedule_form_with_the_clash(page, live_url, week):
    _open_week(page, live_url, week)
    lesson = page.locator(".cal-grid .cal-lesson", has_text="Sam Bennett")
    taken = page.locator(".cal-grid .cal-lesson", has_text="Maximilian").first  # Theo's, at 16:00
    lesson.drag_to(taken, source_position={"x": 4, "y": 2}, target_position={"x": 4, "y": 2})
    dialog = page.locator("dialog#panel")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".form-errors")).to_be_visible()
    expect(dialog.get_by_label("Start time")).to_have_value("16:00")
    moves = db.select(Lesson).where(Lesson.rescheduled_from_id == week.moved)
    assert db.session.scalars(moves).first() is None


def test_m_on_a_focused_lesson_opens_the_reschedule_form(page, live_url, week, axe_check):
    _open_week(page, live_url, week)
    page.locator(".cal-grid .cal-lesson", has_text="Sam Bennett").focus()
    page.keyboard.press("m")
    dialog = page.locator("dialog#panel")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Date")).to_have_value(week.day.isoformat())
    expect(dialog.get_by_label("Start time")).to_have_value("10:00")
    expect(dialog.get_by_role("button", name="Move lesson")).to_be_visible()
    axe_check(page)


def test_an_empty_slot_is_reached_by_tab_and_opens_the_booking_form(page, live_url, week):
    _open_week(page, live_url, week)
    slot = page.locator(f'a.cal-slot[href*="date={week.day.isoformat()}"][href*="time=08:00"]')
    assert slot.evaluate("el => el.tabIndex") == 0
    slot.focus()
    expect(slot).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog#panel")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Start time")).to_have_value("08:00")


WORD_SPLIT = """el => {
  const text = el.firstChild; const words = []; let at = 0;
  for (const word of text.textContent.split(' ')) {
    const range = document.createRange(); range.setStart(text, at); range.setEnd(text, at + word.length);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (tops.size > 1) words.push(word);
    at += word.length + 1;
  }
  return words;
}"""


def test_long_names_wrap_between_words_and_overlaps_sit_side_by_side(page, live_url, week, shoot):
    _open_week(page, live_url, week)
    blocks = page.locator(".cal-grid .cal-lesson", has_text="Maximilian")
    expect(blocks).to_have_count(2)
    for i in range(2):
        assert blocks.nth(i).locator(".cal-title").evaluate(WORD_SPLIT) == []
    first, second = (blocks.nth(i).bounding_box() for i in range(2))
    assert first["x"] + first["width"] <= second["x"] + 1 or second["x"] + second["width"] <= first["x"] + 1
    shoot(page, "calendar-week-overlaps-desktop")
