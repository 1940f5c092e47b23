"""The scheduling pages, with CSRF on: full pages, htmx partials, forms and their errors."""

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.timeutil import local_today
from app.extensions import db
from app.people.models import TeacherAvailability
from app.scheduling import services
from app.scheduling.models import Lesson, RecurringSeries, Room, RoomReservation, StudioClosure
from tests.conftest import csrf_token, web_login

HTMX = {"HX-Request": "true"}
DAY = date(2030, 4, 2)  # a Tuesday


def signed_in(client, user, page="/account/"):
    web_login(client, user.email)
    return csrf_token(client, page)


def text(response):
    return response.get_data(as_text=True)


def ours(world):
    """SELECT of the lessons of the test studio (the other studio has one of its own)."""
    return (
        select(Lesson)
        .where(Lesson.studio_id == world.studio.id)
        .order_by(Lesson.start_at)
        .execution_options(populate_existing=True)
    )


def _form(token, day=DAY, at="16:00", **fields):
    return {
        "csrf_token": token,
        "date": day.isoformat(),
        "start_time": at,
        "duration_minutes": "30",
        "lesson_type": "private",
        **fields,
    }


# ---------------------------------------------------------------- calendar


@pytest.mark.parametrize("role", ["admin", "teacher", "parent", "student"])
@pytest.mark.parametrize("view", ["day", "week", "month"])
def test_the_calendar_renders_for_every_role_and_view(client, world, make, role, view):
    make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 16))
    db.session.commit()
    signed_in(client, world.users()[role])
    page = client.get(f"/calendar?view={view}&date={DAY}")
    assert page.status_code == 200 and "<html" in text(page)
    assert "Sam Bennett" in text(page) and "st-scheduled" in text(page)


def test_calendar_navigation_is_an_htmx_partial(client, world, make):
    make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, 16))
    make.closure(world.studio, DAY + timedelta(days=1), name="Staff day")
    db.session.commit()
    signed_in(client, world.admin)
    partial = client.get(f"/calendar?view=week&date={DAY}", headers=HTMX)
    body = text(partial)
    assert (
        partial.status_code == 200
        and "<html" not in body
        and body.lstrip().startswith('<section id="calendar"')
    )
    assert "HX-Request" in partial.headers["Vary"]
    assert 'hx-push-url="true"' in body and "Closed: Staff day" in body
    assert "cal-lesson row-33 span-2 lane-0 lanes-1 tc-" in body  # 16:00 = row 33 counting from 08:00
    assert f"/lessons/new?date={DAY}&amp;time=16:00" in body  # a free slot books at its time
    assert f"date={DAY - timedelta(weeks=1)}" in body  # previous week


def test_a_teacher_sees_their_own_calendar_first(client, world, make):
    make.lesson(world.studio, world.other_teacher, [world.sibling], start=world.at(DAY, 16))
    db.session.commit()
    signed_in(client, world.teacher_user)
    assert 'cal-title">Ella Bennett' not in text(client.get(f"/calendar?date={DAY}"))
    assert 'cal-title">Ella Bennett' in text(client.get(f"/calendar?date={DAY}&teacher=all"))


def test_too_many_lessons_ask_for_a_filter(client, world, make, monkeypatch):
    from app.scheduling import calendar

    monkeypatch.setattr(calendar, "TOO_MANY", 1)
    for hour in (14, 15):
        make.lesson(world.studio, world.teacher, [world.student], start=world.at(DAY, hour))
    db.session.commit()
    signed_in(client, world.admin)
    assert "too many to draw" in text(client.get(f"/calendar?date={DAY}&teacher=all"))


def test_a_week_too_busy_to_draw_counts_every_lesson_of_every_day(client, world, make, monkeypatch):
    from app.scheduling import calendar

    monkeypatch.setattr(calendar, "TOO_MANY", 1)  # far fewer than the week holds
    monday = DAY - timedelta(days=DAY.weekday())
    per_day = [1, 2, 3, 1, 2, 1, 2]
    for offset, count in enumerate(per_day):
        for hour in range(9, 9 + count):
            make.lesson(world.studio, world.teacher, [world.student],
                        start=world.at(monday + timedelta(days=offset), hour))
    db.session.commit()
    signed_in(client, world.admin)
    body = text(client.get(f"/calendar?view=week&date={DAY}&teacher=all"))
    assert "12 lessons in this week: too many to draw" in body
    phone_list = body.split('class="cal-list')[1]
    assert [int(n) for n in re.findall(r'<p class="empty">(\d+) lessons?\.</p>', phone_list)] == per_day


