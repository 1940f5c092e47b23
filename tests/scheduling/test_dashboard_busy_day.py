"""The staff dashboard of a big studio: today's agenda shows the lessons on now and next with
how many the day has and a link to the whole day; the attendance list shows the latest lessons
waiting, each day with its full count and "Mark all present" for all of it, listed or not;
the page runs as many queries for hundreds of lessons as for two."""
import re
from datetime import date, timedelta
from itertools import count, islice, product

import pytest
import time_machine
from sqlalchemy import select

from app.core.tenancy import Principal
from app.extensions import db
from app.scheduling.dashboard import AGENDA_LIMIT, ATTENDANCE_LIMIT, staff_context
from app.scheduling.models import Lesson
from tests.conftest import csrf_token, web_login
from tests.query_counts import assert_flat

DAY = date(2030, 3, 5)  # a Tuesday, New York on UTC-5
BUSY = AGENDA_LIMIT + 10
HTMX = {"HX-Request": "true"}


def _busy_day(studio, make, day, count=BUSY, teacher=None, students=None):
    """`count` half-hour lessons starting every 20 minutes from 8:00, in time order."""
    teacher, students = teacher or studio.teacher, students or [studio.student]
    return [make.lesson(studio.studio, teacher, students, start=studio.at(day, 8) + timedelta(minutes=20 * n))
            for n in range(count)]


def _admin(studio):
    return Principal(user=studio.admin, studio=studio.studio, role="admin")


def _status(lesson):
    return db.session.scalar(select(Lesson.status).where(Lesson.id == lesson.id))


def _section(page, element_id):
    match = re.search(rf'<article id="{element_id}".*?</article>', page, re.S)
    assert match, f"no #{element_id}"
    return match.group(0)


def _day_section(page, day):
    match = re.search(rf'<section class="attendance-day" aria-labelledby="attendance-{day}".*?</section>',
                      page, re.S)
    assert match, f"no attendance day {day}"
    return match.group(0)


def _scope(form_html):
    return dict(re.findall(r'name="(day|teacher|until)" value="([^"]+)"', form_html))


# ---------------------------------------------------------------- the agenda

def test_a_busy_agenda_shows_the_lessons_on_now_and_next_and_counts_the_day(sched, make):
    lessons = _busy_day(sched, make, DAY)
    with time_machine.travel(sched.at(DAY, 12)):  # lessons 0-10 are over, 11 is on
        context = staff_context(_admin(sched))
    assert context["today_count"] == BUSY
    # the 19 not over yet, then the latest over one to fill the 20
    assert context["today_lessons"] == lessons[10:10 + AGENDA_LIMIT]


def test_a_busy_agenda_shows_the_first_lessons_before_the_day_and_the_last_after_it(sched, make):
    lessons = _busy_day(sched, make, DAY)
    with time_machine.travel(sched.at(DAY, 7)):
        before = staff_context(_admin(sched))
    with time_machine.travel(sched.at(DAY, 23)):
        after = staff_context(_admin(sched))
    assert (before["today_lessons"], before["today_over"]) == (lessons[:AGENDA_LIMIT], False)
    assert (after["today_lessons"], after["today_over"]) == (lessons[-AGENDA_LIMIT:], True)


def test_a_small_day_is_shown_whole_also_once_its_lessons_are_over(sched, make):
    lessons = _busy_day(sched, make, DAY, count=AGENDA_LIMIT)
    with time_machine.travel(sched.at(DAY, 23)):
        context = staff_context(_admin(sched))
    assert context["today_lessons"] == lessons and context["today_count"] == AGENDA_LIMIT


def test_a_teachers_busy_agenda_is_bounded_to_their_own_lessons(sched, make):
    own = _busy_day(sched, make, DAY)
    _busy_day(sched, make, DAY, teacher=sched.other_teacher, students=[sched.sibling])
    teacher = Principal(user=sched.teacher.user, studio=sched.studio, role="teacher")
    with time_machine.travel(sched.at(DAY, 7)):
        context = staff_context(teacher)
    assert context["today_lessons"] == own[:AGENDA_LIMIT] and context["today_count"] == BUSY


