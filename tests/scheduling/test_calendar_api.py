"""GET /api/v1/lessons/calendar answers exactly what CalendarEventSchema dumps of the same
lessons, for every role: it builds its events directly (thousands a week), so this is the
proof that no field, value or per-role rule drifts from the schema."""

import json
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from flask import jsonify
from marshmallow import fields

from app.core.schemas import UTCDateTime
from app.core.tenancy import current_principal
from app.extensions import db
from app.scheduling import services
from app.scheduling.api.common import json_array
from app.scheduling.models import RecurringSeries
from app.scheduling.schemas import CalendarEventSchema, LessonDicts, LessonSchema

MONDAY = date(2030, 4, 1)  # New York is at UTC-4 that week
SUNDAY = MONDAY + timedelta(days=6)
WEEK = f"start={MONDAY}&end={SUNDAY}"


def _series(world):
    series = RecurringSeries(
        id=uuid.uuid4(), studio_id=world.studio.id, teacher_id=world.teacher.id,
        student_id=world.student.id, day_of_week=0, start_time=time(16), duration_minutes=30,
        start_date=MONDAY, rate=Decimal("40.00"),
    )
    db.session.add(series)
    return series


def _week_of_lessons(world, make):
    """A week with every kind of lesson and every optional field set somewhere."""
    w, at = world, world.at
    stranger = make.student(w.studio, first_name="Zoë", last_name="Ångström", instrument="cello")
    nameless = make.teacher(w.studio, first_name="", last_name="", calendar_color="#112233")
    series = _series(w)
    make.lesson(w.studio, w.teacher, [w.student], start=at(MONDAY, 16), room=w.room, series=series,
                occurrence_date=MONDAY, rate="40", notes="Scales, then the Bach.")
    group = make.lesson(w.studio, w.other_teacher, [w.sibling, stranger, w.student],
                        start=at(MONDAY + timedelta(days=1), 17), minutes=60, lesson_type="group",
                        location="Town hall", rate="25.50")
    for minutes, attendee in zip((3, 1, 2), group.attendees, strict=True):  # listed by when added
        attendee.created_at = datetime(2030, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=minutes)
    cancelled = make.lesson(w.studio, w.teacher, [w.sibling], start=at(MONDAY + timedelta(days=2), 15),
                            online_url="https://meet.example.test/abc", rate="40")
    cancelled.status = "cancelled"
    cancelled.cancelled_at = at(MONDAY, 9)
    cancelled.cancelled_by_id = w.admin.id
    cancelled.cancellation_reason = "Sick"
    cancelled.cancellation_outcome = "makeup_credit"
    make.lesson(w.studio, w.teacher, [w.sibling], start=at(MONDAY + timedelta(days=3), 15, 30),
                minutes=45, lesson_type="makeup", rescheduled_from=cancelled, room=w.room,
                location="ignored: the room wins")
    taught = make.lesson(w.studio, nameless, [w.student], start=at(MONDAY + timedelta(days=4), 10),
                         rate=None, status="completed")
    taught.attendance_taken_at = at(MONDAY + timedelta(days=4), 11)
    taught.attendees[0].attendance = "absent"
    taught.billed_line_item_id = uuid.uuid4()
    make.lesson(w.studio, w.other_teacher, [stranger], start=at(SUNDAY, 12))  # nowhere in particular
    make.lesson(w.studio, w.teacher, [], start=at(SUNDAY, 14), lesson_type="recital")  # no students
    make.lesson(w.studio, w.teacher, [w.student], start=at(MONDAY - timedelta(days=1), 23, 45),
                minutes=30)  # starts the evening before, ends on Monday
    make.lesson(w.studio, w.teacher, [w.student], start=at(SUNDAY + timedelta(days=1), 9))  # next week
    db.session.commit()


def _schema_dump(app, headers, query):
    """What the schema dumps of the lessons the service finds, as the caller of `headers`."""
    args = dict(part.split("=") for part in query.split("&"))
    filters = {name: uuid.UUID(args[name]) for name in ("teacher", "student", "room") if name in args}
    with app.app_context(), app.test_request_context("/api/v1/lessons/calendar", headers=headers):
        lessons = services.lessons_between(current_principal(), date.fromisoformat(args["start"]),
                                           date.fromisoformat(args["end"]), **filters)
        return CalendarEventSchema(many=True).dump(lessons)