# ---------------------------------------------------------------- booking


def test_booking_from_a_free_slot_is_prefilled(client, world):
    signed_in(client, world.admin)
    body = text(client.get(f"/lessons/new?date={DAY}&time=16:30&teacher={world.teacher.id}", headers=HTMX))
    assert "<html" not in body and f'value="{DAY}"' in body and 'value="16:30"' in body
    assert f'<option selected value="{world.teacher.id}">' in body


def _usual_lesson(world, minutes=45, rate="45.00"):
    world.student.default_lesson_minutes, world.student.default_lesson_rate = minutes, Decimal(rate)
    db.session.commit()


def test_booking_for_a_student_fills_their_length_and_rate(client, world):
    _usual_lesson(world)
    signed_in(client, world.admin)
    body = text(client.get(f"/lessons/new?date={DAY}&time=16:30&student={world.student.id}", headers=HTMX))
    assert re.search(r'id="duration_minutes"[^>]*value="45"', body)
    assert re.search(r'id="rate"[^>]*placeholder="45.00"', body)
    assert "Usual lesson: 45 min at $45.00" in body


def test_choosing_the_student_refills_the_form_with_their_defaults(client, world):
    _usual_lesson(world)
    token = signed_in(client, world.admin)
    response = client.post("/lessons/new", headers=HTMX, data=_form(
        token, at="16:30", teacher=str(world.teacher.id), student=str(world.student.id), refill="student"))
    body = text(response)
    assert response.status_code == 200 and "<html" not in body and "field-error" not in body
    assert re.search(r'id="duration_minutes"[^>]*value="45"', body) and 'value="16:30"' in body
    assert f'<option selected value="{world.teacher.id}">' in body
    assert db.session.scalar(ours(world)) is None  # refilling books nothing


def test_the_refill_chooses_the_students_usual_lesson_type(client, world):
    world.student.default_lesson_type = "group"
    db.session.commit()
    token = signed_in(client, world.admin)
    body = text(client.post("/lessons/new", headers=HTMX, data=_form(
        token, teacher=str(world.teacher.id), student=str(world.student.id), refill="student")))
    assert '<option selected value="group">' in body
    # Only what depends on the student is taken from the answer, by id.
    for part in ("lesson-student-field", "lesson-duration-field", "lesson-type-field",
                 "lesson-rate-field", "makeup-credit"):
        assert f'id="{part}"' in body, part


def test_the_refill_keeps_the_form_on_its_page_outside_the_dialog(client, world):
    token = signed_in(client, world.admin)
    body = text(client.post("/lessons/new", headers=HTMX, data=_form(
        token, student=str(world.student.id), refill="student", in_panel="0")))
    assert "hx-target=\"#panel-body\"" not in body


def test_the_refill_ignores_a_student_the_teacher_may_not_see(client, world, make):
    stranger = make.student(world.studio, first_name="Zed", default_lesson_minutes=60)
    db.session.commit()
    token = signed_in(client, world.teacher_user)
    body = text(client.post("/lessons/new", headers=HTMX, data=_form(
        token, student=str(stranger.id), refill="student")))
    assert re.search(r'id="duration_minutes"[^>]*value="30"', body) and "Usual lesson" not in body


def test_the_booked_lesson_comes_out_at_the_students_length_and_rate(client, world):
    _usual_lesson(world)
    token = signed_in(client, world.admin)
    client.post("/lessons/new", headers=HTMX, data=_form(
        token, teacher=str(world.teacher.id), student=str(world.student.id), duration_minutes="45"))
    lesson = db.session.scalar(ours(world))
    assert lesson.end_at - lesson.start_at == timedelta(minutes=45) and lesson.rate == Decimal("45.00")


def test_an_empty_teacher_list_says_why_and_links_to_adding_one(client, make):
    studio = make.studio()
    owner = make.member(studio, "owner")
    db.session.commit()
    signed_in(client, owner)
    body = text(client.get("/lessons/new"))
    assert "No one teaches in this studio yet" in body
    assert 'href="/teachers/new"' in body and 'href="/settings/teaching"' in body


