"""The authorization matrix: every scheduling API route × every role × own/other studio.

Targets are "ours" (Theo's lesson with the parent's child, who is also the signed-in student)
or "theirs" (Clara's lesson with a student of another family). A role that may not act gets
403 before anything else; an object it may not see is 404, like another studio's; anonymous
callers get 401. Each allowed call gets a fresh target, so the order does not matter.
"""

import itertools
from datetime import datetime, time, timedelta, timezone

import pytest

from app.extensions import db
from app.scheduling import services
from app.scheduling.models import MakeupCredit
from tests.scheduling.conftest import bearer_for

ROLES = ("owner", "admin", "teacher", "parent", "student", "foreign", "anonymous")
_hours = itertools.count(1)


class Targets:
    """Fresh objects for each call, committed so that requests see them."""

    def __init__(self, world, make):
        self.w, self.make = world, make
        self.stranger = make.student(world.studio, first_name="Other", last_name="Child")
        db.session.commit()

    def _start(self, past=False):
        n = next(_hours)
        base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        return base - timedelta(hours=2 * n) if past else base + timedelta(days=2, hours=2 * n)

    def lesson(self, whose="ours", past=False):
        w = self.w
        teacher, student = (w.teacher, w.student) if whose == "ours" else (w.other_teacher, self.stranger)
        lesson = self.make.lesson(w.studio, teacher, [student], start=self._start(past))
        db.session.commit()
        return lesson.id

    def series(self, whose="ours"):
        w = self.w
        teacher, student = (w.teacher, w.student) if whose == "ours" else (w.other_teacher, self.stranger)
        day = (datetime.now(timezone.utc) + timedelta(days=400 + next(_hours))).date()
        series, _ = services.create_series(
            w.studio,
            w.admin,
            teacher=teacher,
            student=student,
            day_of_week=day.weekday(),
            start_time=time(next(_hours) % 12 + 8),
            duration_minutes=30,
            start_date=day,
            end_date=day,
        )
        db.session.commit()
        return series.id

    def reservation(self, whose="ours"):
        w = self.w
        user = w.student_user if whose == "ours" else w.teacher_user
        start = self._start()
        reservation = services.reserve_room(
            w.studio, user, room=w.practice_room, start=start, end=start + timedelta(minutes=30)
        )
        db.session.commit()
        return reservation.id

    def request(self):
        w = self.w
        lesson = db.session.get(type(w.foreign_lesson), self.lesson("ours"))
        request = services.request_cancellation(w.studio, w.parent, lesson, "Trip")
        db.session.commit()
        return request.id

    def credit(self, whose="ours"):
        w = self.w
        student = w.student if whose == "ours" else self.stranger
        credit = MakeupCredit(
            studio_id=w.studio.id,
            family_id=student.family_id,
            student_id=student.id,
            expires_at=datetime.now(timezone.utc) + timedelta(days=30),
        )
        db.session.add(credit)
        db.session.commit()
        return credit.id

    def room(self):
        room = self.make.room(self.w.studio)
        db.session.commit()
        return room.id

    def closure(self):
        closure = self.make.closure(self.w.studio, datetime(2031, 1, 1).date())
        db.session.commit()
        return closure.id


def _iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lesson_body(w, t):
    start = t._start()
    return {
        "teacher": str(w.teacher.id),
        "student": str(w.sibling.id),
        "scheduled_start": _iso(start),
        "duration_minutes": 30,
    }


def _pattern_body(w, t):
    day = (datetime.now(timezone.utc) + timedelta(days=500 + next(_hours))).date()
    return {
        "teacher": str(w.teacher.id),
        "student": str(w.sibling.id),
        "day_of_week": day.weekday(),
        "time": f"{next(_hours) % 12 + 8:02d}:00",
        "duration_minutes": 30,
        "start_date": day.isoformat(),
        "end_date": day.isoformat(),
    }


def _reservation_body(w, t):
    start = t._start()
    return {
        "room": str(w.practice_room.id),
        "start_time": _iso(start),
        "end_time": _iso(start + timedelta(minutes=30)),
    }


