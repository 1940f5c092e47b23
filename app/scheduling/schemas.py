"""API schemas for lessons, recurring patterns, rooms, reservations, closures and feeds.

Responses use the reference's shapes (`scheduled_start`, `scheduled_end`, `location`,
`lesson_type`, nested `teacher` and `student`); requests refer to others by id. Lesson
rates are shown to managers and parents only (what families pay).
"""
from datetime import datetime
from functools import cache

from marshmallow import ValidationError, fields, post_dump, validate, validates_schema

from app.core.pagination import ListQuerySchema, ordering_field, page_schema
from app.core.schemas import (
    URL,
    BaseSchema,
    ClockTime,
    Money,
    QueryBoolean,
    StrictBoolean,
    StudentRefSchema,
    TeacherRefSchema,
    UserRefSchema,
    UTCDateTime,
)
from app.scheduling import policies
from app.scheduling.models import (
    ATTENDANCE,
    FREQUENCIES,
    LESSON_STATUSES,
    LESSON_TYPES,
    RESERVATION_STATUSES,
    WEEKDAYS,
    Lesson,
)
from app.scheduling.services.queries import LessonRow

TEXT = validate.Length(max=200)
NOTES = validate.Length(max=5000)
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

    NAMES = {name: index for index, day in enumerate(WEEKDAYS) for name in (day, day[:3])}

    def openapi_properties(self, converter):
        if self.dump_only:
            return {"type": "string", "enum": list(WEEKDAYS)}
        return {"anyOf": [{"type": "string", "enum": list(self.NAMES)},
                          {"type": "integer", "minimum": 0, "maximum": 6}]}

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else WEEKDAYS[value]

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
            return value
        if isinstance(value, str) and value in self.NAMES:
            return self.NAMES[value]
        raise ValidationError("Use a day name from \"monday\" to \"sunday\".")


# ---------------------------------------------------------------- references

class RoomRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)


class AttendeeSchema(BaseSchema):
    """A student of a lesson. Parents and students see another family's child by first name
    only (id null, last name empty, attendance null), or not at all (the studio's
    `classmate_names` setting)."""

    id = fields.UUID(dump_only=True, allow_none=True, metadata={"description": "The student's id."})
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    attendance = fields.String(dump_only=True, allow_none=True,
                               metadata={"description": ", ".join(ATTENDANCE)})


# ---------------------------------------------------------------- lessons

class LessonSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    teacher = fields.Nested(TeacherRefSchema, dump_only=True)
    student = fields.Nested(StudentRefSchema, dump_only=True, allow_none=True, metadata={
        "description": "The student of a one-student lesson; null for group lessons."})
    students = fields.List(fields.Nested(AttendeeSchema), attribute="attendees", dump_only=True,
                           metadata={"description": "Every student you may see, with their attendance."})
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
    is_billed = StrictBoolean(dump_only=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)
    warnings = fields.List(fields.String(), dump_only=True, metadata={
        "description": "Present on writes: things to know, such as a booking outside the "
                       "teacher's availability. The lesson is booked all the same."})

    def get_attribute(self, obj, attr, default):
        if attr == "attendees" and isinstance(obj, Lesson):
            return policies.attendee_view().students(obj)
        if attr == "title" and isinstance(obj, Lesson):
            return policies.attendee_view().title(obj)
        return super().get_attribute(obj, attr, default)

    def get_location(self, lesson):
        return lesson.place or None

    @post_dump
    def hide_rate(self, data, **kwargs):
        if not policies.may_see_lesson_rate():
            data.pop("rate", None)
        return data


LessonPageSchema = page_schema(LessonSchema)


class LessonListQuerySchema(ListQuerySchema):
    ordering = ordering_field("scheduled_start", "status", "created_at")
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
    online_url = URL()
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
    scheduled_end = UTCDateTime(metadata={
        "description": "Without it (and without `duration_minutes`) the lesson lasts the "
                       "student's default lesson length; for `students`, the first one's."})
    rate = Money(allow_none=True, metadata={
        "description": "Admins only. Defaults by the studio's pricing rule, pro rata by minutes: "
                       "the student's default lesson rate is for their default lesson length "
                       "(45 minutes at 45.00 makes a 30-minute lesson 30.00); without one, the "
                       "teacher's hourly rate. Rounded half-up to the cent. A group lesson has "
                       "no default rate."})
    lesson_type = fields.String(validate=validate.OneOf(LESSON_TYPES), metadata={
        "description": "Default: the student's usual lesson (`default_lesson_type`, private or "
                       "group); with several `students`, group."})
    makeup_credit = fields.UUID(metadata={"description": "A make-up credit this (makeup) lesson uses."})

    @validates_schema
    def needs_student(self, data, **kwargs):
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