def test_booking_in_the_dialog_answers_with_a_flash_and_events(client, world):
    token = signed_in(client, world.admin)
    response = client.post(
        "/lessons/new",
        headers=HTMX,
        data=_form(
            token, teacher=str(world.teacher.id), student=str(world.student.id), room=str(world.room.id)
        ),
    )
    assert response.status_code == 200
    assert set(json.loads(response.headers["HX-Trigger"])) == {"lessons-changed", "panel-close"}
    assert 'hx-swap-oob="true"' in text(response) and "Lesson booked" in text(response)
    lesson = db.session.scalar(ours(world))
    assert lesson.start_at == world.at(DAY, 16) and lesson.room_id == world.room.id


def test_booking_without_javascript_redirects_to_the_week(client, world):
    token = signed_in(client, world.admin)
    response = client.post(
        "/lessons/new", data=_form(token, teacher=str(world.teacher.id), student=str(world.student.id))
    )
    assert response.status_code == 302 and f"date={DAY}" in response.headers["Location"]


def test_a_clash_is_shown_on_the_form(client, world, make):
    make.lesson(world.studio, world.teacher, [world.sibling], start=world.at(DAY, 16))
    db.session.commit()
    token = signed_in(client, world.admin)
    response = client.post(
        "/lessons/new",
        headers=HTMX,
        data=_form(token, teacher=str(world.teacher.id), student=str(world.student.id)),
    )
    assert response.status_code == 422
    assert "Theo Marsh teaches Ella Bennett then" in text(response)


def test_bad_input_is_shown_next_to_the_fields(client, world):
    token = signed_in(client, world.admin)
    response = client.post(
        "/lessons/new",
        data=_form(token, teacher=str(world.teacher.id), student=str(world.student.id), duration_minutes="0"),
    )
    assert response.status_code == 422 and 'id="duration_minutes-error"' in text(response)
    gap = client.post(
        "/lessons/new",
        data=_form(
            token,
            day=date(2030, 3, 10),
            at="02:30",
            teacher=str(world.teacher.id),
            student=str(world.student.id),
        ),
    )
    assert gap.status_code == 422 and "does not exist" in text(gap)
    assert db.session.scalar(ours(world)) is None


def test_booking_outside_availability_asks_to_confirm(client, world):
    db.session.add(
        TeacherAvailability(
            studio_id=world.studio.id,
            teacher_id=world.teacher.id,
            weekday=1,
            start_time=time(9),
            end_time=time(12),
        )
    )
    db.session.commit()
    token = signed_in(client, world.admin)
    data = _form(token, teacher=str(world.teacher.id), student=str(world.student.id))
    first = client.post("/lessons/new", headers=HTMX, data=data)
    assert first.status_code == 422 and "outside Theo Marsh" in text(first) and "Book anyway" in text(first)
    assert db.session.scalar(ours(world)) is None
    second = client.post("/lessons/new", headers=HTMX, data={**data, "confirm": "y"})
    assert second.status_code == 200 and db.session.scalar(ours(world)) is not None


def test_a_weekly_series_from_the_booking_form(client, world):
    token = signed_in(client, world.admin)
    response = client.post(
        "/lessons/new",
        data=_form(
            token,
            teacher=str(world.teacher.id),
            student=str(world.student.id),
            repeats="weekly",
            until=(DAY + timedelta(weeks=5)).isoformat(),
        ),
    )
    assert response.status_code == 302
    series = db.session.scalar(select(RecurringSeries))
    assert (series.day_of_week, series.start_time, series.frequency) == (1, time(16), "weekly")
    assert len(db.session.scalars(ours(world)).all()) == 6


def test_csrf_is_required(client, world):
    signed_in(client, world.admin)
    response = client.post(
        "/lessons/new", data=_form("", teacher=str(world.teacher.id), student=str(world.student.id))
    )
    assert response.status_code in (400, 422) and db.session.scalar(ours(world)) is None


def test_families_cannot_book(client, world):
    signed_in(client, world.parent)
    response = client.get("/lessons/new")
    assert response.status_code == 302
    assert "permission" in text(client.get(response.headers["Location"]))


