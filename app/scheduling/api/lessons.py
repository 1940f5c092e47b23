"""/api/v1/lessons: list, calendar, book, change, cancel, reschedule, attendance."""
from datetime import timedelta

from flask import jsonify
from flask.views import MethodView
from sqlalchemy import select

from app.core.api import loads, refused_when
from app.core.errors import ValidationFailed
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.scheduling import policies, services
from app.scheduling.access import managed_lesson, visible_lesson
from app.scheduling.api.common import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    actor,
    blueprint,
    ensure_may_set_rate,
    json_array,
    kept_json,
    lessons_of_students_named,
    principal,
    studio,
)
from app.scheduling.models import Lesson
from app.scheduling.schemas import (
    CalendarEventSchema,
    CalendarQuerySchema,
    CancelSchema,
    CompleteSchema,
    EmptySchema,
    LessonCreateSchema,
    LessonListQuerySchema,
    LessonPageSchema,
    LessonSchema,
    LessonUpdateSchema,
    RescheduleSchema,
    calendar_events,
    lesson_dicts,
)

lessons_blp = blueprint("Lessons", "/api/v1/lessons",
                        "Lessons: booking, changes, cancellation, rescheduling and attendance.")

ORDERING = {"scheduled_start": Lesson.start_at, "created_at": Lesson.created_at,
            "status": Lesson.status}


def _with_warnings(booking):
    booking.lesson.warnings = booking.warnings
    return booking.lesson


def _end(data, start):
    if "duration_minutes" in data:
        return start + timedelta(minutes=data["duration_minutes"])
    return data.get("scheduled_end")


@lessons_blp.route("")
class Lessons(MethodView):
    @requires("lessons.view")
    @lessons_blp.arguments(LessonListQuerySchema, location="query")
    @lessons_blp.response(200, LessonPageSchema)
    @lessons_blp.alt_response(400, **refused_when(
        "`end_date` is before `start_date`."))
    def get(self, args):
        """List lessons you may see. `start_date`/`end_date` are inclusive dates in the
        studio's timezone. Parents see their children's lessons; students their own."""
        stmt = services.filter_lessons(
            select(Lesson.id), principal(), teacher=args.get("teacher"), student=args.get("student"),
            room=args.get("room"), status=args.get("status"), lesson_type=args.get("lesson_type"),
            series=args.get("recurring_pattern"), start_date=args.get("start_date"),
            end_date=args.get("end_date"),
        )
        if args.get("search"):
            stmt = stmt.where(Lesson.id.in_(lessons_of_students_named(args["search"])))
        stmt = apply_created_range(stmt, Lesson, args)
        stmt = apply_ordering(stmt, Lesson, args.get("ordering"), ORDERING, "scheduled_start")
        def render():  # the page's ids first, then its lessons as plain dicts (LessonSchema's)
            page = paginate(stmt, args)
            page["results"] = lesson_dicts(services.lesson_rows(studio(), page["results"]))
            return jsonify(page).get_data()

        # Clients poll this list: the page is kept while its lessons, people and rooms are unchanged.
        return kept_json(stmt, render, reads=[services.lesson_rows_statement()])

    @requires("lessons.schedule")
    @lessons_blp.arguments(LessonCreateSchema, example={
        "teacher": "5c0f6a1e-3d2b-4b8e-9a61-2f7d9c4e8b10",
        "student": "a3e4b9d2-7c1f-4e0a-8b5d-6f2c1d9e0a47",
        "scheduled_start": "2026-01-20T15:00:00Z", "duration_minutes": 45,
        "room": "e8d1c2b3-4a5f-4e6d-9c7b-0a1f2e3d4c5b"})
    @lessons_blp.response(201, LessonSchema)
    @lessons_blp.alt_response(400, **refused_when(
        "`teacher`, `student`/`students` or `room` are not in your studio, archived or no longer in "
        "use.",
        "Give `scheduled_end` or `duration_minutes` (not both, or neither for the student's default "
        "length), and `student` or `students` (not both); the lesson ends 5 minutes to 12 hours "
        "after `scheduled_start`, and `scheduled_start` "
        "exists in the studio's timezone.",
        "`lesson_type`: a private lesson has one student, a group up to the studio's limit "
        "(`students`); `online_url` starts with https://; `location` at most 200 characters.",
        "`makeup_credit` is unknown, used, expired or another student's; `rate` is for studio admins."))
    @lessons_blp.alt_response(403, **FORBIDDEN)
    @lessons_blp.alt_response(409, **CONFLICT)
    def post(self, data):
        """Book a lesson. Teachers book their own lessons; only admins set `rate`.
        Without `scheduled_end` and `duration_minutes` it lasts the student's default lesson
        length (the first student's for `students`), and without `rate` it is priced pro rata
        from the student's default rate.
        A clash answers 409 naming every conflict; a booking outside the teacher's
        availability succeeds with `warnings`."""
        ensure_may_set_rate(data)
        the_studio = studio()
        teacher = services.resolve_teacher(the_studio, data["teacher"])
        policies.ensure_may_teach(teacher)
        students = data.get("students") or ([data["student"]] if "student" in data else [])
        placement = services.Placement(
            teacher=teacher, students=tuple(students), lesson_type=data.get("lesson_type"),
            room=data.get("room"), location=data.get("location", ""),
            online_url=data.get("online_url", ""), rate=data.get("rate"), notes=data.get("notes", ""),
        )
        booking = services.schedule_lesson(
            the_studio, actor(), placement, start=data["scheduled_start"],
            end=_end(data, data["scheduled_start"]), makeup_credit=data.get("makeup_credit"),
        )
        return _with_warnings(booking)


