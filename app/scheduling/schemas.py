"""API schemas for lessons, recurring patterns, rooms, reservations, closures and feeds.

Responses use the reference's shapes (`scheduled_start`, `scheduled_end`, `location`,
`lesson_type`, nested `teacher` and `student`); requests refer to others by id. Lesson
rates are shown to managers and parents only (what families pay).
"""
from datetime import datetime

from marshmallow import ValidationError, fields, post_dump, validate, validates_schema

from app.core.pagination import ListQuerySchema, page_schema
from app.core.schemas import BaseSchema, Money, UTCDateTime
from app.scheduling import policies
from app.scheduling.models import (
    ATTENDANCE,
    FREQUENCIES,
    LESSON_STATUSES,
    LESSON_TYPES,
    RESERVATION_STATUSES,
    WEEKDAYS,
)

TEXT = validate.Length(max=200)
NOTES = validate.Length(max=5000)
URL = validate.Length(max=500)
DURATION = validate.Range(5, 720, error="Must be between 5 and 720 minutes (12 hours).")


class LocalDate(fields.Date):
    """A date; also accepts an ISO datetime and keeps its date part (calendar clients)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and "T" in value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError as exc:
                raise self.make_error("invalid") from exc
        return super()._deserialize(value, attr, data, **kwargs)


class Weekday(fields.Field):
    """"monday" … "sunday" (also "tue", or 0 = Monday … 6), dumped as the full name."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else WEEKDAYS[value]

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
            return value
        if isinstance(value, str):
            name = value.strip().lower()
            for index, day in enumerate(WEEKDAYS):
                if name in (day, day[:3]):
                    return index
        raise ValidationError("Use a day name from \"monday\" to \"sunday\".")


# ---------------------------------------------------------------- references

class TeacherRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    first_name = fields.String(attribute="user.first_name", dump_only=True)
    last_name = fields.String(attribute="user.last_name", dump_only=True)
    full_name = fields.String(dump_only=True)
    email = fields.String(dump_only=True)
    calendar_color = fields.String(dump_only=True)


class StudentRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    instrument = fields.String(dump_only=True)


class RoomRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)


class AttendeeSchema(BaseSchema):
    id = fields.UUID(attribute="student_id", dump_only=True, metadata={"description": "The student's id."})
    first_name = fields.String(attribute="student.first_name", dump_only=True)
    last_name = fields.String(attribute="student.last_name", dump_only=True)
    full_name = fields.String(attribute="student.full_name", dump_only=True)
    attendance = fields.String(dump_only=True, metadata={"description": ", ".join(ATTENDANCE)})


class UserRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    full_name = fields.String(dump_only=True)


# ---------------------------------------------------------------- lessons

class LessonSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    teacher = fields.Nested(TeacherRefSchema, dump_only=True)
    student = fields.Nested(StudentRefSchema, dump_only=True, allow_none=True, metadata={
        "description": "The student of a one-student lesson; null for group lessons."})
    students = fields.List(fields.Nested(AttendeeSchema), attribute="attendees", dump_only=True,
                           metadata={"description": "Every student, with their attendance."})
    scheduled_start = UTCDateTime(attribute="start_at", dump_only=True)
    scheduled_end = UTCDateTime(attribute="end_at", dump_only=True)
    duration_minutes = fields.Integer(dump_only=True)
    location = fields.Method("get_location", dump_only=True, allow_none=True, metadata={
        "description": "The room's name, else the location text, else \"Online\"."})
    room = fields.Nested(RoomRefSchema, dump_only=True, allow_none=True)
    online_url = fields.String(dump_only=True)
    lesson_type = fields.String(dump_only=True, metadata={"description": ", ".join(LESSON_TYPES)})
    status = fields.String(dump_only=True, metadata={"description": ", ".join(LESSON_STATUSES)})
    rate = Money(dump_only=True, allow_none=True, metadata={
        "description": "What the lesson costs; for admins and parents only."})
    notes = fields.String(dump_only=True)
    recurring_pattern = fields.UUID(attribute="series_id", dump_only=True, allow_none=True)
    occurrence_date = fields.Date(dump_only=True, allow_none=True)
    rescheduled_from = fields.UUID(attribute="rescheduled_from_id", dump_only=True, allow_none=True)
    cancellation_reason = fields.String(dump_only=True)
    cancelled_at = UTCDateTime(dump_only=True, allow_none=True)
    cancelled_by = fields.UUID(attribute="cancelled_by_id", dump_only=True, allow_none=True)
    cancellation_outcome = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "no_charge, charged or makeup_credit (SPEC: cancellation policy)."})
    attendance_taken_at = UTCDateTime(dump_only=True, allow_none=True)
    is_billed = fields.Boolean(dump_only=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)
    warnings = fields.List(fields.String(), dump_only=True, metadata={
        "description": "Present on writes: things to know, such as a booking outside the "
                       "teacher's availability. The lesson is booked all the same."})

    def get_location(self, lesson):
        return lesson.place or None

    @post_dump
    def hide_rate(self, data, **kwargs):
        if not policies.may_see_rate():
            data.pop("rate", None)
        return data