# ---------------------------------------------------------------- the lesson panel and its actions


def _lesson(world, make, start=None, **fields):
    lesson = make.lesson(
        world.studio, world.teacher, [world.student], start=start or world.at(DAY, 16), **fields
    )
    db.session.commit()
    return lesson


def test_the_panel_is_a_partial_and_the_page_a_page(client, world, make):
    lesson = _lesson(world, make)
    signed_in(client, world.admin)
    panel = text(client.get(f"/lessons/{lesson.id}", headers=HTMX))
    assert "<html" not in panel and "Reschedule" in panel and "Cancel lesson" in panel
    page = text(client.get(f"/lessons/{lesson.id}"))
    assert "<html" in page and "hx-post" not in page.split('id="main"')[1].split("</article>")[0]


def test_another_studios_lesson_is_404(client, world):
    signed_in(client, world.admin)
    assert client.get(f"/lessons/{world.foreign_lesson.id}").status_code == 404


def test_cancel_from_the_panel(client, world, make):
    lesson = _lesson(world, make)
    token = signed_in(client, world.admin)
    form = text(client.get(f"/lessons/{lesson.id}/cancel", headers=HTMX))
    assert "Who cancels?" in form
    response = client.post(
        f"/lessons/{lesson.id}/cancel",
        headers=HTMX,
        data={"csrf_token": token, "reason": "Snow", "initiated_by": "studio"},
    )
    assert response.status_code == 200 and "is cancelled" in text(response)
    assert json.loads(response.headers["HX-Trigger"]) == {"lessons-changed": None}
    db.session.refresh(lesson)
    assert (lesson.status, lesson.cancellation_reason) == ("cancelled", "Snow")


def test_reschedule_from_the_panel(client, world, make):
    lesson = _lesson(world, make)
    token = signed_in(client, world.admin)
    assert 'value="16:00"' in text(client.get(f"/lessons/{lesson.id}/reschedule", headers=HTMX))
    response = client.post(f"/lessons/{lesson.id}/reschedule", headers=HTMX, data=_form(token, at="18:00"))
    assert response.status_code == 200 and "Moved to" in text(response)
    new = db.session.scalar(select(Lesson).where(Lesson.rescheduled_from_id == lesson.id))
    assert new.start_at == world.at(DAY, 18)


def test_edit_this_and_following_from_the_panel(client, world):
    series, lessons = services.create_series(
        world.studio,
        world.admin,
        services.Placement(teacher=world.teacher, students=(world.student,)),
        services.Pattern(day_of_week=1, start_time=time(16), duration_minutes=30, start_date=DAY,
                         end_date=DAY + timedelta(weeks=2)),
    )
    db.session.commit()
    token = signed_in(client, world.admin)
    form = text(client.get(f"/lessons/{lessons[1].id}/edit", headers=HTMX))
    assert "This and all following lessons" in form
    response = client.post(
        f"/lessons/{lessons[1].id}/edit",
        headers=HTMX,
        data=_form(
            token,
            day=DAY + timedelta(weeks=1),
            at="17:00",
            teacher=str(world.teacher.id),
            apply_to="following",
        ),
    )
    assert response.status_code == 200, text(response)
    starts = [lesson.start_at for lesson in db.session.scalars(ours(world))]
    assert starts == [
        world.at(DAY, 16),
        world.at(DAY + timedelta(weeks=1), 17),
        world.at(DAY + timedelta(weeks=2), 17),
    ]


def test_one_click_attendance_on_the_agenda(client, world, make):
    now = datetime.now(timezone.utc)
    lesson = _lesson(world, make, start=now.replace(second=0, microsecond=0) - timedelta(minutes=1))
    token = signed_in(client, world.teacher_user)
    agenda = text(client.get("/lessons/today"))
    if local_today(world.studio) != lesson.start_at.astimezone(world.tz).date():
        pytest.skip("the lesson fell on yesterday (test ran just after midnight)")
    assert "Sam Bennett" in agenda and "Attended" in agenda
    response = client.post(
        f"/lessons/{lesson.id}/attendance",
        headers=HTMX,
        data={"csrf_token": token, "value": "present", "from": "agenda"},
    )
    body = text(response)
    assert response.status_code == 200 and body.lstrip().startswith("<li") and "Undo" in body
    db.session.refresh(lesson)
    assert lesson.status == "completed"
    undo = client.post(
        f"/lessons/{lesson.id}/attendance",
        headers=HTMX,
        data={"csrf_token": token, "value": "reopen", "from": "agenda"},
    )
    assert "Attended" in text(undo)