def _same_events(app, client, headers, query):
    response = client.get(f"/api/v1/lessons/calendar?{query}", headers=headers)
    assert response.status_code == 200, response.json
    expected = _schema_dump(app, headers, query)
    assert response.json == expected
    assert [list(event) for event in response.json] == [list(event) for event in expected]  # key order
    return response.json


def test_the_week_covers_every_kind_of_lesson(app, client, tokens, world, make):
    _week_of_lessons(world, make)
    events = _same_events(app, client, tokens["admin"], WEEK)
    assert len(events) == 8
    assert {e["lesson_type"] for e in events} == {"private", "group", "makeup", "recital"}
    assert {e["status"] for e in events} == {"scheduled", "cancelled", "completed"}
    assert {e["location"] for e in events} == {"Room A", "Town hall", "Online", None}
    assert {e["title"] for e in events} >= {"No students", "Zoë Ångström, Sam Bennett, Ella Bennett"}
    assert {e["rate"] for e in events} == {"40.00", "25.50", None}
    assert any(e["teacher"]["full_name"] == e["teacher"]["email"] for e in events)  # no name
    for field in ("recurring_pattern", "occurrence_date", "rescheduled_from", "cancelled_at",
                  "cancelled_by", "cancellation_outcome", "attendance_taken_at", "room", "student"):
        assert any(e[field] is not None for e in events) and any(e[field] is None for e in events), field
    assert any(e["is_billed"] for e in events) and any(s["attendance"] == "absent"
                                                       for e in events for s in e["students"])


@pytest.mark.parametrize("role", ["owner", "teacher", "parent", "student"])
def test_each_role_sees_what_the_schema_shows_it(app, client, tokens, world, make, role):
    _week_of_lessons(world, make)
    events = _same_events(app, client, tokens[role], WEEK)
    assert events and all(("rate" in e) == (role in ("owner", "parent")) for e in events)


def test_filters_match_the_schema_too(app, client, tokens, world, make):
    _week_of_lessons(world, make)
    for query in (f"teacher={world.teacher.id}", f"student={world.sibling.id}", f"room={world.room.id}",
                  f"teacher={world.other_teacher.id}&student={world.student.id}"):
        assert _same_events(app, client, tokens["admin"], f"{WEEK}&{query}")
    assert _same_events(app, client, tokens["parent"], f"{WEEK}&teacher={world.other_teacher.id}")
    assert _same_events(app, client, tokens["foreign_admin"], WEEK) == []


def test_bad_ranges_answer_400_as_before(client, tokens, world):
    cases = {
        f"start={SUNDAY}&end={MONDAY}": ("end", "Must be on or after start."),
        f"start={MONDAY}&end={MONDAY + timedelta(days=62)}": ("end", "Ask for at most 62 days at a time."),
        f"start={MONDAY}": ("end", "Missing data for required field."),
        f"start=nonsense&end={SUNDAY}": ("start", "Not a valid date."),
    }
    for query, (field, message) in cases.items():
        response = client.get(f"/api/v1/lessons/calendar?{query}", headers=tokens["admin"])
        assert response.status_code == 400, query
        assert response.json["field_errors"][field] == [message], response.json


def _list_dump(app, headers, query):
    """What LessonSchema dumps of the page of lessons the list finds, as `headers`' caller."""
    from sqlalchemy import select

    from app.core.pagination import apply_ordering
    from app.scheduling.api.lessons import ORDERING
    from app.scheduling.models import Lesson
    args = dict(part.split("=") for part in query.split("&")) if query else {}
    with app.app_context(), app.test_request_context("/api/v1/lessons", headers=headers):
        stmt = services.filter_lessons(select(Lesson), current_principal(), start_date=MONDAY,
                                       end_date=SUNDAY + timedelta(days=1))
        stmt = apply_ordering(stmt, Lesson, args.get("ordering"), ORDERING, "scheduled_start")
        size, page = int(args.get("page_size", 20)), int(args.get("page", 1))
        lessons = db.session.scalars(stmt.limit(size).offset((page - 1) * size)).unique().all()
        return LessonSchema(many=True).dump(lessons)


@pytest.mark.parametrize("role", ["admin", "teacher", "parent", "student"])
@pytest.mark.parametrize("query", ["", "ordering=-scheduled_start&page_size=3",
                                   "ordering=status&page_size=4&page=2"])