LessonPageSchema = page_schema(LessonSchema)


class LessonListQuerySchema(ListQuerySchema):
    teacher = fields.UUID()
    student = fields.UUID()
    room = fields.UUID()
    recurring_pattern = fields.UUID()
    status = fields.String(validate=validate.OneOf(LESSON_STATUSES))
    lesson_type = fields.String(validate=validate.OneOf(LESSON_TYPES))
    start_date = LocalDate(metadata={"description": "Lessons on or after this date (studio time)."})
    end_date = LocalDate(metadata={"description": "Lessons on or before this date (studio time)."})

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            raise ValidationError("Must be on or after start_date.", "end_date")


class LessonWriteSchema(BaseSchema):
    teacher = fields.UUID(metadata={"description": "Teacher profile id."})
    student = fields.UUID(metadata={"description": "The student of a private lesson."})
    students = fields.List(fields.UUID(), validate=validate.Length(min=1, max=50), metadata={
        "description": "Several students (group lessons)."})
    scheduled_start = UTCDateTime()
    scheduled_end = UTCDateTime()
    duration_minutes = fields.Integer(strict=True, validate=DURATION, metadata={
        "description": "Instead of scheduled_end."})
    location = fields.String(validate=TEXT, metadata={
        "description": "Free text; a room's exact name books that room."})
    room = fields.UUID(allow_none=True)
    online_url = fields.String(validate=URL)
    lesson_type = fields.String(validate=validate.OneOf(LESSON_TYPES))
    rate = Money(allow_none=True, metadata={"description": "Admins only; defaults from the "
                                            "student's or teacher's rate."})
    notes = fields.String(validate=NOTES)

    @validates_schema
    def one_end(self, data, **kwargs):
        if "scheduled_end" in data and "duration_minutes" in data:
            raise ValidationError("Send scheduled_end or duration_minutes, not both.", "duration_minutes")
        if "student" in data and "students" in data:
            raise ValidationError("Send student or students, not both.", "students")


class LessonCreateSchema(LessonWriteSchema):
    teacher = fields.UUID(required=True, metadata={"description": "Teacher profile id."})
    scheduled_start = UTCDateTime(required=True)
    lesson_type = fields.String(load_default="private", validate=validate.OneOf(LESSON_TYPES))
    makeup_credit = fields.UUID(metadata={"description": "A make-up credit this (makeup) lesson uses."})

    @validates_schema
    def needs_end_and_student(self, data, **kwargs):
        if "scheduled_end" not in data and "duration_minutes" not in data:
            raise ValidationError("Send scheduled_end or duration_minutes.", "scheduled_end")
        if "student" not in data and "students" not in data:
            raise ValidationError("Choose a student.", "student")


class LessonUpdateSchema(LessonWriteSchema):
    apply_to = fields.String(load_default="this", validate=validate.OneOf(("this", "following")), metadata={
        "description": "For lessons of a recurring pattern: `this` lesson only, or this and "
                       "all `following` untouched lessons (changes the pattern)."})


class CancelSchema(BaseSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    initiated_by = fields.String(
        load_default="family", validate=validate.OneOf(("family", "studio")), metadata={
        "description": "`family` (the default) applies the studio's late-cancellation policy; "
                       "`studio` never charges."})


class RescheduleSchema(BaseSchema):
    scheduled_start = UTCDateTime(required=True)
    scheduled_end = UTCDateTime(metadata={"description": "Defaults to the same length as before."})
    teacher = fields.UUID()
    room = fields.UUID(allow_none=True)


class AttendanceItemSchema(BaseSchema):
    student = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("present", "absent", "excused")))


class CompleteSchema(BaseSchema):
    attendance = fields.List(fields.Nested(AttendanceItemSchema), load_default=list,
                             validate=validate.Length(max=50), metadata={
                                 "description": "Per-student attendance (group lessons); "
                                                "students not named were present."})


class CalendarQuerySchema(BaseSchema):
    start = LocalDate(required=True, metadata={"description": "First date (studio time)."})
    end = LocalDate(required=True, metadata={
        "description": "Last date, inclusive; at most 62 days after start."})
    teacher = fields.UUID()
    student = fields.UUID()
    room = fields.UUID()