def test_a_teacher_cannot_act_on_a_colleagues_lesson(client, world, make):
    lesson = make.lesson(world.studio, world.other_teacher, [world.sibling], start=world.at(DAY, 16))
    db.session.commit()
    token = signed_in(client, world.teacher_user)
    panel = text(client.get(f"/lessons/{lesson.id}", headers=HTMX))
    assert "Cancel lesson" not in panel
    response = client.post(f"/lessons/{lesson.id}/cancel", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 302
    db.session.refresh(lesson)
    assert lesson.status == "scheduled"


def test_a_parent_requests_a_cancellation_and_staff_approve(client, world, make):
    lesson = _lesson(world, make)
    token = signed_in(client, world.parent)
    panel = text(client.get(f"/lessons/{lesson.id}", headers=HTMX))
    assert "Request cancellation" in panel and "Reschedule" not in panel
    response = client.post(
        f"/lessons/{lesson.id}/request-cancellation",
        headers=HTMX,
        data={"csrf_token": token, "reason": "Concert"},
    )
    assert "Your request is sent" in text(response) and "The studio will confirm" in text(response)
    client.post("/logout", data={"csrf_token": token})
    token = signed_in(client, world.admin)
    lessons_page = text(client.get("/lessons"))
    assert "Cancellation requests" in lessons_page and "Concert" in lessons_page
    request_id = lessons_page.split("/cancellation-requests/")[1].split("/")[0]
    client.post(f"/cancellation-requests/{request_id}/approve", data={"csrf_token": token})
    db.session.refresh(lesson)
    assert lesson.status == "cancelled"


# ---------------------------------------------------------------- lists, dashboards, rooms, feeds


def test_the_lessons_list_filters_with_htmx(client, world, make):
    _lesson(world, make)
    make.lesson(world.studio, world.other_teacher, [world.sibling], start=world.at(DAY, 17))
    db.session.commit()
    signed_in(client, world.admin)
    body = text(client.get(f"/lessons?teacher={world.other_teacher.id}&start_date={DAY}", headers=HTMX))
    assert body.lstrip().startswith('<div id="lesson-results">') and "Ella Bennett" in body
    assert "Sam Bennett" not in body
    assert "No lessons match" in text(client.get("/lessons?status=no_show", headers=HTMX))


def test_the_lessons_list_pages_replace_the_results_whole(client, world, make):
    for day in range(30):
        start = world.at(DAY + timedelta(days=day), 17)
        make.lesson(world.studio, world.teacher, [world.student], start=start)
    db.session.commit()
    signed_in(client, world.admin)
    page = text(client.get(f"/lessons?start_date={DAY}"))
    assert 'hx-target="#lesson-results" hx-swap="outerHTML"' in page  # the filters
    second = text(client.get(f"/lessons?start_date={DAY}&page=2", headers=HTMX))
    assert second.count('id="lesson-results"') == 1 and "Page 2 of 2" in second
    assert 'hx-target="#lesson-results" hx-swap="outerHTML" hx-push-url="true" rel="prev"' in second


def test_dashboards_show_todays_and_upcoming_lessons(client, world, make):
    soon = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=5)
    _lesson(world, make, start=soon)
    token = signed_in(client, world.parent)
    assert "Coming up" in text(client.get("/")) and "Sam Bennett" in text(client.get("/"))
    client.post("/logout", data={"csrf_token": token})
    signed_in(client, world.teacher_user)
    home = text(client.get("/"))
    if local_today(world.studio) == soon.astimezone(world.tz).date():
        assert "Sam Bennett" in home and "No-show" in home