@lessons_blp.route("/calendar")
class LessonCalendar(MethodView):
    @requires("lessons.view")
    @lessons_blp.arguments(CalendarQuerySchema, location="query")
    @lessons_blp.response(200, CalendarEventSchema(many=True))
    @lessons_blp.alt_response(400, **refused_when(
        "`end` is before `start` or more than 62 days after it."))
    def get(self, args):
        """Lessons between two dates, formatted for a calendar.

        Dates are inclusive, in studio time, at most 62 days apart. Each entry has `title`,
        `start`, `end`, `color` (the teacher's) and the lesson."""
        stmt = services.lesson_rows_between_statement(
            principal(), args["start"], args["end"], teacher=args.get("teacher"),
            student=args.get("student"), room=args.get("room"),
        )

        def render():  # a studio's week is thousands of events: built as the schema would dump them
            return json_array(calendar_events(services.lesson_rows_of(stmt))).get_data()

        # Calendars are opened and refreshed all day: a week is kept while what it shows is unchanged.
        return kept_json(stmt, render)


@lessons_blp.route("/<uuid:lesson_id>")
class LessonItem(MethodView):
    @requires("lessons.view")
    @loads("lesson", visible_lesson)
    @lessons_blp.response(200, LessonSchema)
    @lessons_blp.alt_response(404, **NOT_FOUND)
    def get(self, lesson):
        """One lesson."""
        return lesson

    @requires("lessons.manage")
    @loads("lesson", managed_lesson)
    @lessons_blp.arguments(LessonUpdateSchema)
    @lessons_blp.response(200, LessonSchema)
    @lessons_blp.alt_response(400, **refused_when(
        "`teacher`, `student`/`students` or `room` are not in your studio, archived or no longer in "
        "use.",
        "`scheduled_end` or `duration_minutes` (not both) end the lesson 5 minutes to 12 hours after "
        "its start; `student` or `students`, not both.",
        "`lesson_type`, `students`, `online_url`, `location` and `rate` as for a new lesson.",
        "`apply_to`: following needs a lesson of a recurring pattern."))
    @lessons_blp.alt_response(403, **FORBIDDEN)
    @lessons_blp.alt_response(404, **NOT_FOUND)
    @lessons_blp.alt_response(409, **CONFLICT)
    def patch(self, data, lesson):
        """Change a scheduled lesson. For a lesson of a recurring pattern, `apply_to:
        "following"` changes the pattern from this lesson on (untouched lessons only)."""
        ensure_may_set_rate(data)
        if "teacher" in data:
            policies.ensure_may_teach(services.resolve_teacher(studio(), data["teacher"]))
        changes = _lesson_changes(data, lesson)
        if data.pop("apply_to") == "following":
            return _with_warnings(services.update_following(studio(), actor(), lesson, changes))
        return _with_warnings(services.update_lesson(studio(), actor(), lesson, changes))

    @requires("lessons.manage")
    @loads("lesson", managed_lesson)
    @lessons_blp.response(204)
    @lessons_blp.alt_response(403, **FORBIDDEN)
    @lessons_blp.alt_response(404, **NOT_FOUND)
    @lessons_blp.alt_response(409, **CONFLICT)
    def delete(self, lesson):
        """Delete a lesson booked by mistake. Only scheduled, unbilled lessons without
        attendance; cancel a lesson that was really planned."""
        services.delete_lesson(studio(), actor(), lesson)