class CalendarEventSchema(LessonSchema):
    title = fields.String(dump_only=True, metadata={"description": "The students' names."})
    start = UTCDateTime(attribute="start_at", dump_only=True)
    end = UTCDateTime(attribute="end_at", dump_only=True)
    color = fields.String(attribute="teacher.calendar_color", dump_only=True)


# ---------------------------------------------------------------- lessons as plain dicts

class _Formatted(dict):
    """A field's output per value, each distinct value formatted once (a studio's week
    repeats a few hundred times and rates)."""

    def __init__(self, field):
        super().__init__({None: None})
        self.field = field

    def __missing__(self, value):
        self[value] = text = self.field._serialize(value, None, None)
        return text


def _full_name(first_name, last_name):
    return f"{first_name} {last_name}".strip()


class LessonDicts:
    """What LessonSchema and CalendarEventSchema dump, built straight from the rows of
    `services.lesson_rows_between` (ids are text already): marshmallow needs about a second
    for a busy studio's week.

    Keep in step with the schemas; tests/scheduling/test_calendar_api.py compares the two.
    """

    def __init__(self):
        self.show_rate = policies.may_see_rate()
        self.moments, self.amounts = _Formatted(UTCDateTime()), _Formatted(Money())
        self.days = _Formatted(fields.Date())
        self.teachers, self.rooms = {}, {}

    def lesson(self, row, attendees):
        moments = self.moments
        data = {
            "id": row.id,
            "teacher": self.teacher(row),
            "student": self.student(row),
            "students": [{
                "id": attendee.attendee_id,
                "first_name": attendee.attendee_first_name,
                "last_name": attendee.attendee_last_name,
                "full_name": _full_name(attendee.attendee_first_name, attendee.attendee_last_name),
                "attendance": attendee.attendance,
            } for attendee in attendees],
            "scheduled_start": moments[row.start_at],
            "scheduled_end": moments[row.end_at],
            "duration_minutes": int((row.end_at - row.start_at).total_seconds() // 60),
            "location": row.room_name if row.room_name is not None else (
                row.location or ("Online" if row.online_url else None)),  # Lesson.place, or null
            "room": self.room(row),
            "online_url": row.online_url,
            "lesson_type": row.lesson_type,
            "status": row.status,
            "rate": self.amounts[row.rate],
            "notes": row.notes,
            "recurring_pattern": row.series_id,
            "occurrence_date": self.days[row.occurrence_date],
            "rescheduled_from": row.rescheduled_from_id,
            "cancellation_reason": row.cancellation_reason,
            "cancelled_at": moments[row.cancelled_at],
            "cancelled_by": row.cancelled_by_id,
            "cancellation_outcome": row.cancellation_outcome,
            "attendance_taken_at": moments[row.attendance_taken_at],
            "is_billed": row.is_billed,
            "created_at": moments[row.created_at],
            "updated_at": moments[row.updated_at],
        }  # `warnings` only answers writes
        if not self.show_rate:
            del data["rate"]
        return data

    def event(self, row, attendees):
        data = self.lesson(row, attendees)
        data["title"] = ", ".join([student["full_name"] for student in data["students"]]) or "No students"
        data["start"], data["end"] = data["scheduled_start"], data["scheduled_end"]
        data["color"] = row.teacher_color
        return data

    def teacher(self, row):
        teacher = self.teachers.get(row.teacher_id)
        if teacher is None:
            teacher = self.teachers[row.teacher_id] = {
                "id": row.teacher_id,
                "first_name": row.teacher_first_name,
                "last_name": row.teacher_last_name,
                "full_name": _full_name(row.teacher_first_name, row.teacher_last_name) or row.teacher_email,
                "email": row.teacher_email,
                "calendar_color": row.teacher_color,
            }
        return teacher

    @staticmethod
    def student(row):
        if row.student_first_name is None:  # no one student (a group lesson)
            return None
        return {
            "id": row.student_id,
            "first_name": row.student_first_name,
            "last_name": row.student_last_name,
            "full_name": _full_name(row.student_first_name, row.student_last_name),
            "instrument": row.student_instrument,
        }

    def room(self, row):
        if row.room_name is None:
            return None
        room = self.rooms.get(row.room_id)
        if room is None:
            room = self.rooms[row.room_id] = {"id": row.room_id, "name": row.room_name}
        return room


def calendar_events(rows):
    """CalendarEventSchema's dump of each of `services.lesson_rows_between`'s rows, in turn."""
    dicts = LessonDicts()
    return (dicts.event(lesson, attendees) for lesson, attendees in rows)


# ---------------------------------------------------------------- recurring patterns

class RecurringPatternSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    teacher = fields.Nested(TeacherRefSchema, dump_only=True)
    student = fields.Nested(StudentRefSchema, dump_only=True)
    frequency = fields.String(dump_only=True)
    day_of_week = Weekday(dump_only=True)
    time = fields.Time(attribute="start_time", dump_only=True, metadata={
        "description": "Wall-clock time in the studio's timezone."})
    duration_minutes = fields.Integer(dump_only=True)
    start_date = fields.Date(dump_only=True)
    end_date = fields.Date(dump_only=True, allow_none=True)
    room = fields.Nested(RoomRefSchema, dump_only=True, allow_none=True)
    location = fields.String(dump_only=True)
    online_url = fields.String(dump_only=True)
    lesson_type = fields.String(dump_only=True)
    rate = Money(dump_only=True, allow_none=True)
    notes = fields.String(dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    generated_until = fields.Date(dump_only=True, allow_none=True, metadata={
        "description": "Lessons exist up to this date; a daily job extends open-ended patterns."})
    ended_at = UTCDateTime(dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)
    lessons_created = fields.Integer(dump_only=True, metadata={"description": "On create only."})
    warnings = fields.List(fields.String(), dump_only=True, metadata={
        "description": "On create: things to know, such as lessons outside the teacher's availability."})

    @post_dump
    def hide_rate(self, data, **kwargs):
        if not policies.may_see_rate():
            data.pop("rate", None)
        return data


RecurringPatternPageSchema = page_schema(RecurringPatternSchema)


class RecurringPatternFieldsSchema(BaseSchema):
    teacher = fields.UUID()
    frequency = fields.String(validate=validate.OneOf(FREQUENCIES))
    day_of_week = Weekday(metadata={"description": "\"monday\" … \"sunday\"."})
    time = fields.Time(metadata={"description": "Wall-clock start time, like \"16:00:00\"."})
    duration_minutes = fields.Integer(strict=True, validate=DURATION)
    end_date = fields.Date(allow_none=True)
    room = fields.UUID(allow_none=True)
    location = fields.String(validate=TEXT)
    online_url = fields.String(validate=URL)
    lesson_type = fields.String(validate=validate.OneOf([t for t in LESSON_TYPES if t != "makeup"]))
    rate = Money(allow_none=True, metadata={"description": "Admins only."})
    notes = fields.String(validate=NOTES)


class RecurringPatternCreateSchema(RecurringPatternFieldsSchema):
    teacher = fields.UUID(required=True)
    student = fields.UUID(required=True)
    frequency = fields.String(load_default="weekly", validate=validate.OneOf(FREQUENCIES))
    day_of_week = Weekday(required=True, metadata={"description": "\"monday\" … \"sunday\"."})
    time = fields.Time(required=True, metadata={"description": "Wall-clock start time, like \"16:00:00\"."})
    duration_minutes = fields.Integer(required=True, strict=True, validate=DURATION)
    start_date = fields.Date(required=True)
    lesson_type = fields.String(load_default="private",
                                validate=validate.OneOf([t for t in LESSON_TYPES if t != "makeup"]))


class RecurringPatternUpdateSchema(RecurringPatternFieldsSchema):
    effective_from = fields.Date(metadata={
        "description": "Change lessons from this date on (default: today)."})


class RecurringPatternListQuerySchema(ListQuerySchema):
    teacher = fields.UUID()
    student = fields.UUID()
    is_active = fields.Boolean()


# ---------------------------------------------------------------- rooms, reservations, closures

class RoomSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    capacity = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 10000))
    equipment = fields.List(fields.String(validate=validate.Length(max=80)),
                            validate=validate.Length(max=50))
    description = fields.String(validate=validate.Length(max=2000))
    is_bookable = fields.Boolean(metadata={
        "description": "Students and teachers may reserve it for practice."})
    is_active = fields.Boolean()
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class RoomUpdateSchema(RoomSchema):
    name = fields.String(validate=validate.Length(min=1, max=80))