LESSON_ROW_FIELDS = frozenset(LessonRow._fields)


class LessonDicts:
    """What `schema` (LessonSchema, or CalendarEventSchema for the calendar) dumps, built
    straight from the rows of `services.lesson_rows_between` (ids are text already):
    marshmallow needs about a second for a busy studio's week.

    The fields, their keys, order and formats come from the schema itself: a field whose
    attribute is a column of the rows is read (and formatted by the schema's own field unless
    it is plain text); the others are built by the method named after them (`_teacher`,
    `_location`...). A schema field that is neither stops the first use with a LookupError,
    so a field added to the schema cannot be left out here. The dict of one lesson is made
    by a function written once per use from that list, as fast as one written by hand.
    tests/scheduling/test_calendar_api.py compares both paths over every kind of lesson.
    """

    ANSWERS_WRITES_ONLY = frozenset({"warnings"})
    PLAIN = (fields.String, fields.UUID, fields.Boolean, fields.Integer)  # rows hold them as shown

    def __init__(self, schema=None):
        schema = schema or LessonSchema
        hidden = self.ANSWERS_WRITES_ONLY | ({"rate"} if not policies.may_see_lesson_rate() else set())
        self.teachers, self.rooms = {}, {}
        self.attendees = policies.attendee_view()
        self.dump = self._compile(schema, hidden)

    def _compile(self, schema, hidden):
        """dump(row, attendees) -> the schema's dict of that lesson."""
        namespace, entries = {}, []
        for name, field in _dump_fields(schema).items():
            if name in hidden:
                continue
            built = getattr(self, f"_{name}", None)
            if built is not None:
                namespace[f"build_{name}"] = built
                value = f"build_{name}(row, attendees)"
            else:
                column = field.attribute or name
                if column not in LESSON_ROW_FIELDS:
                    raise LookupError(f"LessonDicts cannot build {schema.__name__}.{name}: add its column "
                                      f"to services.queries.LESSON_COLUMNS or a `_{name}` method.")
                value = f"row.{column}"
                if type(field) not in self.PLAIN:
                    namespace[f"format_{name}"] = _Formatted(field)
                    value = f"format_{name}[{value}]"
            entries.append(f"{field.data_key or name!r}: {value}")
        source = "def dump(row, attendees):\n    return {" + ", ".join(entries) + "}\n"
        # Written only from the schema's field names and the rows' column names (identifiers).
        exec(compile(source, f"<LessonDicts {schema.__name__}>", "exec"), namespace)  # noqa: S102 # nosec B102
        return namespace["dump"]

    def _teacher(self, row, attendees):
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
    def _student(row, attendees):
        if row.student_first_name is None:  # no one student (a group lesson)
            return None
        return {
            "id": row.student_id,
            "first_name": row.student_first_name,
            "last_name": row.student_last_name,
            "full_name": _full_name(row.student_first_name, row.student_last_name),
            "instrument": row.student_instrument,
        }

    def _students(self, row, attendees):
        """The attendees as the caller may see them (policies.AttendeeView: families see other
        children by first name only, or not at all)."""
        shown = (self.attendees.attendee(a.attendee_id, a.attendee_first_name, a.attendee_last_name,
                                         a.attendance) for a in attendees)
        return [attendee for attendee in shown if attendee is not None]

    def _room(self, row, attendees):
        if row.room_name is None:
            return None
        room = self.rooms.get(row.room_id)
        if room is None:
            room = self.rooms[row.room_id] = {"id": row.room_id, "name": row.room_name}
        return room

    @staticmethod
    def _duration_minutes(row, attendees):
        return int((row.end_at - row.start_at).total_seconds() // 60)

    @staticmethod
    def _location(row, attendees):  # Lesson.place, or null
        if row.room_name is not None:
            return row.room_name
        return row.location or ("Online" if row.online_url else None)

    def _title(self, row, attendees):
        return self.attendees.title(students=self._students(row, attendees))

    @staticmethod
    def _color(row, attendees):
        return row.teacher_color


@cache
def _dump_fields(schema):
    """The fields `schema` dumps, in its order (one instance per schema class)."""
    return dict(schema().dump_fields)


def lesson_dicts(rows):
    """LessonSchema's dump of each (lesson, attendees) of `services.lesson_rows`, in turn."""
    dicts = LessonDicts()
    return [dicts.dump(lesson, attendees) for lesson, attendees in rows]


def calendar_events(rows):
    """CalendarEventSchema's dump of each of `services.lesson_rows_between`'s rows, in turn."""
    dicts = LessonDicts(CalendarEventSchema)
    return (dicts.dump(lesson, attendees) for lesson, attendees in rows)


# ---------------------------------------------------------------- recurring patterns

class RecurringPatternSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    teacher = fields.Nested(TeacherRefSchema, dump_only=True)
    student = fields.Nested(StudentRefSchema, dump_only=True)
    frequency = fields.String(dump_only=True)
    day_of_week = Weekday(dump_only=True)
    time = ClockTime(attribute="start_time", dump_only=True, metadata={
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
    is_active = StrictBoolean(dump_only=True)
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
        if not policies.may_see_lesson_rate():
            data.pop("rate", None)
        return data


RecurringPatternPageSchema = page_schema(RecurringPatternSchema)


class RecurringPatternFieldsSchema(BaseSchema):
    teacher = fields.UUID()
    frequency = fields.String(validate=validate.OneOf(FREQUENCIES))
    day_of_week = Weekday(metadata={"description": "\"monday\" … \"sunday\"."})
    time = ClockTime(metadata={"description": "Wall-clock start time, like \"16:00:00\"."})
    duration_minutes = fields.Integer(strict=True, validate=DURATION)
    end_date = fields.Date(allow_none=True)
    room = fields.UUID(allow_none=True)
    location = fields.String(validate=TEXT)
    online_url = URL()
    lesson_type = fields.String(validate=validate.OneOf([t for t in LESSON_TYPES if t != "makeup"]))
    rate = Money(allow_none=True, metadata={"description": "Admins only."})
    notes = fields.String(validate=NOTES)


class RecurringPatternCreateSchema(RecurringPatternFieldsSchema):
    teacher = fields.UUID(required=True)
    student = fields.UUID(required=True)
    frequency = fields.String(load_default="weekly", validate=validate.OneOf(FREQUENCIES))
    day_of_week = Weekday(required=True, metadata={"description": "\"monday\" … \"sunday\"."})
    time = ClockTime(required=True, metadata={"description": "Wall-clock start time, like \"16:00:00\"."})
    duration_minutes = fields.Integer(required=True, strict=True, validate=DURATION)
    start_date = fields.Date(required=True)
    lesson_type = fields.String(validate=validate.OneOf([t for t in LESSON_TYPES if t != "makeup"]),
                                metadata={"description": "Default: the student's usual lesson "
                                                         "(`default_lesson_type`)."})


class RecurringPatternUpdateSchema(RecurringPatternFieldsSchema):
    effective_from = fields.Date(metadata={
        "description": "Change lessons from this date on (default: today)."})


class RecurringPatternListQuerySchema(ListQuerySchema):
    ordering = ordering_field("start_date", "day_of_week", "created_at")
    teacher = fields.UUID()
    student = fields.UUID()
    is_active = QueryBoolean()


# ---------------------------------------------------------------- rooms, reservations, closures

class RoomSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    capacity = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 10000))
    equipment = fields.List(fields.String(validate=validate.Length(max=80)),
                            validate=validate.Length(max=50))
    description = fields.String(validate=validate.Length(max=2000))
    is_bookable = StrictBoolean(metadata={
        "description": "Students and teachers may reserve it for practice."})
    is_active = StrictBoolean()
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class RoomUpdateSchema(RoomSchema):
    name = fields.String(validate=validate.Length(min=1, max=80))


RoomPageSchema = page_schema(RoomSchema)


class RoomListQuerySchema(ListQuerySchema):
    ordering = ordering_field("name", "capacity", "created_at")
    is_bookable = QueryBoolean()
    is_active = QueryBoolean()


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
    ordering = ordering_field("start_time", "created_at")
    room = fields.UUID()
    status = fields.String(validate=validate.OneOf(RESERVATION_STATUSES))
    mine = QueryBoolean(metadata={"description": "Only your own reservations."})
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
    cancel_lessons = StrictBoolean(load_default=True, load_only=True, metadata={
        "description": "Cancel the scheduled lessons on these days (no charge). Default true."})


ClosurePageSchema = page_schema(ClosureSchema)


class ClosureListQuerySchema(ListQuerySchema):
    ordering = ordering_field("start_date", "name", "created_at")
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
    availability_defined = StrictBoolean(dump_only=True, metadata={
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
    ordering = ordering_field("created_at")
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
    ordering = ordering_field("expires_at", "created_at")
    student = fields.UUID()
    family = fields.UUID(metadata={
        "description": "A family's credits; with status=available, `count` is its balance."})
    status = fields.String(validate=validate.OneOf(("available", "used", "expired")))


class CalendarFeedSchema(BaseSchema):
    active = StrictBoolean(dump_only=True)
    url = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "The private subscription URL; returned once, when created."})
    webcal_url = fields.String(dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True, allow_none=True)
    last_used_at = UTCDateTime(dump_only=True, allow_none=True)


class EmptySchema(BaseSchema):
    """Actions without a body (an empty JSON object is fine)."""
