"""The scheduling JSON API: shapes, filters, errors and actions."""

import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.people.models import TeacherAvailability
from app.scheduling.models import Lesson
from tests.factories import studio_today

DAY = date(2030, 4, 2)  # a Tuesday in the future; New York is at UTC-4 then
ISO = "%Y-%m-%dT%H:%M:%SZ"


def iso(moment):
    return moment.astimezone(timezone.utc).strftime(ISO)


def book(client, tokens, world, role="admin", start=None, minutes=30, **fields):
    start = start or world.at(DAY, 16)
    body = {
        "teacher": str(world.teacher.id),
        "student": str(world.student.id),
        "scheduled_start": iso(start),
        "scheduled_end": iso(start + timedelta(minutes=minutes)),
        **fields,
    }
    return client.post("/api/v1/lessons", json=body, headers=tokens[role])


def test_booking_answers_201_with_the_reference_shape(client, tokens, world):
    response = book(client, tokens, world, room=str(world.room.id))
    assert response.status_code == 201, response.json
    body = response.json
    assert (
        body["scheduled_start"] == "2030-04-02T20:00:00Z" and body["scheduled_end"] == "2030-04-02T20:30:00Z"
    )
    assert body["teacher"]["id"] == str(world.teacher.id) and body["teacher"]["full_name"] == "Theo Marsh"
    assert body["student"]["id"] == str(world.student.id)
    assert [s["id"] for s in body["students"]] == [str(world.student.id)]
    assert (body["location"], body["lesson_type"], body["status"]) == ("Room A", "private", "scheduled")
    assert body["warnings"] == [] and "rate" in body and body["rescheduled_from"] is None


def test_duration_minutes_may_replace_the_end(client, tokens, world):
    response = client.post(
        "/api/v1/lessons/",
        headers=tokens["admin"],
        json={
            "teacher": str(world.teacher.id),
            "student": str(world.student.id),
            "scheduled_start": iso(world.at(DAY, 16)),
            "duration_minutes": 45,
        },
    )
    assert response.status_code == 201 and response.json["duration_minutes"] == 45


def test_without_an_end_the_lesson_lasts_the_students_default_length_at_their_rate(
        client, tokens, world):
    world.student.default_lesson_minutes, world.student.default_lesson_rate = 45, Decimal("45.00")
    db.session.commit()
    response = client.post("/api/v1/lessons", headers=tokens["admin"], json={
        "teacher": str(world.teacher.id), "student": str(world.student.id),
        "scheduled_start": iso(world.at(DAY, 16)),
    })
    assert response.status_code == 201, response.json
    assert (response.json["duration_minutes"], response.json["scheduled_end"], response.json["rate"]) == (
        45, "2030-04-02T20:45:00Z", "45.00")


def test_without_a_type_the_lesson_is_the_students_usual_one(client, tokens, world):
    world.student.default_lesson_type = "group"
    db.session.commit()
    usual = book(client, tokens, world)
    assert usual.status_code == 201, usual.json
    assert usual.json["lesson_type"] == "group"
    told = book(client, tokens, world, start=world.at(DAY, 17), lesson_type="trial")
    assert told.status_code == 201 and told.json["lesson_type"] == "trial"


def test_a_pattern_without_a_type_repeats_the_students_usual_lesson(client, tokens, world):
    world.student.default_lesson_type = "group"
    db.session.commit()
    response = client.post("/api/v1/recurring-patterns", headers=tokens["admin"], json={
        "teacher": str(world.teacher.id), "student": str(world.student.id),
        "day_of_week": "tuesday", "time": "16:00:00", "duration_minutes": 30,
        "start_date": DAY.isoformat(), "end_date": (DAY + timedelta(weeks=1)).isoformat()})
    assert response.status_code == 201, response.json
    assert response.json["lesson_type"] == "group"
    types = db.session.scalars(select(Lesson.lesson_type).where(
        Lesson.series_id == uuid.UUID(response.json["id"]))).all()
    assert types == ["group", "group"]


def test_a_shorter_lesson_than_the_students_default_is_priced_pro_rata(client, tokens, world):
    world.student.default_lesson_minutes, world.student.default_lesson_rate = 45, Decimal("45.00")
    db.session.commit()
    response = book(client, tokens, world, minutes=30)
    assert response.status_code == 201 and response.json["rate"] == "30.00"