def _lesson_changes(data, lesson):
    changes = {}
    if "scheduled_start" in data:
        changes["start"] = data["scheduled_start"]
    start = changes.get("start", lesson.start_at)
    if "scheduled_end" in data or "duration_minutes" in data:
        changes["end"] = _end(data, start)
    if "student" in data or "students" in data:
        changes["students"] = data.get("students") or [data["student"]]
    for name in ("teacher", "room", "location", "online_url", "rate", "notes", "lesson_type"):
        if name in data:
            changes[name] = data[name]
    return services.LessonChanges(**changes)


ACTION_RESPONSES = (
    (403, FORBIDDEN), (404, NOT_FOUND), (409, CONFLICT),
)


def _documented(view):
    for status, doc in ACTION_RESPONSES:
        view = lessons_blp.alt_response(status, **doc)(view)
    return view


@lessons_blp.route("/<uuid:lesson_id>/cancel")
class CancelLesson(MethodView):
    @requires("lessons.manage")
    @loads("lesson", managed_lesson)
    @lessons_blp.arguments(CancelSchema, required=False)
    @lessons_blp.response(200, LessonSchema)
    @lessons_blp.alt_response(400, **refused_when(
        "`initiated_by` is family or studio."))
    @_documented
    def post(self, data, lesson):
        """Cancel a lesson. Inside the studio's notice window the cancellation policy applies
        (a make-up credit for the family, or a charge); `cancellation_outcome` says which."""
        return services.cancel_lesson(studio(), actor(), lesson, data["reason"],
                                      initiated_by=data["initiated_by"])


@lessons_blp.route("/<uuid:lesson_id>/reschedule")
class RescheduleLesson(MethodView):
    @requires("lessons.manage")
    @loads("lesson", managed_lesson)
    @lessons_blp.arguments(RescheduleSchema)
    @lessons_blp.response(201, LessonSchema)
    @lessons_blp.alt_response(400, **refused_when(
        "`teacher` or `room` are not in your studio, archived or no longer in use.",
        "`scheduled_end` ends the lesson 5 minutes to 12 hours after `scheduled_start`, which exists "
        "in the studio's timezone."))
    @_documented
    def post(self, data, lesson):
        """Move a lesson to another time.

        Answers 201 with the new lesson (`rescheduled_from` = this one); this one is
        cancelled with reason "rescheduled" and its slot freed."""
        changes = {k: data[k] for k in ("teacher", "room") if k in data}
        if "teacher" in changes:
            policies.ensure_may_teach(services.resolve_teacher(studio(), changes["teacher"]))
        booking = services.reschedule_lesson(studio(), actor(), lesson, start=data["scheduled_start"],
                                             end=data.get("scheduled_end"), **changes)
        return _with_warnings(booking)


@lessons_blp.route("/<uuid:lesson_id>/complete")
class CompleteLesson(MethodView):
    @requires("lessons.manage")
    @loads("lesson", managed_lesson)
    @lessons_blp.arguments(CompleteSchema, required=False)
    @lessons_blp.response(200, LessonSchema)
    @lessons_blp.alt_response(400, **refused_when(
        "`attendance` names each student of this lesson at most once."))
    @_documented
    def post(self, data, lesson):
        """Mark a lesson as taught, with per-student attendance for group lessons (students
        not named were present). Possible from the lesson's day on."""
        attendance = {item["student"]: item["status"] for item in data["attendance"]}
        if len(attendance) != len(data["attendance"]):
            raise ValidationFailed(field_errors={"attendance": ["Name each student once."]})
        return services.complete_lesson(studio(), actor(), lesson, attendance)


@lessons_blp.route("/<uuid:lesson_id>/no-show")
class NoShowLesson(MethodView):
    @requires("lessons.manage")
    @loads("lesson", managed_lesson)
    @lessons_blp.arguments(EmptySchema, required=False)
    @lessons_blp.response(200, LessonSchema)
    @_documented
    def post(self, data, lesson):
        """The student did not come: a no-show, billed like a taught lesson."""
        return services.mark_no_show(studio(), actor(), lesson)
