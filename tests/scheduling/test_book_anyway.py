"""One click on "Book anyway" / "Move anyway" / "Save anyway" does it: the button itself
carries the override, so the form is posted exactly as a browser posts it when that button
is clicked. A clash (teacher, student or room busy) is never overridden."""

from datetime import date, time
from html.parser import HTMLParser

from sqlalchemy import select

from app.extensions import db
from app.people.models import TeacherAvailability
from app.scheduling.models import Lesson
from tests.scheduling.test_pages import HTMX, _form, ours, signed_in, text

DAY = date(2030, 4, 2)  # a Tuesday; the teacher is available 09:00-12:00 only


class _Buttons(HTMLParser):
    """The submit buttons of a page: their label, name and value."""

    def __init__(self):
        super().__init__()
        self.buttons, self._open = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "button":
            self._open = {**dict(attrs), "label": ""}

    def handle_data(self, data):
        if self._open is not None:
            self._open["label"] += data

    def handle_endtag(self, tag):
        if tag == "button" and self._open is not None:
            self._open["label"] = self._open["label"].strip()
            self.buttons.append(self._open)
            self._open = None


def click(response, label, data):
    """The form data a browser sends when the button labelled `label` submits the form."""
    parser = _Buttons()
    parser.feed(text(response))
    button = next(b for b in parser.buttons if b["label"] == label)
    return {**data, button["name"]: button.get("value", "")} if button.get("name") else dict(data)


def _mornings_only(world):
    db.session.add(TeacherAvailability(studio_id=world.studio.id, teacher_id=world.teacher.id,
                                       weekday=1, start_time=time(9), end_time=time(12)))
    db.session.commit()


def test_book_anyway_books_with_one_click(client, world):
    _mornings_only(world)
    token = signed_in(client, world.admin)
    data = _form(token, teacher=str(world.teacher.id), student=str(world.student.id))
    warned = client.post("/lessons/new", headers=HTMX, data=data)
    assert warned.status_code == 422 and "outside Theo Marsh" in text(warned)
    booked = client.post("/lessons/new", headers=HTMX, data=click(warned, "Book anyway", data))
    assert booked.status_code == 200 and "Lesson booked" in text(booked)
    assert db.session.scalar(ours(world)).start_at == world.at(DAY, 16)


def test_book_anyway_books_a_series_with_one_click(client, world):
    _mornings_only(world)
    token = signed_in(client, world.admin)
    data = _form(token, teacher=str(world.teacher.id), student=str(world.student.id),
                 repeats="weekly", until="2030-04-16")
    warned = client.post("/lessons/new", headers=HTMX, data=data)
    assert warned.status_code == 422 and "Book anyway" in text(warned)
    booked = client.post("/lessons/new", headers=HTMX, data=click(warned, "Book anyway", data))
    assert booked.status_code == 200 and "Booked every week" in text(booked)
    assert len(db.session.scalars(ours(world)).all()) == 3


def test_the_first_click_on_book_lesson_does_not_override(client, world):
    _mornings_only(world)
    token = signed_in(client, world.admin)
    form = client.get(f"/lessons/new?date={DAY}&time=16:00", headers=HTMX)
    data = _form(token, teacher=str(world.teacher.id), student=str(world.student.id))
    warned = client.post("/lessons/new", headers=HTMX, data=click(form, "Book lesson", data))
    assert warned.status_code == 422 and db.session.scalar(ours(world)) is None


def test_book_anyway_never_overrides_a_clash(client, world, make):
    _mornings_only(world)
    make.lesson(world.studio, world.teacher, [world.sibling], start=world.at(DAY, 16))
    db.session.commit()
    token = signed_in(client, world.admin)
    data = _form(token, teacher=str(world.teacher.id), student=str(world.student.id))
    warned = client.post("/lessons/new", headers=HTMX, data=data)
    assert "Book anyway" in text(warned)
    refused = client.post("/lessons/new", headers=HTMX, data=click(warned, "Book anyway", data))
    assert refused.status_code == 422 and "Theo Marsh teaches" in text(refused)
    assert len(db.session.scalars(ours(world)).all()) == 1


def test_move_anyway_moves_with_one_click(client, world, make):
    lesson = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 10))
    db.session.commit()
    _mornings_only(world)
    token = signed_in(client, world.admin)
    data = _form(token, at="18:00")
    warned = client.post(f"/lessons/{lesson.id}/reschedule", headers=HTMX, data=data)
    assert warned.status_code == 422 and "Move anyway" in text(warned)
    moved = client.post(f"/lessons/{lesson.id}/reschedule", headers=HTMX,
                        data=click(warned, "Move anyway", data))
    assert moved.status_code == 200 and "Moved to" in text(moved)
    new = db.session.scalar(select(Lesson).where(Lesson.rescheduled_from_id == lesson.id))
    assert new.start_at == world.at(DAY, 18)


def test_save_anyway_saves_with_one_click(client, world, make):
    lesson = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 10))
    db.session.commit()
    _mornings_only(world)
    token = signed_in(client, world.admin)
    data = _form(token, at="18:00", teacher=str(world.teacher.id), apply_to="this")
    warned = client.post(f"/lessons/{lesson.id}/edit", headers=HTMX, data=data)
    assert warned.status_code == 422 and "Save anyway" in text(warned)
    saved = client.post(f"/lessons/{lesson.id}/edit", headers=HTMX, data=click(warned, "Save anyway", data))
    assert saved.status_code == 200
    db.session.refresh(lesson)
    assert lesson.start_at == world.at(DAY, 18)