def test_a_clash_is_409_with_every_conflict_named(client, tokens, world):
    first = book(client, tokens, world, room=str(world.room.id)).json
    response = client.post(
        "/api/v1/lessons",
        headers=tokens["admin"],
        json={
            "teacher": str(world.teacher.id),
            "students": [str(world.student.id), str(world.sibling.id)],
            "lesson_type": "group",
            "room": str(world.room.id),
            "scheduled_start": iso(world.at(DAY, 16, 15)),
            "duration_minutes": 30,
        },
    )
    assert response.status_code == 409
    body = response.json
    assert set(body) == {"detail", "code", "field_errors", "request_id", "conflicts"}
    assert body["code"] == "CONFLICT" and body["field_errors"] == {}
    assert {(c["type"], c["lesson_id"]) for c in body["conflicts"]} == {
        ("teacher", first["id"]),
        ("student", first["id"]),
        ("room", first["id"]),
    }


@pytest.mark.parametrize(
    "change, field",
    [
        ({"scheduled_end": "2030-04-02T19:00:00Z"}, "scheduled_end"),
        ({"scheduled_end": "2030-04-02T20:00:00Z"}, "scheduled_end"),
        ({"scheduled_end": "2030-04-03T20:00:00Z"}, "scheduled_end"),
        ({"scheduled_end": None, "duration_minutes": 0}, "duration_minutes"),
        ({"scheduled_end": None, "duration_minutes": -15}, "duration_minutes"),
        ({"scheduled_end": None, "duration_minutes": 1440}, "duration_minutes"),
        ({"scheduled_end": None, "duration_minutes": 30.5}, "duration_minutes"),
        ({"teacher": "not-a-uuid"}, "teacher"),
        ({"teacher": "00000000-0000-0000-0000-000000000000"}, "teacher"),
        ({"lesson_type": "masterclass"}, "lesson_type"),
        ({"colour": "red"}, "colour"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
    ],
)
def test_bad_input_is_400_with_field_errors(client, tokens, world, change, field):
    body = {
        "teacher": str(world.teacher.id),
        "student": str(world.student.id),
        "scheduled_start": "2030-04-02T20:00:00Z",
        "scheduled_end": "2030-04-02T20:30:00Z",
        **change,
    }
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post("/api/v1/lessons", json=body, headers=tokens["admin"])
    assert response.status_code == 400, response.json
    assert response.json["code"] == "VALIDATION_ERROR" and field in response.json["field_errors"]


def test_a_foreign_student_in_the_body_is_unknown(client, tokens, world):
    response = book(client, tokens, world, student=str(world.foreign_student.id))
    assert response.status_code == 400 and response.json["field_errors"] == {"student": ["Unknown student."]}


def test_booking_outside_availability_succeeds_with_warnings(client, tokens, world):
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
    response = book(client, tokens, world)
    assert response.status_code == 201 and "availability" in response.json["warnings"][0]


def test_teachers_book_their_own_lessons_and_never_set_rates(client, tokens, world):
    assert book(client, tokens, world, "teacher").status_code == 201
    other = book(
        client, tokens, world, "teacher", teacher=str(world.other_teacher.id), student=str(world.sibling.id)
    )
    assert other.status_code == 403
    rate = book(client, tokens, world, "teacher", start=world.at(DAY, 18), rate="99.00")
    assert rate.status_code == 403 and "rate" in rate.json["field_errors"]
    assert "rate" not in client.get("/api/v1/lessons", headers=tokens["teacher"]).json["results"][0]


def test_the_list_filters_by_inclusive_local_dates_and_more(client, tokens, world):
    late = book(client, tokens, world, start=world.at(DAY, 23, 30)).json  # 03:30Z the next day
    book(client, tokens, world, start=world.at(DAY + timedelta(days=1), 16), student=str(world.sibling.id))
    day = DAY.isoformat()
    response = client.get(f"/api/v1/lessons?start_date={day}&end_date={day}", headers=tokens["admin"])
    assert [r["id"] for r in response.json["results"]] == [late["id"]]
    by_student = client.get(f"/api/v1/lessons?student={world.sibling.id}", headers=tokens["admin"]).json
    assert by_student["count"] == 1
    paged = client.get("/api/v1/lessons?page_size=1&ordering=-scheduled_start", headers=tokens["admin"]).json
    assert (
        paged["count"] == 2
        and paged["next"]
        and paged["results"][0]["student"]["id"] == str(world.sibling.id)
    )
    bad = client.get("/api/v1/lessons?start_date=2030-03-05&end_date=2030-03-01", headers=tokens["admin"])
    assert bad.status_code == 400


def test_the_calendar_is_bounded_and_formatted_for_display(client, tokens, world):
    book(client, tokens, world)
    response = client.get(f"/api/v1/lessons/calendar?start={DAY}&end={DAY}", headers=tokens["admin"])
    assert response.status_code == 200
    event = response.json[0]
    assert (event["title"], event["start"], event["color"]) == (
        "Sam Bennett",
        "2030-04-02T20:00:00Z",
        "#5b3cc4",
    )
    too_long = client.get(
        f"/api/v1/lessons/calendar?start={DAY}&end={DAY + timedelta(days=70)}", headers=tokens["admin"]
    )
    assert too_long.status_code == 400 and "end" in too_long.json["field_errors"]
    assert client.get("/api/v1/lessons/calendar", headers=tokens["admin"]).status_code == 400


def test_cancel_reschedule_and_the_cancelled_lesson(client, tokens, world):
    lesson = book(client, tokens, world).json
    moved = client.post(
        f"/api/v1/lessons/{lesson['id']}/reschedule",
        headers=tokens["admin"],
        json={"scheduled_start": iso(world.at(DAY, 18))},
    )
    assert moved.status_code == 201
    assert (
        moved.json["rescheduled_from"] == lesson["id"]
        and moved.json["scheduled_end"] == "2030-04-02T22:30:00Z"
    )
    old = client.get(f"/api/v1/lessons/{lesson['id']}", headers=tokens["admin"]).json
    assert (old["status"], old["cancellation_reason"]) == ("cancelled", "rescheduled")
    again = client.post(
        f"/api/v1/lessons/{lesson['id']}/reschedule",
        headers=tokens["admin"],
        json={"scheduled_start": iso(world.at(DAY, 19))},
    )
    assert again.status_code == 409 and again.json["code"] == "CONFLICT"
    cancelled = client.post(
        f"/api/v1/lessons/{moved.json['id']}/cancel",
        headers=tokens["admin"],
        json={"reason": "Snow day", "initiated_by": "studio"},
    )
    assert cancelled.status_code == 200
    assert (cancelled.json["status"], cancelled.json["cancellation_reason"]) == ("cancelled", "Snow day")
    assert cancelled.json["cancelled_by"] == str(world.admin.id)


def test_attendance_actions(client, tokens, world, make):
    past = make.lesson(
        world.studio,
        world.teacher,
        [world.student, world.sibling],
        start=datetime.now(timezone.utc) - timedelta(days=1),
        lesson_type="group",
    )
    solo = make.lesson(
        world.studio, world.teacher, [world.student], start=datetime.now(timezone.utc) - timedelta(days=2)
    )
    db.session.commit()
    done = client.post(
        f"/api/v1/lessons/{past.id}/complete",
        headers=tokens["teacher"],
        json={"attendance": [{"student": str(world.sibling.id), "status": "absent"}]},
    )
    assert done.status_code == 200 and done.json["status"] == "completed"
    assert {s["id"]: s["attendance"] for s in done.json["students"]} == {
        str(world.student.id): "present",
        str(world.sibling.id): "absent",
    }
    no_show = client.post(f"/api/v1/lessons/{solo.id}/no-show", headers=tokens["teacher"], json={})
    assert no_show.status_code == 200 and no_show.json["status"] == "no_show"
    stranger = client.post(
        f"/api/v1/lessons/{solo.id}/complete",
        headers=tokens["teacher"],
        json={"attendance": [{"student": str(world.foreign_student.id), "status": "absent"}]},
    )
    assert stranger.status_code == 400


def test_patch_this_lesson_or_this_and_following(client, tokens, world):
    created = client.post(
        "/api/v1/recurring-patterns",
        headers=tokens["admin"],
        json={
            "teacher": str(world.teacher.id),
            "student": str(world.student.id),
            "frequency": "weekly",
            "day_of_week": "tuesday",
            "time": "16:00:00",
            "duration_minutes": 30,
            "start_date": DAY.isoformat(),
            "end_date": (DAY + timedelta(weeks=3)).isoformat(),
        },
    )
    assert created.status_code == 201 and created.json["lessons_created"] == 4
    lessons = client.get(
        f"/api/v1/lessons?recurring_pattern={created.json['id']}", headers=tokens["admin"]
    ).json
    ids = [r["id"] for r in lessons["results"]]
    one = client.patch(
        f"/api/v1/lessons/{ids[0]}", headers=tokens["admin"], json={"scheduled_start": iso(world.at(DAY, 17))}
    )
    assert one.status_code == 200 and one.json["scheduled_start"] == "2030-04-02T21:00:00Z"
    following = client.patch(
        f"/api/v1/lessons/{ids[1]}",
        headers=tokens["admin"],
        json={"scheduled_start": iso(world.at(DAY + timedelta(weeks=1), 18)), "apply_to": "following"},
    )
    assert following.status_code == 200
    after = client.get(
        f"/api/v1/lessons?recurring_pattern={created.json['id']}", headers=tokens["admin"]
    ).json
    assert [r["scheduled_start"][11:16] for r in after["results"]] == ["21:00", "22:00", "22:00", "22:00"]
    pattern = client.get(f"/api/v1/recurring-patterns/{created.json['id']}", headers=tokens["admin"]).json
    assert pattern["time"] == "18:00:00" and pattern["day_of_week"] == "tuesday"


def test_recurring_pattern_errors(client, tokens, world):
    base = {
        "teacher": str(world.teacher.id),
        "student": str(world.student.id),
        "time": "16:00:00",
        "duration_minutes": 30,
        "start_date": DAY.isoformat(),
        "day_of_week": "tuesday",
    }
    no_day = client.post(
        "/api/v1/recurring-patterns",
        headers=tokens["admin"],
        json={k: v for k, v in base.items() if k != "day_of_week"},
    )
    assert no_day.status_code == 400 and "day_of_week" in no_day.json["field_errors"]
    gap = client.post(
        "/api/v1/recurring-patterns",
        headers=tokens["admin"],
        json={
            **base,
            "day_of_week": "sunday",
            "time": "02:30:00",
            "start_date": "2030-03-01",
            "end_date": "2030-03-31",
        },
    )
    assert gap.status_code == 400 and "2030-03-10" in gap.json["detail"]
    book(client, tokens, world, start=world.at(DAY + timedelta(weeks=1), 16), student=str(world.sibling.id))
    clash = client.post(
        "/api/v1/recurring-patterns",
        headers=tokens["admin"],
        json={**base, "end_date": (DAY + timedelta(weeks=4)).isoformat()},
    )
    assert clash.status_code == 409
    assert [c["date"] for c in clash.json["conflicts"]] == [(DAY + timedelta(weeks=1)).isoformat()]
    assert db.session.scalar(select(Lesson.id).where(Lesson.series_id.is_not(None))) is None


def test_deleting_a_pattern_ends_it(client, tokens, world):
    soon = studio_today() + timedelta(days=7)
    created = client.post(
        "/api/v1/recurring-patterns",
        headers=tokens["admin"],
        json={
            "teacher": str(world.teacher.id),
            "student": str(world.student.id),
            "day_of_week": "tue",
            "time": "16:00",
            "duration_minutes": 30,
            "start_date": soon.isoformat(),
        },
    ).json
    assert created["lessons_created"] >= 25  # the rolling horizon: 26 weeks from today
    assert (
        client.delete(f"/api/v1/recurring-patterns/{created['id']}", headers=tokens["admin"]).status_code
        == 204
    )
    statuses = {
        r["status"]
        for r in client.get(
            f"/api/v1/lessons?recurring_pattern={created['id']}&page_size=100", headers=tokens["admin"]
        ).json["results"]
    }
    assert statuses == {"cancelled"}
    assert (
        client.get(f"/api/v1/recurring-patterns/{created['id']}", headers=tokens["admin"]).json["is_active"]
        is False
    )


def test_rooms_reservations_and_closures(client, tokens, world):
    room = client.post(
        "/api/v1/rooms",
        headers=tokens["admin"],
        json={"name": "Practice 2", "capacity": 2, "equipment": ["Upright piano"], "is_bookable": True},
    )
    assert room.status_code == 201 and room.json["equipment"] == ["Upright piano"]
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    body = {"room": room.json["id"], "start_time": iso(start), "end_time": iso(start + timedelta(hours=1))}
    reserved = client.post("/api/v1/reservations", headers=tokens["student"], json=body)
    assert reserved.status_code == 201 and reserved.json["user"]["id"] == str(world.student_user.id)
    taken = client.post("/api/v1/reservations", headers=tokens["teacher"], json=body)
    assert taken.status_code == 409 and taken.json["conflicts"][0]["reservation_id"] == reserved.json["id"]
    cancelled = client.post(
        f"/api/v1/reservations/{reserved.json['id']}/cancel", headers=tokens["student"], json={}
    )
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert client.post("/api/v1/reservations", headers=tokens["teacher"], json=body).status_code == 201
    client.patch(f"/api/v1/rooms/{world.room.id}", headers=tokens["admin"], json={"is_bookable": False})
    lesson_room = client.post(
        "/api/v1/reservations", headers=tokens["student"], json={**body, "room": str(world.room.id)}
    )
    assert lesson_room.status_code == 400 and "room" in lesson_room.json["field_errors"]
    closure = client.post(
        "/api/v1/closures",
        headers=tokens["admin"],
        json={"name": "Spring break", "start_date": "2030-03-04", "end_date": "2030-03-08"},
    )
    assert closure.status_code == 201
    assert client.get("/api/v1/closures", headers=tokens["parent"]).json["count"] == 1
    assert client.delete(f"/api/v1/rooms/{room.json['id']}", headers=tokens["admin"]).status_code == 204
    assert client.get(f"/api/v1/rooms/{room.json['id']}", headers=tokens["admin"]).json["is_active"] is False


def test_free_slots(client, tokens, world):
    db.session.add(
        TeacherAvailability(
            studio_id=world.studio.id,
            teacher_id=world.teacher.id,
            weekday=1,
            start_time=time(15),
            end_time=time(17),
        )
    )
    db.session.commit()
    book(client, tokens, world, start=world.at(DAY, 15, 30))
    response = client.get(
        f"/api/v1/teachers/{world.teacher.id}/free-slots?start_date={DAY}&end_date={DAY}&duration=60",
        headers=tokens["admin"],
    )
    assert response.status_code == 200 and response.json["availability_defined"] is True
    assert [s["start"] for s in response.json["slots"]] == ["2030-04-02T20:00:00Z"]  # 16:00 EDT
    foreign = client.get(
        f"/api/v1/teachers/{world.foreign_teacher.id}/free-slots?start_date={DAY}&end_date={DAY}&duration=60",
        headers=tokens["admin"],
    )
    assert foreign.status_code == 404


def test_a_parent_requests_a_cancellation_and_staff_approve_it(client, tokens, world):
    lesson = book(client, tokens, world).json
    asked = client.post(
        "/api/v1/cancellation-requests",
        headers=tokens["parent"],
        json={"lesson": lesson["id"], "reason": "School concert"},
    )
    assert asked.status_code == 201 and asked.json["status"] == "pending"
    assert client.get("/api/v1/cancellation-requests", headers=tokens["teacher"]).json["count"] == 1
    approved = client.post(
        f"/api/v1/cancellation-requests/{asked.json['id']}/approve",
        headers=tokens["teacher"],
        json={"response": "See you next week"},
    )
    assert approved.status_code == 200 and approved.json["lesson"]["status"] == "cancelled"
    assert (
        client.post(
            "/api/v1/cancellation-requests", headers=tokens["parent"], json={"lesson": lesson["id"]}
        ).status_code
        == 403
    )


def test_the_calendar_feed_link(client, tokens, world):
    created = client.post("/api/v1/calendar-feed", headers=tokens["parent"])
    assert created.status_code == 201 and created.json["url"].endswith(".ics")
    assert created.json["webcal_url"].startswith("webcal://")
    assert client.get("/api/v1/calendar-feed", headers=tokens["parent"]).json["active"] is True
    path = created.json["url"].split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    assert client.delete("/api/v1/calendar-feed", headers=tokens["parent"]).status_code == 204
    assert client.get(f"/{path}").status_code == 404