def test_rooms_reservations_and_room_admin(client, world):
    token = signed_in(client, world.student_user)
    tomorrow = local_today(world.studio) + timedelta(days=1)
    response = client.post(
        "/reservations",
        data={
            "csrf_token": token,
            "room": str(world.practice_room.id),
            "date": tomorrow.isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
            "notes": "Scales",
        },
    )
    assert response.status_code == 302
    clash = client.post(
        "/reservations",
        data={
            "csrf_token": token,
            "room": str(world.practice_room.id),
            "date": tomorrow.isoformat(),
            "start_time": "10:30",
            "end_time": "11:30",
        },
    )
    assert clash.status_code == 422 and "is reserved by" in text(clash)
    reservation = db.session.scalar(select(RoomReservation))
    client.post(f"/reservations/{reservation.id}/cancel", data={"csrf_token": token})
    db.session.refresh(reservation)
    assert reservation.status == "cancelled"
    assert client.post("/rooms", data={"csrf_token": token, "name": "Mine"}).status_code == 302
    assert db.session.scalar(select(Room).where(Room.name == "Mine")) is None
    client.post("/logout", data={"csrf_token": token})
    token = signed_in(client, world.admin)
    assert (
        client.post(
            "/rooms",
            data={
                "csrf_token": token,
                "name": "Drum Room",
                "capacity": "3",
                "equipment": "Drum kit, amp",
                "is_bookable": "y",
                "is_active": "y",
            },
        ).status_code
        == 302
    )
    room = db.session.scalar(select(Room).where(Room.name == "Drum Room"))
    assert room.equipment == ["Drum kit", "amp"]
    assert "Free all week" in text(client.get(f"/rooms/{room.id}"))


def test_parents_have_no_rooms_page(client, world):
    signed_in(client, world.parent)
    assert client.get("/rooms").status_code == 302


def test_closures_page(client, world, make):
    _lesson(world, make)
    token = signed_in(client, world.admin)
    response = client.post(
        "/calendar/closures",
        data={
            "csrf_token": token,
            "name": "Spring break",
            "start_date": DAY.isoformat(),
            "end_date": (DAY + timedelta(days=4)).isoformat(),
            "cancel_lessons": "y",
        },
    )
    assert response.status_code == 302
    assert "1 lessons were cancelled" in text(client.get(response.headers["Location"]))
    assert db.session.scalar(select(StudioClosure.name)) == "Spring break"
    bad = client.post(
        "/calendar/closures",
        data={"csrf_token": token, "name": "Oops", "start_date": "2030-05-02", "end_date": "2030-05-01"},
    )
    assert bad.status_code == 422 and "on or after" in text(bad)


def test_subscribe_page_shows_the_link_once(client, world):
    token = signed_in(client, world.parent)
    assert "No link yet" in text(client.get("/calendar/subscribe"))
    created = text(client.post("/calendar/subscribe", data={"csrf_token": token, "action": "create"}))
    assert ".ics" in created and "webcal://" in created
    again = text(client.get("/calendar/subscribe"))
    assert "You have a private link" in again and ".ics" not in again
    client.post("/calendar/subscribe", data={"csrf_token": token, "action": "revoke"})
    assert "No link yet" in text(client.get("/calendar/subscribe"))


def test_series_page_edits_and_ends(client, world):
    series, _lessons = services.create_series(
        world.studio,
        world.admin,
        services.Placement(teacher=world.teacher, students=(world.student,)),
        services.Pattern(day_of_week=1, start_time=time(16), duration_minutes=30,
                         start_date=local_today(world.studio),
                         end_date=local_today(world.studio) + timedelta(weeks=4)),
    )
    db.session.commit()
    token = signed_in(client, world.admin)
    page = text(client.get(f"/series/{series.id}"))
    assert "Change the recurring lessons" in page and "Coming up" in page
    response = client.post(
        f"/series/{series.id}",
        data={
            "csrf_token": token,
            "teacher": str(world.teacher.id),
            "frequency": "weekly",
            "day_of_week": "3",
            "start_time": "17:00",
            "duration_minutes": "45",
            "room": "",
            "location": "",
            "effective_from": local_today(world.studio).isoformat(),
        },
    )
    assert response.status_code == 302, text(response)
    db.session.refresh(series)
    assert (series.day_of_week, series.start_time, series.duration_minutes) == (3, time(17), 45)
    client.post(f"/series/{series.id}/end", data={"csrf_token": token})
    db.session.refresh(series)
    assert not series.is_active
