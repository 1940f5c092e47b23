"""API schemas for lesson notes, goals, lesson plans and practice logs.

Shapes follow the reference: `topics_covered`, `assignments`, `strengths`, `challenges` are
lists of strings; goals carry `progress_percentage`. Objects are referred to by id on input
(`"lesson": "<id>"`) and shown as small nested objects on output.
"""
from marshmallow import fields, post_dump, validate

from app.core.pagination import ListQuerySchema, ordering_field, page_schema
from app.core.schemas import (
    BaseSchema,
    QueryBoolean,
    StrictBoolean,
    StudentRefSchema,
    TeacherRefSchema,
    UserRefSchema,
    UTCDateTime,
)
from app.library import services as library
from app.teaching import policies
from app.teaching.models import GOAL_STATUSES, MAX_PRACTICE_MINUTES

ITEM = fields.String(validate=validate.Length(max=300))
ITEMS = {"validate": validate.Length(max=30)}
STRICT_INT = {"strict": True}


class LessonRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    scheduled_start = UTCDateTime(attribute="start_at", dump_only=True)
    scheduled_end = UTCDateTime(attribute="end_at", dump_only=True)
    status = fields.String(dump_only=True)


# ---------------------------------------------------------------- lesson notes

class LessonNoteSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    lesson = fields.Nested(LessonRefSchema, dump_only=True)
    student = fields.Nested(StudentRefSchema, dump_only=True)
    teacher = fields.Nested(TeacherRefSchema, dump_only=True)
    author = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    summary = fields.String(dump_only=True, metadata={"description": "Markdown."})
    topics_covered = fields.List(fields.String(), dump_only=True)
    assignments = fields.List(fields.String(), dump_only=True)
    strengths = fields.List(fields.String(), dump_only=True)
    challenges = fields.List(fields.String(), dump_only=True)
    practice_target_minutes = fields.Integer(dump_only=True, allow_none=True, metadata={
        "description": "Minutes a week the assignments ask for."})
    visible_to_student = StrictBoolean(dump_only=True, metadata={
        "description": "Shown to staff only (families see only notes shown to them)."})
    visible_to_parent = StrictBoolean(dump_only=True)
    resources = fields.Method("_resources", dump_only=True, metadata={
        "description": "Attached library resources the caller may open.",
        "type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "title": {"type": "string"},
            "resource_type": {"type": "string"}}}})
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)

    def _resources(self, note):
        return [{"id": str(r.id), "title": r.title, "resource_type": r.resource_type}
                for r in library.attached_to_note(note)]

    @post_dump
    def hide_flags(self, data, **kwargs):
        if not policies.may_see_visibility_flags():
            data.pop("visible_to_student", None)
            data.pop("visible_to_parent", None)
        return data


class LessonNoteFieldsSchema(BaseSchema):
    summary = fields.String(validate=validate.Length(min=1, max=10_000), metadata={
        "description": "What happened, in Markdown (rendered safely; HTML is not kept)."})
    topics_covered = fields.List(ITEM, **ITEMS)
    assignments = fields.List(ITEM, **ITEMS)
    strengths = fields.List(ITEM, **ITEMS)
    challenges = fields.List(ITEM, **ITEMS)
    practice_target_minutes = fields.Integer(
        allow_none=True, validate=validate.Range(1, MAX_PRACTICE_MINUTES * 7), **STRICT_INT,
        metadata={"description": "Weekly practice minutes the assignments ask for."})
    visible_to_student = StrictBoolean()
    visible_to_parent = StrictBoolean()
    resources = fields.List(fields.UUID(), validate=validate.Length(max=20), metadata={
        "description": "Ids of library resources to attach (the whole list; `[]` detaches "
                       "all). A private resource attached is shared with the note's student."})


class LessonNoteCreateSchema(LessonNoteFieldsSchema):
    lesson = fields.UUID(required=True, metadata={
        "description": "A lesson you teach (admins: any lesson)."})
    student = fields.UUID(metadata={
        "description": "The student the note is about; needed for group lessons only."})
    summary = fields.String(required=True, validate=validate.Length(min=1, max=10_000),
                            metadata={"description": "Markdown."})


class LessonNoteListQuerySchema(ListQuerySchema):
    ordering = ordering_field("created_at", "updated_at")
    lesson = fields.UUID()
    student = fields.UUID()
    teacher = fields.UUID(metadata={"description": "Teacher profile id."})


# ---------------------------------------------------------------- goals

class GoalProgressSchema(BaseSchema):
    progress = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    note = fields.String(dump_only=True)
    recorded_by = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    recorded_at = UTCDateTime(dump_only=True)


class GoalSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    student = fields.Nested(StudentRefSchema, dump_only=True)
    title = fields.String(dump_only=True)
    description = fields.String(dump_only=True)
    target_date = fields.Date(dump_only=True, allow_none=True)
    progress_percentage = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True, metadata={"description": ", ".join(GOAL_STATUSES)})
    achieved_at = UTCDateTime(dump_only=True, allow_none=True)
    progress_history = fields.List(fields.Nested(GoalProgressSchema), attribute="history",
                                   dump_only=True, metadata={"description": "Newest first."})
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class GoalFieldsSchema(BaseSchema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=5000))
    target_date = fields.Date(allow_none=True)
    progress_percentage = fields.Integer(validate=validate.Range(0, 100), **STRICT_INT)
    status = fields.String(validate=validate.OneOf(GOAL_STATUSES), metadata={
        "description": "`achieved` sets `achieved_at` (and 100%); reaching 100% achieves it."})


class GoalCreateSchema(GoalFieldsSchema):
    student = fields.UUID(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))


class GoalUpdateSchema(GoalFieldsSchema):
    progress_note = fields.String(load_only=True, validate=validate.Length(max=500), metadata={
        "description": "Kept with this step of the progress history."})


class GoalListQuerySchema(ListQuerySchema):
    ordering = ordering_field("title", "target_date", "progress_percentage", "created_at")
    student = fields.UUID()
    status = fields.String(validate=validate.OneOf(GOAL_STATUSES))


# ---------------------------------------------------------------- lesson plans

class LessonPlanSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    title = fields.String(dump_only=True)
    specialty = fields.String(dump_only=True)
    content = fields.String(dump_only=True, metadata={"description": "Markdown."})
    is_public = StrictBoolean(dump_only=True, metadata={
        "description": "Public plans are shared with the studio's teachers; private ones are "
                       "for their author (and admins)."})
    author = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    resources = fields.Method("_resources", dump_only=True, metadata={
        "description": "Attached library resources.",
        "type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "title": {"type": "string"},
            "resource_type": {"type": "string"}}}})
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)

    def _resources(self, plan):
        return [{"id": str(r.id), "title": r.title, "resource_type": r.resource_type}
                for r in library.attached_to_plan(plan)]


class LessonPlanFieldsSchema(BaseSchema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    specialty = fields.String(validate=validate.Length(max=60), metadata={
        "description": "Instrument or specialty, e.g. \"piano\"."})
    content = fields.String(validate=validate.Length(max=50_000), metadata={"description": "Markdown."})
    is_public = StrictBoolean()
    resources = fields.List(fields.UUID(), validate=validate.Length(max=20), metadata={
        "description": "Ids of library resources to attach (the whole list; `[]` detaches all)."})


class LessonPlanCreateSchema(LessonPlanFieldsSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LessonPlanListQuerySchema(ListQuerySchema):
    ordering = ordering_field("title", "specialty", "created_at", "updated_at")
    specialty = fields.String(validate=validate.Length(max=60))
    is_public = QueryBoolean()


class LessonPlanAttachSchema(BaseSchema):
    lesson = fields.UUID(required=True, metadata={"description": "A lesson you teach."})


class LessonPlanAttachmentSchema(BaseSchema):
    lesson = fields.UUID(attribute="lesson_id", dump_only=True)
    lesson_plan = fields.UUID(attribute="plan_id", dump_only=True)
    attached_at = UTCDateTime(attribute="created_at", dump_only=True)


# ---------------------------------------------------------------- practice logs

class PracticeLogSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    student = fields.Nested(StudentRefSchema, dump_only=True)
    date = fields.Date(attribute="practice_date", dump_only=True)
    minutes = fields.Integer(dump_only=True)
    pieces = fields.List(fields.String(), dump_only=True)
    note = fields.String(dump_only=True)
    recorded_by = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class PracticeLogFieldsSchema(BaseSchema):
    date = fields.Date(metadata={"description": "Studio-local day; not in the future."})
    minutes = fields.Integer(validate=validate.Range(1, MAX_PRACTICE_MINUTES), **STRICT_INT)
    pieces = fields.List(fields.String(validate=validate.Length(max=200)), validate=validate.Length(max=20))
    note = fields.String(validate=validate.Length(max=1000))


class PracticeLogCreateSchema(PracticeLogFieldsSchema):
    student = fields.UUID(required=True)
    date = fields.Date(required=True, metadata={"description": "Studio-local day; not in the future."})
    minutes = fields.Integer(required=True, validate=validate.Range(1, MAX_PRACTICE_MINUTES), **STRICT_INT)


class PracticeLogListQuerySchema(ListQuerySchema):
    ordering = ordering_field("date", "minutes", "created_at")
    student = fields.UUID()
    start_date = fields.Date(metadata={"description": "Inclusive, studio-local."})
    end_date = fields.Date(metadata={"description": "Inclusive, studio-local."})


LessonNotePageSchema = page_schema(LessonNoteSchema)
GoalPageSchema = page_schema(GoalSchema)
LessonPlanPageSchema = page_schema(LessonPlanSchema)
PracticeLogPageSchema = page_schema(PracticeLogSchema)