def test_the_busy_agenda_page_links_to_the_whole_day_in_the_calendar(client, world, make):
    _busy_day(world, make, DAY)
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        agenda = _section(client.get("/").get_data(as_text=True), "dashboard-agenda")
    assert agenda.count('<li class="agenda-item') == AGENDA_LIMIT
    assert f"{BUSY} lessons" in agenda and f"On now and next: {AGENDA_LIMIT} of {BUSY}." in agenda
    assert f'<a href="/calendar?view=day&amp;date={DAY}">See all {BUSY} lessons today</a>' in agenda


def test_a_small_agenda_page_has_no_see_all_link(client, world, make):
    _busy_day(world, make, DAY, count=3)
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        agenda = _section(client.get("/").get_data(as_text=True), "dashboard-agenda")
    assert agenda.count('<li class="agenda-item') == 3 and "3 lessons" in agenda
    assert "See all" not in agenda and "On now and next" not in agenda


# ---------------------------------------------------------------- attendance to take

def test_attendance_lists_the_latest_lessons_and_counts_every_day(sched, make):
    yesterday = _busy_day(sched, make, DAY - timedelta(days=1))
    earlier = _busy_day(sched, make, DAY - timedelta(days=3), count=5)
    with time_machine.travel(sched.at(DAY, 12)):
        context = staff_context(_admin(sched))
    assert context["attendance_count"] == BUSY + 5
    latest, before = context["attendance_days"]
    assert (latest.day, latest.total) == (DAY - timedelta(days=1), BUSY)
    assert latest.lessons == yesterday[-ATTENDANCE_LIMIT:] and latest.unlisted == BUSY - ATTENDANCE_LIMIT
    assert (before.day, before.total, before.lessons, before.unlisted) == (DAY - timedelta(days=3), 5, [], 5)
    assert not set(earlier) & {lesson for d in context["attendance_days"] for lesson in d.lessons}


def test_the_attendance_page_shows_the_limit_the_counts_and_links_to_the_rest(client, world, make):
    yesterday = DAY - timedelta(days=1)
    _busy_day(world, make, yesterday)
    _busy_day(world, make, DAY - timedelta(days=3), count=5)
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        page = client.get("/").get_data(as_text=True)
    section = _section(page, "dashboard-attendance")
    assert f"{BUSY + 5} lessons" in section
    assert section.count('<span class="when">') == ATTENDANCE_LIMIT
    latest = _day_section(section, yesterday)
    assert f"{BUSY} lessons" in latest
    assert f'Mark all present<span class="visually-hidden"> for the {BUSY} lessons of' in latest
    assert f"{BUSY - ATTENDANCE_LIMIT} earlier lessons of this day are not listed here" in latest
    assert f"/lessons?status=scheduled&amp;start_date={yesterday}&amp;end_date={yesterday}" in latest
    unlisted = _day_section(section, DAY - timedelta(days=3))
    assert "5 lessons" in unlisted and "Not listed here" in unlisted and '<span class="when">' not in unlisted


def test_mark_all_present_marks_the_whole_day_listed_or_not(client, world, make):
    yesterday = _busy_day(world, make, DAY - timedelta(days=1))
    earlier = _busy_day(world, make, DAY - timedelta(days=3), count=5)
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        page = client.get("/").get_data(as_text=True)
        listed, unlisted = (_scope(_day_section(page, DAY - timedelta(days=n))) for n in (1, 3))
        token = csrf_token(client, "/")
        response = client.post("/dashboard/attendance", headers=HTMX, data={"csrf_token": token, **listed})
        assert f"{BUSY} lessons marked as attended." in response.get_data(as_text=True)
        assert {_status(lesson) for lesson in yesterday} == {"completed"}
        assert {_status(lesson) for lesson in earlier} == {"scheduled"}
        client.post("/dashboard/attendance", data={"csrf_token": token, **unlisted})
    assert {_status(lesson) for lesson in earlier} == {"completed"}