RoomPageSchema = page_schema(RoomSchema)


class RoomListQuerySchema(ListQuerySchema):
    is_bookable = fields.Boolean()
    is_active = fields.Boolean()


class ReservationSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    room = fields.Nested(RoomRefSchema, dump_only=True)
    user = fields.Nested(UserRefSchema, dump_only=True)
    start_time = UTCDateTime(attribute="start_at", dump_only=True)
    end_time = UTCDateTime(attribute="end_at", dump_only=True)
    notes = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"description": ", ".join(RESERVATION_STATUSES)})
    cancelled_at = UTCDateTime(dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


ReservationPageSchema = page_schema(ReservationSchema)


class ReservationCreateSchema(BaseSchema):
    room = fields.UUID(required=True)
    start_time = UTCDateTime(required=True)
    end_time = UTCDateTime(required=True)
    notes = fields.String(load_default="", validate=validate.Length(max=500))


class ReservationUpdateSchema(BaseSchema):
    start_time = UTCDateTime()
    end_time = UTCDateTime(metadata={"description": "Defaults to the same length as before."})
    notes = fields.String(validate=validate.Length(max=500))


class ReservationListQuerySchema(ListQuerySchema):
    room = fields.UUID()
    status = fields.String(validate=validate.OneOf(RESERVATION_STATUSES))
    mine = fields.Boolean(metadata={"description": "Only your own reservations."})
    start_date = LocalDate()
    end_date = LocalDate()


class ClosureSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class ClosureUpdateSchema(ClosureSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    start_date = fields.Date()
    end_date = fields.Date()


class ClosureCreateSchema(ClosureSchema):
    cancel_lessons = fields.Boolean(load_default=True, load_only=True, metadata={
        "description": "Cancel the scheduled lessons on these days (no charge). Default true."})


ClosurePageSchema = page_schema(ClosureSchema)


class ClosureListQuerySchema(ListQuerySchema):
    start_date = LocalDate(metadata={"description": "Closures ending on or after this date."})
    end_date = LocalDate(metadata={"description": "Closures starting on or before this date."})


# ---------------------------------------------------------------- slots, requests, credits, feeds

class FreeSlotQuerySchema(BaseSchema):
    start_date = LocalDate(required=True)
    end_date = LocalDate(required=True, metadata={
        "description": "Inclusive; at most 31 days after start_date."})
    duration = fields.Integer(required=True, strict=False, validate=DURATION, metadata={
        "description": "Lesson length in minutes."})
    step = fields.Integer(load_default=30, strict=False, validate=validate.Range(5, 240), metadata={
        "description": "Minutes between candidate start times."})


class SlotSchema(BaseSchema):
    start = UTCDateTime(dump_only=True)
    end = UTCDateTime(dump_only=True)


class FreeSlotsSchema(BaseSchema):
    teacher = fields.UUID(dump_only=True)
    duration_minutes = fields.Integer(dump_only=True)
    availability_defined = fields.Boolean(dump_only=True, metadata={
        "description": "False when the teacher has no availability windows: 09:00–21:00 is searched."})
    slots = fields.List(fields.Nested(SlotSchema), dump_only=True)


class CancellationRequestSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    lesson = fields.Nested(LessonSchema, dump_only=True)
    requested_by = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    response = fields.String(dump_only=True)
    reviewed_at = UTCDateTime(dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


CancellationRequestPageSchema = page_schema(CancellationRequestSchema)


class CancellationRequestCreateSchema(BaseSchema):
    lesson = fields.UUID(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ReviewSchema(BaseSchema):
    response = fields.String(load_default="", validate=validate.Length(max=500))


class CancellationRequestListQuerySchema(ListQuerySchema):
    status = fields.String(validate=validate.OneOf(("pending", "approved", "declined")))
    lesson = fields.UUID()


class MakeupCreditSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    student = fields.Nested(StudentRefSchema, dump_only=True)
    family = fields.UUID(attribute="family_id", dump_only=True)
    source_lesson = fields.UUID(attribute="source_lesson_id", dump_only=True, allow_none=True)
    used_by_lesson = fields.UUID(attribute="used_by_lesson_id", dump_only=True, allow_none=True)
    expires_at = UTCDateTime(dump_only=True)
    used_at = UTCDateTime(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True, metadata={"description": "available, used or expired"})
    created_at = UTCDateTime(dump_only=True)


MakeupCreditPageSchema = page_schema(MakeupCreditSchema)


class MakeupCreditListQuerySchema(ListQuerySchema):
    student = fields.UUID()
    status = fields.String(validate=validate.OneOf(("available", "used", "expired")))


class CalendarFeedSchema(BaseSchema):
    active = fields.Boolean(dump_only=True)
    url = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "The private subscription URL; returned once, when created."})
    webcal_url = fields.String(dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True, allow_none=True)
    last_used_at = UTCDateTime(dump_only=True, allow_none=True)


class EmptySchema(BaseSchema):
    """Actions without a body (an empty JSON object is fine)."""
