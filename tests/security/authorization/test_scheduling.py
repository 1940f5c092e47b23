"""Lessons, series, rooms, reservations, closures, requests, credits, calendars: every route
× every caller. "Ours" is Theo's lesson with the Bennett children (the parent's, and the
signed-in student's own); "theirs" is Clara's with the Okafor child."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.security.authorization.engine import (
    ALL,
    DENY,
    DONE,
    FAMILY,
    STAFF,
    M,
    Row,
    api,
    cases,
    check,
    page,
)
from tests.security.authorization.world import iso, local_slot, next_start, unique

OK, CREATED, GONE = 200, 201, 204
EVERYONE_OK = api(ALL, OK, other=OK)
STUDENT_ROOMS = (*STAFF, "student")


def lesson_body(ids):
    return {"teacher": ids["own_teacher"], "student": ids["child"],
            "scheduled_start": iso(next_start()), "duration_minutes": 30}


def pattern_body(ids):
    day = (datetime.now(timezone.utc) + timedelta(days=500) + timedelta(days=int(unique("")))).date()
    return {"teacher": ids["own_teacher"], "student": ids["child"], "day_of_week": day.weekday(),
            "time": f"{int(unique('')) % 12 + 8:02d}:00", "duration_minutes": 30,
            "start_date": day.isoformat(), "end_date": day.isoformat()}


def reservation_body(ids):
    start = next_start()
    return {"room": ids["practice_room"], "start_time": iso(start),
            "end_time": iso(start + timedelta(minutes=30))}


def lesson_form(ids):
    day, start = local_slot()
    return {"teacher": ids["own_teacher"], "student": ids["child"], "date": day,
            "start_time": start, "duration_minutes": "30", "lesson_type": "private", "confirm": "y"}


def reschedule_form(ids):
    day, start = local_slot()
    return {"date": day, "start_time": start, "duration_minutes": "30", "confirm": "y"}


def edit_form(ids):
    return {**reschedule_form(ids), "teacher": ids["own_teacher"], "apply_to": "this"}


def reservation_form(ids):
    day, start = local_slot()
    hour, minute = start.split(":")
    return {"room": ids["practice_room"], "date": day, "start_time": start,
            "end_time": f"{hour}:30"}


SERIES_FORM = {"teacher": "{own_teacher}", "frequency": "weekly", "day_of_week": "1",
               "start_time": "09:00", "duration_minutes": "30", "effective_from": "2040-01-01"}
SLOTS = "start_date=2030-01-01&end_date=2030-01-02&duration=30"
CLOSURE_FORM = {"name": "Break", "start_date": "2032-02-01", "end_date": "2032-02-02"}

ROWS = [
    # ------------------------------------------------------------------ API: lessons
    Row("GET", "/api/v1/lessons", EVERYONE_OK),
    Row("GET", "/api/v1/lessons/calendar?start=2030-01-01&end=2030-01-31", EVERYONE_OK),
    Row("POST", "/api/v1/lessons", api(STAFF, CREATED, other=400), lesson_body),
    Row("GET", "/api/v1/lessons/{lesson}", api(ALL, OK)),
    Row("GET", "/api/v1/lessons/{colleague_lesson}", api(STAFF, OK, hidden=FAMILY),
        label="another family's"),
    Row("GET", "/api/v1/lessons/{foreign_lesson}", api((), OK, hidden=ALL, other=OK),
        label="another studio's"),
    Row("PATCH", "/api/v1/lessons/{new_lesson}", api(STAFF, OK), {"notes": "Bring book"}),
    Row("PATCH", "/api/v1/lessons/{new_colleague_lesson}", api(M, OK), {"notes": "x"},
        label="a colleague's"),
    Row("DELETE", "/api/v1/lessons/{new_colleague_lesson}", api(M, GONE)),
    Row("POST", "/api/v1/lessons/{new_lesson}/cancel", api(STAFF, OK), {"reason": "x"}),
    Row("POST", "/api/v1/lessons/{new_colleague_lesson}/cancel", api(M, OK), {"reason": "x"},
        label="a colleague's"),
    Row("POST", "/api/v1/lessons/{new_colleague_lesson}/reschedule", api(M, CREATED),
        lambda ids: {"scheduled_start": iso(next_start())}),
    Row("POST", "/api/v1/lessons/{new_colleague_past_lesson}/complete", api(M, OK)),
    Row("POST", "/api/v1/lessons/{new_past_lesson}/no-show", api(STAFF, OK)),
    # ------------------------------------------------------------------ API: recurring patterns
    Row("GET", "/api/v1/recurring-patterns", EVERYONE_OK),
    Row("POST", "/api/v1/recurring-patterns", api(STAFF, CREATED, other=400), pattern_body),
    Row("GET", "/api/v1/recurring-patterns/{new_series}", api(ALL, OK)),
    Row("GET", "/api/v1/recurring-patterns/{new_colleague_series}", api(STAFF, OK, hidden=FAMILY),
        label="another family's"),
    Row("PATCH", "/api/v1/recurring-patterns/{new_colleague_series}", api(M, OK), {"notes": "x"}),
    Row("DELETE", "/api/v1/recurring-patterns/{new_series}", api(STAFF, GONE)),
    # ------------------------------------------------------------------ API: rooms, reservations
    Row("GET", "/api/v1/rooms", api(STUDENT_ROOMS, OK, other=OK)),
    Row("POST", "/api/v1/rooms", api(M, CREATED, other=CREATED), lambda ids: {"name": unique("Room ")}),
    Row("GET", "/api/v1/rooms/{room}", api(STUDENT_ROOMS, OK, parent=403)),
    Row("PATCH", "/api/v1/rooms/{new_room}", api(M, OK), {"capacity": 3}),
    Row("DELETE", "/api/v1/rooms/{new_room}", api(M, GONE)),
    Row("GET", "/api/v1/reservations", api(STUDENT_ROOMS, OK, other=OK)),
    Row("POST", "/api/v1/reservations", api(STUDENT_ROOMS, CREATED, other=400), reservation_body),
    Row("GET", "/api/v1/reservations/{new_teacher_reservation}", api(STAFF, OK, hidden=("student",)),
        label="someone else's"),
    Row("POST", "/api/v1/reservations/{new_student_reservation}/cancel", api((*M, "student"), OK)),
    Row("PATCH", "/api/v1/reservations/{new_teacher_reservation}", api(STAFF, OK, hidden=("student",)),
        {"notes": "x"}, label="someone else's"),
    Row("DELETE", "/api/v1/reservations/{new_student_reservation}", api((*M, "student"), GONE)),
    # ------------------------------------------------------------------ API: closures
    Row("GET", "/api/v1/closures", EVERYONE_OK),
    Row("POST", "/api/v1/closures", api(M, CREATED, other=CREATED),
        {"name": "Break", "start_date": "2031-02-01", "end_date": "2031-02-02"}),
    Row("GET", "/api/v1/closures/{closure}", api(ALL, OK)),
    Row("PATCH", "/api/v1/closures/{new_closure}", api(M, OK), {"name": "New"}),
    Row("DELETE", "/api/v1/closures/{new_closure}", api(M, GONE)),
    # ------------------------------------------------------------------ API: slots, requests, credits
    Row("GET", "/api/v1/teachers/{own_teacher}/free-slots?" + SLOTS, api(STAFF, OK)),
    Row("GET", "/api/v1/cancellation-requests", EVERYONE_OK),
    Row("POST", "/api/v1/cancellation-requests", api(FAMILY, CREATED, other=403),
        lambda ids: {"lesson": ids["new_lesson"], "reason": "Trip"}),
    Row("POST", "/api/v1/cancellation-requests", api((), CREATED, hidden=FAMILY, other=403),
        lambda ids: {"lesson": ids["new_colleague_lesson"]}, label="another family's lesson"),
    Row("GET", "/api/v1/cancellation-requests/{new_request}", api(ALL, OK)),
    Row("POST", "/api/v1/cancellation-requests/{new_request}/approve", api(STAFF, OK)),
    Row("POST", "/api/v1/cancellation-requests/{new_request}/decline", api(STAFF, OK)),
    Row("GET", "/api/v1/makeup-credits", EVERYONE_OK),
    Row("GET", "/api/v1/makeup-credits/{new_credit}", api(ALL, OK)),
    Row("GET", "/api/v1/makeup-credits/{new_colleague_credit}", api(STAFF, OK, hidden=FAMILY),
        label="another family's"),
    # ------------------------------------------------------------------ API: calendar feed
    Row("GET", "/api/v1/calendar-feed", EVERYONE_OK),
    Row("POST", "/api/v1/calendar-feed", api(ALL, CREATED, other=CREATED)),
    Row("DELETE", "/api/v1/calendar-feed", api(ALL, GONE, other=GONE)),
    # ------------------------------------------------------------------ pages: calendar
    Row("GET", "/calendar", page(ALL, 200, other=200)),
    Row("GET", "/calendar/{feed_token}.ics", page(ALL, 200, other=200, anonymous=200)),
    Row("GET", "/calendar/not-a-token.ics", page((), 200, hidden=ALL, other=404, anonymous=404),
        label="unknown token"),
    Row("GET", "/calendar/subscribe", page(ALL, 200, other=200)),
    Row("POST", "/calendar/subscribe", page(ALL, 200, other=200), {"action": "create"}),
    Row("GET", "/calendar/closures", page(M, 200, other=200)),
    Row("POST", "/calendar/closures", page(M, DONE, other=DONE), CLOSURE_FORM),
    Row("POST", "/calendar/closures/{new_closure}/delete", page(M, DONE)),
    # ------------------------------------------------------------------ pages: lessons
    Row("GET", "/lessons", page(ALL, 200, other=200)),
    Row("GET", "/lessons/today", page(STAFF, 200, other=200)),
    Row("GET", "/lessons/new", page(STAFF, 200, other=200)),
    Row("POST", "/lessons/new", page(STAFF, DONE, other=422), lesson_form),
    Row("GET", "/lessons/new/makeup-credit", page(STAFF, 200, other=200)),
    Row("GET", "/lessons/{lesson}", page(ALL, 200)),
    Row("GET", "/lessons/{colleague_lesson}", page(STAFF, 200, hidden=FAMILY), label="another family's"),
    Row("GET", "/lessons/{new_lesson}/cancel", page(STAFF, 200)),
    Row("POST", "/lessons/{new_lesson}/cancel", page(STAFF, DONE), {"reason": "x", "initiated_by": "studio"}),
    Row("POST", "/lessons/{new_colleague_lesson}/cancel", page(M, DONE),
        {"reason": "x", "initiated_by": "studio"}, label="a colleague's"),
    Row("GET", "/lessons/{new_lesson}/reschedule", page(STAFF, 200)),
    Row("POST", "/lessons/{new_lesson}/reschedule", page(STAFF, DONE), reschedule_form),
    Row("GET", "/lessons/{new_lesson}/edit", page(STAFF, 200)),
    Row("POST", "/lessons/{new_lesson}/edit", page(STAFF, DONE), edit_form),
    Row("POST", "/lessons/{new_past_lesson}/attendance", page(STAFF, DONE), {"value": "present"}),
    Row("POST", "/lessons/{new_group_lesson}/complete", page(STAFF, DONE)),
    Row("POST", "/dashboard/attendance", page(STAFF, DONE), {"lesson": "{new_past_lesson}"}),
    Row("POST", "/dashboard/attendance", page(M, DONE), {"lesson": "{new_colleague_past_lesson}"},
        label="a colleague's"),
    Row("POST", "/lessons/{new_lesson}/request-cancellation", page(FAMILY, DONE, other=DENY),
        {"reason": "Trip"}),
    Row("POST", "/cancellation-requests/{new_request}/approve", page(STAFF, DONE)),
    Row("POST", "/cancellation-requests/{new_request}/decline", page(STAFF, DONE)),
    # ------------------------------------------------------------------ pages: series
    Row("GET", "/series/{new_series}", page(ALL, 200)),
    Row("POST", "/series/{new_series}", page(STAFF, DONE), SERIES_FORM),
    Row("POST", "/series/{new_series}/end", page(STAFF, DONE)),
    # ------------------------------------------------------------------ pages: rooms, reservations
    Row("GET", "/rooms", page(STUDENT_ROOMS, 200, other=200)),
    Row("POST", "/rooms", page(M, DONE, other=DONE), lambda ids: {"name": unique("Room "), "capacity": "2"}),
    Row("GET", "/rooms/{room}", page(STUDENT_ROOMS, 200)),
    Row("POST", "/rooms/{new_room}", page(M, DONE),
        lambda ids: {"name": unique("Renamed "), "capacity": "2", "is_active": "y"}),
    Row("POST", "/rooms/{new_room}/delete", page(M, DONE)),
    Row("POST", "/reservations", page(STUDENT_ROOMS, DONE, other=422), reservation_form),
    Row("POST", "/reservations/{new_student_reservation}/cancel", page((*M, "student"), DONE)),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