# (name, method, path builder, body builder, {role: status}). Path builders get (world, targets).
OK, CREATED, GONE = 200, 201, 204
STAFF_ONLY = {"owner": OK, "admin": OK, "teacher": 403, "parent": 403, "student": 403, "foreign": 404}
MATRIX = [
    (
        "list lessons",
        "GET",
        lambda w, t: "/api/v1/lessons",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student", "foreign")},
    ),
    (
        "calendar",
        "GET",
        lambda w, t: "/api/v1/lessons/calendar?start=2030-01-01&end=2030-01-31",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student", "foreign")},
    ),
    (
        "book a lesson",
        "POST",
        lambda w, t: "/api/v1/lessons",
        _lesson_body,
        {
            "owner": CREATED,
            "admin": CREATED,
            "teacher": CREATED,
            "parent": 403,
            "student": 403,
            "foreign": 400,
        },
    ),
    (
        "see our lesson",
        "GET",
        lambda w, t: f"/api/v1/lessons/{t.lesson()}",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student")} | {"foreign": 404},
    ),
    (
        "see another family's lesson",
        "GET",
        lambda w, t: f"/api/v1/lessons/{t.lesson('theirs')}",
        None,
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 404, "student": 404, "foreign": 404},
    ),
    (
        "see another studio's lesson",
        "GET",
        lambda w, t: f"/api/v1/lessons/{w.foreign_lesson.id}",
        None,
        {r: 404 for r in ("owner", "admin", "teacher", "parent", "student")} | {"foreign": OK},
    ),
    (
        "change our lesson",
        "PATCH",
        lambda w, t: f"/api/v1/lessons/{t.lesson()}",
        lambda w, t: {"notes": "Bring book"},
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "change a colleague's lesson",
        "PATCH",
        lambda w, t: f"/api/v1/lessons/{t.lesson('theirs')}",
        lambda w, t: {"notes": "x"},
        STAFF_ONLY,
    ),
    (
        "delete a lesson",
        "DELETE",
        lambda w, t: f"/api/v1/lessons/{t.lesson('theirs')}",
        None,
        {**STAFF_ONLY, "owner": GONE, "admin": GONE},
    ),
    (
        "cancel our lesson",
        "POST",
        lambda w, t: f"/api/v1/lessons/{t.lesson()}/cancel",
        lambda w, t: {"reason": "x"},
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "cancel a colleague's lesson",
        "POST",
        lambda w, t: f"/api/v1/lessons/{t.lesson('theirs')}/cancel",
        lambda w, t: {"reason": "x"},
        STAFF_ONLY,
    ),
    (
        "reschedule",
        "POST",
        lambda w, t: f"/api/v1/lessons/{t.lesson('theirs')}/reschedule",
        lambda w, t: {"scheduled_start": _iso(t._start())},
        {**STAFF_ONLY, "owner": CREATED, "admin": CREATED},
    ),
    (
        "complete",
        "POST",
        lambda w, t: f"/api/v1/lessons/{t.lesson('theirs', past=True)}/complete",
        lambda w, t: {},
        STAFF_ONLY,
    ),
    (
        "no-show",
        "POST",
        lambda w, t: f"/api/v1/lessons/{t.lesson(past=True)}/no-show",
        lambda w, t: {},
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "list patterns",
        "GET",
        lambda w, t: "/api/v1/recurring-patterns",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student", "foreign")},
    ),
    (
        "create a pattern",
        "POST",
        lambda w, t: "/api/v1/recurring-patterns",
        _pattern_body,
        {
            "owner": CREATED,
            "admin": CREATED,
            "teacher": CREATED,
            "parent": 403,
            "student": 403,
            "foreign": 400,
        },
    ),
    (
        "see our pattern",
        "GET",
        lambda w, t: f"/api/v1/recurring-patterns/{t.series()}",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student")} | {"foreign": 404},
    ),
    (
        "see another family's pattern",
        "GET",
        lambda w, t: f"/api/v1/recurring-patterns/{t.series('theirs')}",
        None,
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 404, "student": 404, "foreign": 404},
    ),
    (
        "change a colleague's pattern",
        "PATCH",
        lambda w, t: f"/api/v1/recurring-patterns/{t.series('theirs')}",
        lambda w, t: {"notes": "x"},
        STAFF_ONLY,
    ),
    (
        "end our pattern",
        "DELETE",
        lambda w, t: f"/api/v1/recurring-patterns/{t.series()}",
        None,
        {"owner": GONE, "admin": GONE, "teacher": GONE, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "list rooms",
        "GET",
        lambda w, t: "/api/v1/rooms",
        None,
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": OK, "foreign": OK},
    ),
    (
        "add a room",
        "POST",
        lambda w, t: "/api/v1/rooms",
        lambda w, t: {"name": f"Room {next(_hours)}"},
        {
            "owner": CREATED,
            "admin": CREATED,
            "teacher": 403,
            "parent": 403,
            "student": 403,
            "foreign": CREATED,
        },
    ),
    (
        "see a room",
        "GET",
        lambda w, t: f"/api/v1/rooms/{t.room()}",
        None,
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": OK, "foreign": 404},
    ),
    (
        "change a room",
        "PATCH",
        lambda w, t: f"/api/v1/rooms/{t.room()}",
        lambda w, t: {"capacity": 3},
        {"owner": OK, "admin": OK, "teacher": 403, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "remove a room",
        "DELETE",
        lambda w, t: f"/api/v1/rooms/{t.room()}",
        None,
        {"owner": GONE, "admin": GONE, "teacher": 403, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "list reservations",
        "GET",
        lambda w, t: "/api/v1/reservations",
        None,
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": OK, "foreign": OK},
    ),
    (
        "reserve a room",
        "POST",
        lambda w, t: "/api/v1/reservations",
        _reservation_body,
        {
            "owner": CREATED,
            "admin": CREATED,
            "teacher": CREATED,
            "parent": 403,
            "student": CREATED,
            "foreign": 400,
        },
    ),
    (
        "see someone else's reservation",
        "GET",
        lambda w, t: f"/api/v1/reservations/{t.reservation('theirs')}",
        None,
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": 404, "foreign": 404},
    ),
    (
        "cancel your reservation",
        "POST",
        lambda w, t: f"/api/v1/reservations/{t.reservation()}/cancel",
        lambda w, t: {},
        {"owner": OK, "admin": OK, "teacher": 403, "parent": 403, "student": OK, "foreign": 404},
    ),
    (
        "move someone else's reservation",
        "PATCH",
        lambda w, t: f"/api/v1/reservations/{t.reservation('theirs')}",
        lambda w, t: {"notes": "x"},
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": 404, "foreign": 404},
    ),
    (
        "delete your reservation",
        "DELETE",
        lambda w, t: f"/api/v1/reservations/{t.reservation()}",
        None,
        {"owner": GONE, "admin": GONE, "teacher": 403, "parent": 403, "student": GONE, "foreign": 404},
    ),
    (
        "list closures",
        "GET",
        lambda w, t: "/api/v1/closures",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student", "foreign")},
    ),
    (
        "add a closure",
        "POST",
        lambda w, t: "/api/v1/closures",
        lambda w, t: {"name": "Break", "start_date": "2031-02-01", "end_date": "2031-02-02"},
        {
            "owner": CREATED,
            "admin": CREATED,
            "teacher": 403,
            "parent": 403,
            "student": 403,
            "foreign": CREATED,
        },
    ),
    (
        "see a closure",
        "GET",
        lambda w, t: f"/api/v1/closures/{t.closure()}",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student")} | {"foreign": 404},
    ),
    (
        "change a closure",
        "PATCH",
        lambda w, t: f"/api/v1/closures/{t.closure()}",
        lambda w, t: {"name": "New"},
        {"owner": OK, "admin": OK, "teacher": 403, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "remove a closure",
        "DELETE",
        lambda w, t: f"/api/v1/closures/{t.closure()}",
        None,
        {"owner": GONE, "admin": GONE, "teacher": 403, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "free slots",
        "GET",
        lambda w, t: (
            f"/api/v1/teachers/{w.teacher.id}/free-slots?start_date=2030-01-01&end_date=2030-01-02&duration=30"
        ),
        None,
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "list cancellation requests",
        "GET",
        lambda w, t: "/api/v1/cancellation-requests",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student", "foreign")},
    ),
    (
        "request a cancellation",
        "POST",
        lambda w, t: "/api/v1/cancellation-requests",
        lambda w, t: {"lesson": str(t.lesson()), "reason": "Trip"},
        {"owner": 403, "admin": 403, "teacher": 403, "parent": CREATED, "student": CREATED, "foreign": 403},
    ),
    (
        "request cancelling another family's lesson",
        "POST",
        lambda w, t: "/api/v1/cancellation-requests",
        lambda w, t: {"lesson": str(t.lesson("theirs"))},
        {"parent": 404, "student": 404},
    ),
    (
        "see a request",
        "GET",
        lambda w, t: f"/api/v1/cancellation-requests/{t.request()}",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student")} | {"foreign": 404},
    ),
    (
        "approve a request",
        "POST",
        lambda w, t: f"/api/v1/cancellation-requests/{t.request()}/approve",
        lambda w, t: {},
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "decline a request",
        "POST",
        lambda w, t: f"/api/v1/cancellation-requests/{t.request()}/decline",
        lambda w, t: {},
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 403, "student": 403, "foreign": 404},
    ),
    (
        "list make-up credits",
        "GET",
        lambda w, t: "/api/v1/makeup-credits",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student", "foreign")},
    ),
    (
        "see our credit",
        "GET",
        lambda w, t: f"/api/v1/makeup-credits/{t.credit()}",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student")} | {"foreign": 404},
    ),
    (
        "see another family's credit",
        "GET",
        lambda w, t: f"/api/v1/makeup-credits/{t.credit('theirs')}",
        None,
        {"owner": OK, "admin": OK, "teacher": OK, "parent": 404, "student": 404, "foreign": 404},
    ),
    (
        "feed link status",
        "GET",
        lambda w, t: "/api/v1/calendar-feed",
        None,
        {r: OK for r in ("owner", "admin", "teacher", "parent", "student", "foreign")},
    ),
    (
        "create a feed link",
        "POST",
        lambda w, t: "/api/v1/calendar-feed",
        None,
        {r: CREATED for r in ("owner", "admin", "teacher", "parent", "student", "foreign")},
    ),
    (
        "revoke the feed link",
        "DELETE",
        lambda w, t: "/api/v1/calendar-feed",
        None,
        {r: GONE for r in ("owner", "admin", "teacher", "parent", "student", "foreign")},
    ),
]


@pytest.mark.parametrize("name, method, path, body, expected", MATRIX, ids=[row[0] for row in MATRIX])
def test_authorization_matrix(client, world, make, name, method, path, body, expected):
    targets = Targets(world, make)
    users = {**world.users(), "foreign": world.foreign_admin}
    for role in ROLES:
        status = 401 if role == "anonymous" else expected.get(role)
        if status is None:
            continue
        headers = {} if role == "anonymous" else bearer_for(users[role])
        kwargs = {"headers": headers}
        if body is not None:
            kwargs["json"] = body(world, targets)
        elif method in ("POST", "PATCH"):
            kwargs["json"] = {}
        response = client.open(path(world, targets), method=method, **kwargs)
        assert response.status_code == status, (role, response.status_code, response.get_json())


def test_lists_never_show_another_studios_rows(client, world, tokens):
    theirs = str(world.foreign_lesson.id)
    for role in ("owner", "admin", "teacher", "parent", "student"):
        ids = [
            r["id"]
            for r in client.get(
                "/api/v1/lessons?page_size=100&start_date=2000-01-01", headers=tokens[role]
            ).json["results"]
        ]
        assert theirs not in ids
    mine = client.get("/api/v1/lessons?page_size=100", headers=tokens["foreign_admin"]).json["results"]
    assert [r["id"] for r in mine] == [theirs]


def test_parents_and_students_see_only_their_own_lessons(client, world, make, tokens):
    targets = Targets(world, make)
    ours, theirs = str(targets.lesson()), str(targets.lesson("theirs"))
    for role in ("parent", "student"):
        ids = {r["id"] for r in client.get("/api/v1/lessons", headers=tokens[role]).json["results"]}
        assert ours in ids and theirs not in ids