def test_the_lessons_list_answers_what_the_schema_dumps(app, client, tokens, world, make, role, query):
    _week_of_lessons(world, make)
    url = f"/api/v1/lessons?start_date={MONDAY}&end_date={SUNDAY + timedelta(days=1)}&{query}"
    response = client.get(url, headers=tokens[role])
    assert response.status_code == 200, response.json
    expected = _list_dump(app, tokens[role], query)
    assert response.json["results"] == expected
    assert expected or (role == "student" and "page=2" in query)  # a student has fewer lessons
    assert [list(lesson) for lesson in response.json["results"]] == [list(lesson) for lesson in expected]
    assert set(response.json) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize("count", [0, 1, 3, 7])
def test_events_are_encoded_in_batches_as_one_array(app, count):
    items = [{"n": n, "name": "Zoë", "rate": Decimal("19.99"), "room": None} for n in range(count)]
    with app.app_context():
        response = json_array(iter(items), batch_size=3)
        assert response.mimetype == "application/json" and response.get_data().endswith(b"]\n")
        assert json.loads(response.get_data()) == jsonify(items).json  # Decimal as jsonify writes it
        assert ("Zoë".encode() in response.get_data()) == bool(count)  # UTF-8, not \u escapes


@pytest.mark.parametrize("role", ["owner", "teacher", "parent", "student"])
@pytest.mark.parametrize("schema", [LessonSchema, CalendarEventSchema])
def test_both_paths_give_every_field_of_every_kind_of_lesson(app, tokens, world, make, role, schema):
    """The same week through the fast path (rows -> LessonDicts) and through the schema
    (ORM objects -> dump), field by field: private, group, cancelled, rescheduled, with and
    without a room, with and without a rate, as each role (rates differ by role)."""
    _week_of_lessons(world, make)
    with app.app_context(), app.test_request_context("/api/v1/lessons", headers=tokens[role]):
        principal = current_principal()
        lessons = services.lessons_between(principal, MONDAY, SUNDAY)
        expected = {item["id"]: item for item in schema(many=True).dump(lessons)}
        rows = services.lesson_rows_between(principal, MONDAY, SUNDAY)
        dicts = LessonDicts(schema)
        built = {item["id"]: item for item in (dicts.dump(row, attendees) for row, attendees in rows)}
    assert expected and built.keys() == expected.keys()
    if role == "owner":  # the owner sees the whole week: every kind is compared
        lessons = expected.values()
        assert {i["lesson_type"] for i in lessons} == {"private", "group", "makeup", "recital"}
        assert {i["status"] for i in lessons} == {"scheduled", "cancelled", "completed"}
        assert {i["room"] is None for i in lessons} == {i["rescheduled_from"] is None for i in lessons} \
            == {i["rate"] is None for i in lessons} == {True, False}
    for lesson_id, item in expected.items():
        assert list(built[lesson_id]) == list(item), lesson_id
        for name, value in item.items():
            assert built[lesson_id][name] == value, (lesson_id, name)
    assert all(("rate" in item) == (role in ("owner", "parent")) for item in built.values())


class _WithMood(LessonSchema):
    mood = fields.String(dump_only=True)


class _WithBookedAt(LessonSchema):
    booked_at = UTCDateTime(attribute="created_at", dump_only=True)


def test_a_field_added_to_the_schema_is_built_or_refused_never_left_out(app, tokens, world, make):
    """A new schema field the rows hold is read and formatted by the schema's own field; one
    they do not hold stops the fast path instead of silently missing from its answers."""
    make.lesson(world.studio, world.teacher, [world.student], start=world.at(MONDAY, 16))
    db.session.commit()
    with app.app_context(), app.test_request_context("/api/v1/lessons", headers=tokens["owner"]):
        with pytest.raises(LookupError, match="_WithMood.mood"):
            LessonDicts(_WithMood)
        principal = current_principal()
        [(row, attendees)] = list(services.lesson_rows_between(principal, MONDAY, SUNDAY))
        [lesson] = services.lessons_between(principal, MONDAY, SUNDAY)
        built = LessonDicts(_WithBookedAt).dump(row, attendees)
        assert built == _WithBookedAt().dump(lesson)
    assert built["booked_at"].endswith("Z")
