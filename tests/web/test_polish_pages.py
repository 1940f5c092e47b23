"""Everyday polish on the pages: instruments as typed, notes by lesson date, the families'
invoice filter, the account menu's name, reachable calendar slots, the lesson page's h1."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.people.models import Student
from tests.conftest import csrf_token, web_login


@pytest.fixture()
def studio(make):
    studio = make.studio(name="Polish Studio")
    admin = make.member(studio, "admin", first_name="Alice")
    parent = make.member(studio, "parent", first_name="Paula")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    family = make.family(studio, guardians=[parent], name="Bennett")
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett", primary_teacher=teacher)
    db.session.commit()
    return type("Setup", (), {"studio": studio, "admin": admin, "parent": parent,
                              "teacher": teacher, "family": family, "sam": sam})


def _html(response):
    return response.get_data(as_text=True)


def test_an_instrument_keeps_the_case_it_was_typed_in(client, studio):
    web_login(client, studio.admin.email)
    token = csrf_token(client, "/students/new")
    response = client.post("/students/new", data={
        "csrf_token": token, "first_name": "Nova", "last_name": "Ray", "family": str(studio.family.id),
        "new_family_name": "", "primary_teacher": str(studio.teacher.id), "instrument": "DJ  decks",
        "default_lesson_minutes": "30", "default_lesson_rate": "30", "login": "none"})
    assert response.status_code == 302, _html(response)
    nova = db.session.scalar(select(Student).where(Student.first_name == "Nova"))
    assert nova.instrument == "DJ decks"
    assert "DJ decks" in _html(client.get(f"/students/{nova.id}"))
    listing = _html(client.get("/students?instrument=dj+decks"))
    assert "Nova Ray" in listing and "Sam Bennett" not in listing
    assert '<option value="DJ decks" selected>DJ decks</option>' in listing


def test_notes_are_listed_by_lesson_date_not_by_when_they_were_written(client, studio, make):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    older = make.lesson(studio.studio, studio.teacher, [studio.sam], start=now - timedelta(days=14))
    newer = make.lesson(studio.studio, studio.teacher, [studio.sam], start=now - timedelta(days=7))
    make.note(newer, summary="NEWER-LESSON", created_at=now - timedelta(days=6))
    make.note(older, summary="OLDER-LESSON-WRITTEN-LATE", created_at=now - timedelta(days=1))
    db.session.commit()
    web_login(client, studio.admin.email)
    html = _html(client.get("/notes"))
    assert html.index("NEWER-LESSON") < html.index("OLDER-LESSON-WRITTEN-LATE")


def test_a_parents_invoice_filter_does_not_offer_drafts(client, studio):
    web_login(client, studio.parent.email)
    html = _html(client.get("/invoices"))
    assert '<option value="sent"' in html and '<option value="draft"' not in html
    menu = _html(client.get("/invoices?status=draft")).split('id="invoice-status"')[1]
    assert "selected" not in menu.split("</select>")[0]


def test_staff_still_filter_by_draft(client, studio):
    web_login(client, studio.admin.email)
    assert '<option value="draft"' in _html(client.get("/invoices"))


def test_the_account_menus_name_includes_its_visible_text(client, studio):
    web_login(client, studio.admin.email)
    html = _html(client.get("/"))
    summary = re.search(r'<summary aria-label="([^"]*)">([^<]*)</summary>', html)
    assert summary and summary.group(2).strip() == "Alice"
    assert summary.group(1).startswith(summary.group(2).strip())


def test_empty_calendar_slots_are_in_the_tab_order(client, studio):
    web_login(client, studio.admin.email)
    html = _html(client.get("/calendar?view=week"))
    slots = re.findall(r'<a class="cal-slot[^>]*>', html)
    assert slots and not any('tabindex="-1"' in slot for slot in slots)


def test_the_lesson_page_has_one_h1_and_ordered_headings(client, studio, make):
    lesson = make.lesson(studio.studio, studio.teacher, [studio.sam],
                         start=datetime.now(timezone.utc) + timedelta(days=2))
    db.session.commit()
    web_login(client, studio.admin.email)
    html = _html(client.get(f"/lessons/{lesson.id}"))
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", html.split('<main')[1])]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