def test_mark_all_present_leaves_lessons_that_ended_after_the_page_was_shown(client, world, make):
    ended = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 10))
    ending = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 11, 45))
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        day = _day_section(client.get("/").get_data(as_text=True), DAY)
        token = csrf_token(client, "/")
    assert "1 lesson<" in day
    with time_machine.travel(world.at(DAY, 12, 30)):  # `ending` is over now, but was not counted
        client.post("/dashboard/attendance", data={"csrf_token": token, **_scope(day)})
    assert (_status(ended), _status(ending)) == ("completed", "scheduled")


def test_a_teacher_may_not_mark_a_colleagues_day_or_the_whole_studios(client, world, make):
    mine = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 9))
    theirs = make.lesson(world.studio, world.other_teacher, [world.sibling], start=world.at(DAY, 10))
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.teacher_user.email)
        scope = _scope(_day_section(client.get("/").get_data(as_text=True), DAY))
        token = csrf_token(client, "/")
        for forged in ({"teacher": str(world.other_teacher.id)}, {"teacher": ""}):
            refused = client.post("/dashboard/attendance", data={"csrf_token": token, **scope, **forged})
            assert refused.status_code == 302
            assert "only change your own lessons" in client.get("/").get_data(as_text=True)
        assert (_status(mine), _status(theirs)) == ("scheduled", "scheduled")
        client.post("/dashboard/attendance", data={"csrf_token": token, **scope})
    assert (_status(mine), _status(theirs)) == ("completed", "scheduled")


@pytest.mark.parametrize("forged", [{"day": "soon"}, {"until": "2030-03-05T17:00:00"}, {"until": ""},
                                    {"teacher": "not-an-id"}])
def test_a_malformed_day_form_is_not_found(client, world, make, forged):
    lesson = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 9))
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        scope = {"day": DAY.isoformat(), "until": world.at(DAY, 12).isoformat()}
        response = client.post("/dashboard/attendance", headers=HTMX,
                               data={"csrf_token": csrf_token(client, "/"), **scope, **forged})
    assert response.status_code == 404 and _status(lesson) == "scheduled"


def test_a_day_already_taken_is_said_so(client, world, make):
    lesson = make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 9))
    db.session.commit()
    with time_machine.travel(world.at(DAY, 12)):
        web_login(client, world.admin.email)
        scope = _scope(_day_section(client.get("/").get_data(as_text=True), DAY))
        token = csrf_token(client, "/")
        client.post("/dashboard/attendance", data={"csrf_token": token, **scope})
        again = client.post("/dashboard/attendance", headers=HTMX, data={"csrf_token": token, **scope})
    assert _status(lesson) == "completed"
    assert again.status_code == 200
    assert "Attendance of these lessons was already taken." in again.get_data(as_text=True)


# ---------------------------------------------------------------- queries

@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_the_dashboard_runs_as_many_queries_for_a_busy_day_as_for_a_quiet_one(app, client, world, make, role):
    slots = count()

    def grow(n):
        """n more lessons for each teacher, today and yesterday (waiting for attendance)."""
        for slot in islice(slots, n):
            for day, (teacher, student) in product((DAY, DAY - timedelta(days=1)), (
                    (world.teacher, world.student), (world.other_teacher, world.sibling))):
                start = world.at(day, 8) + timedelta(minutes=20 * slot)
                make.lesson(world.studio, teacher, [student], start=start)
        db.session.commit()

    user = world.admin if role == "admin" else world.teacher_user
    with time_machine.travel(world.at(DAY, 23)):
        web_login(client, user.email)
        counted = assert_flat(app, lambda: client.get("/"), grow, rows=(2, BUSY), slack=0)
    first, last = (response.get_data(as_text=True) for response in (counted.first, counted.last))
    assert first.count('<li class="agenda-item') == 2 * (2 if role == "admin" else 1)
    assert last.count('<li class="agenda-item') == AGENDA_LIMIT
    assert last.count('<span class="when">') == AGENDA_LIMIT + ATTENDANCE_LIMIT
