"""The staff dashboard page: agenda, attendance to take (bulk over htmx and without),
cancellation requests and overdue invoices, for admins and teachers."""
import re
from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.scheduling import services
from app.scheduling.models import Lesson
from tests.conftest import csrf_token, web_login

HTMX = {"HX-Request": "true"}
DAY = date(2030, 3, 5)  # a Tuesday, New York on UTC-5


def text(response):
    return response.get_data(as_text=True)


def _lesson(world, make, day, hour, teacher=None, students=None, **fields):
    return make.lesson(world.studio, teacher or world.teacher, students or [world.student],
                       start=world.at(day, hour), **fields)


def _status(lesson):
    return db.session.scalar(select(Lesson.status).where(Lesson.id == lesson.id))


def _section(page, element_id):
    match = re.search(rf'<article id="{element_id}".*?</article>', page, re.S)
    assert match, f"no #{element_id}"
    return match.group(0)


def _scope(form_html):
    """What a "Mark all present" form posts: the day, the teacher (if any) and the instant the
    page counted its lessons."""
    return dict(re.findall(r'name="(day|teacher|until)" value="([^"]+)"', form_html))


def test_the_admin_dashboard_shows_todays_lessons_of_the_studios_day(client, world, make):
    _lesson(world, make, DAY, 22)  # 03:00 UTC on the 6th
    _lesson(world, make, DAY + timedelta(days=1), 9, teacher=world.other_teacher, students=[world.sibling])
    db.session.commit()
    with time_machine.travel(world.at(DAY, 23, 30)):  # the 6th in UTC, the 5th in New York
        web_login(client, world.admin.email)
        agenda = _section(text(client.get("/")), "dashboard-agenda")
    assert "Sam Bennett" in agenda and "Theo Marsh" in agenda
    assert "Ella Bennett" not in agenda
    assert "1 lesson" in agenda


def test_the_agenda_shows_teacher_room_status_and_links(client, world, make):
    lesson = _lesson(world, make, DAY, 15, room=world.room)
    _lesson(world, make, DAY, 9, teacher=world.other_teacher, students=[world.sibling], status="cancelled")
    db.session.commit()
    with time_machine.travel(world.at(DAY, 8)):
        web_login(client, world.admin.email)
        agenda = _section(text(client.get("/")), "dashboard-agenda")
    assert agenda.index("Ella Bennett") < agenda.index("Sam Bennett")  # time order
    assert "Theo Marsh · Room A" in agenda and "Cancelled" in agenda and "Scheduled" in agenda
    assert f"/lessons/{lesson.id}" in agenda


def test_an_admin_marks_a_whole_day_present_in_one_click(client, world, make):
    first = _lesson(world, make, DAY, 9)
    second = _lesson(world, make, DAY, 10, teacher=world.other_teacher, students=[world.sibling])
    earlier = _lesson(world, make, DAY - timedelta(days=1), 9)
    later_today = _lesson(world, make, DAY, 18)
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        section = _section(text(client.get("/")), "dashboard-attendance")
        assert "Attendance to take" in section and "3 lessons" in section
        day_form = section.split("<form")[1]
        assert _scope(day_form).keys() == {"day", "until"} and _scope(day_form)["day"] == DAY.isoformat()
        token = csrf_token(client, "/")
        response = client.post("/dashboard/attendance", headers=HTMX,
                               data={"csrf_token": token, **_scope(day_form)})
    body = text(response)
    assert response.status_code == 200 and "lessons-changed" in response.headers["HX-Trigger"]
    assert body.lstrip().startswith('<article id="dashboard-attendance"')
    assert body.count("2 lessons marked as attended.") == 1  # in the attendance section only
    assert 'id="dashboard-agenda" aria-labelledby="agenda-title" hx-swap-oob="true"' in body
    assert [_status(lesson) for lesson in (first, second, earlier, later_today)] == [
        "completed", "completed", "scheduled", "scheduled"]


def test_a_teachers_day_of_a_busy_day_has_its_own_button(client, world, make):
    mine = _lesson(world, make, DAY, 9)
    theirs = _lesson(world, make, DAY, 10, teacher=world.other_teacher, students=[world.sibling])
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        section = _section(text(client.get("/")), "dashboard-attendance")
        forms = section.split("<form")[1:]
        assert len(forms) == 3  # the day, then each teacher's day
        clara, theo = forms[1], forms[2]
        assert _scope(clara)["teacher"] == str(world.other_teacher.id)
        assert _scope(theo)["teacher"] == str(world.teacher.id)
        token = csrf_token(client, "/")
        response = client.post("/dashboard/attendance", data={"csrf_token": token, **_scope(theo)})
        assert response.status_code == 302
        assert "1 lesson marked as attended." in text(client.get("/"))
    assert (_status(mine), _status(theirs)) == ("completed", "scheduled")


def test_a_teacher_sees_and_marks_only_their_own_lessons(client, world, make):
    mine = _lesson(world, make, DAY, 9)
    theirs = _lesson(world, make, DAY, 10, teacher=world.other_teacher, students=[world.sibling])
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.teacher_user.email)
        page = text(client.get("/"))
        assert "Ella Bennett" not in page and "Overdue invoices" not in page
        section = _section(page, "dashboard-attendance")
        assert f"/lessons/{mine.id}" in section and f"/lessons/{theirs.id}" not in section
        assert _scope(section)["teacher"] == str(world.teacher.id)
        token = csrf_token(client, "/")
        refused = client.post("/dashboard/attendance",
                              data={"csrf_token": token, "lesson": [str(mine.id), str(theirs.id)]})
        assert refused.status_code == 302
        assert "only change your own lessons" in text(client.get("/"))
        foreign = client.post("/dashboard/attendance", headers=HTMX,
                              data={"csrf_token": token, "lesson": [str(world.foreign_lesson.id)]})
        assert foreign.status_code == 404
    assert (_status(mine), _status(theirs)) == ("scheduled", "scheduled")


def test_bulk_attendance_needs_the_csrf_token_and_a_staff_role(client, world, make):
    lesson = _lesson(world, make, DAY, 9)
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        response = client.post("/dashboard/attendance", headers=HTMX, data={"lesson": [str(lesson.id)]})
        assert response.status_code == 400
        assert _status(lesson) == "scheduled"
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        web_login(client, world.parent.email)
        token = csrf_token(client, "/")
        refused = client.post("/dashboard/attendance", data={"csrf_token": token, "lesson": [str(lesson.id)]})
        assert refused.status_code == 302
    assert _status(lesson) == "scheduled"


def test_a_day_that_cannot_be_marked_changes_nothing(client, world, make):
    ended = _lesson(world, make, DAY, 9)
    billed = _lesson(world, make, DAY, 10)
    billed.billed_line_item_id = billed.id
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        token = csrf_token(client, "/")
        response = client.post("/dashboard/attendance", headers=HTMX,
                               data={"csrf_token": token, "lesson": [str(ended.id), str(billed.id)]})
    assert response.status_code == 200 and "on an invoice already" in text(response)
    assert _status(ended) == "scheduled"


def test_empty_states(client, world):
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        page = text(client.get("/"))
    assert "No lessons today." in page
    assert "All caught up" in page
    assert "No cancellation requests are waiting" in page
    assert "No invoice is past its due date" in page


def test_cancellation_requests_are_approved_from_the_dashboard(client, world, make):
    lesson = _lesson(world, make, DAY + timedelta(days=3), 16)
    other = _lesson(world, make, DAY + timedelta(days=3), 17, teacher=world.other_teacher,
                    students=[world.sibling])
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        for item, reason in ((lesson, "Concert"), (other, "Trip")):
            services.request_cancellation(world.studio, world.parent, db.session.get(Lesson, item.id), reason)
        db.session.commit()
        web_login(client, world.teacher_user.email)
        section = _section(text(client.get("/")), "dashboard-requests")
        assert "Concert" in section and "Trip" not in section
        request_id = section.split("/cancellation-requests/")[1].split("/")[0]
        token = csrf_token(client, "/")
        response = client.post(f"/cancellation-requests/{request_id}/approve",
                               data={"csrf_token": token}, headers={"Referer": "http://localhost/"})
        assert response.status_code == 302
        after = _section(text(client.get("/")), "dashboard-requests")
    assert _status(lesson) == "cancelled" and "No cancellation requests" in after


def test_overdue_invoices_for_admins_only(client, world, make):
    with time_machine.travel(world.at(DAY - timedelta(days=40), 12)):
        late = make.invoice(world.studio, world.family, send=True, lines=(("Lessons", 2, "40.00"),),
                            issue_date=DAY - timedelta(days=40), due_date=DAY - timedelta(days=10))
        paid = make.invoice(world.studio, world.family, send=True, lines=(("Lessons", 1, "40.00"),),
                            issue_date=DAY - timedelta(days=40), due_date=DAY - timedelta(days=10))
        make.payment(world.studio, paid, paid.total)
        make.invoice(world.studio, world.family, send=True, lines=(("Lessons", 1, "15.00"),),
                     issue_date=DAY - timedelta(days=1), due_date=DAY + timedelta(days=5))
        make.invoice(world.studio, world.family, lines=(("Draft", 1, "99.00"),),
                     issue_date=DAY - timedelta(days=40), due_date=DAY - timedelta(days=10))
        db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        section = _section(text(client.get("/")), "dashboard-overdue")
        assert late.number in section and paid.number not in section
        assert "1 · $80.00 due" in section and "10 days late" in section
        assert f"/invoices/{late.id}" in section and "$15.00" not in section and "$99.00" not in section
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        web_login(client, world.teacher_user.email)
        assert "dashboard-overdue" not in text(client.get("/"))
