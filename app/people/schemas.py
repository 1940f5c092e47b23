"""API schemas for teachers, availability, families, guardians and students.

Output schemas hide fields per role (see app/people/policies.py): hourly rates are for
managers and the teacher themself; family billing fields and lesson rates for managers and
parents; staff notes for staff. Input schemas are the fields a caller may send; services
enforce who may change what.
"""
from flask import g
from marshmallow import ValidationError, fields, missing, post_dump, post_load, validate, validates_schema

from app.core.pagination import ListQuerySchema, ordering_field, page_schema
from app.core.schemas import (
    BaseSchema,
    ClockTime,
    EmailAddress,
    Money,
    QueryBoolean,
    StrictBoolean,
    UTCDateTime,
)
from app.core.tenancy import parse_uuid
from app.people import policies
from app.people.models import USUAL_LESSON_TYPES, WEEKDAYS
from app.people.services import family_balance

TAG_LIST = {"validate": validate.Length(max=20)}
TAG = fields.String(validate=validate.Length(max=60))
BALANCES_KEY = "people_family_balances"
COLOR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Use a colour like #5b3cc4.")


class PersonSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    email = fields.String(dump_only=True)
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)


class NewUserSchema(BaseSchema):
    """A login to create (with `password`) or to invite by email (without)."""

    email = EmailAddress(required=True)
    first_name = fields.String(load_default="", validate=validate.Length(max=80))
    last_name = fields.String(load_default="", validate=validate.Length(max=80))
    password = fields.String(load_only=True, validate=validate.Length(max=256), metadata={
        "description": "Creates the login now. Without it, the person is invited by email."})


class NewTeacherUserSchema(NewUserSchema):
    """A new teacher: with `password` their login is created; without it they are on the
    teachers list at once and invited by email, unless `invite` is false."""

    invite = StrictBoolean(load_default=True, metadata={
        "description": "Without `password`: false adds a teacher who has no login (no "
                       "invitation is sent); they can be booked all the same."})


class UserReference(fields.Field):
    """An existing member's user id, or a NewUser object."""

    def openapi_properties(self, converter):
        return {"anyOf": [{"type": "string", "format": "uuid"},
                          converter.resolve_nested_schema(NewTeacherUserSchema)]}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            parsed = parse_uuid(value)
            if parsed is None:
                raise ValidationError("Not a valid UUID.")
            return parsed
        if isinstance(value, dict):
            return NewTeacherUserSchema().load(value)
        raise ValidationError("Give a member's user id, or {email, first_name, last_name, password}.")


# ------------------------------------------------------------------ teachers

class TeacherSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    user = fields.Nested(PersonSchema, dump_only=True)
    bio = fields.String(dump_only=True)
    specialties = fields.List(fields.String(), dump_only=True)
    instruments = fields.List(fields.String(), dump_only=True)
    hourly_rate = Money(dump_only=True, allow_none=True, metadata={
        "description": "Only for studio admins and the teacher themself; omitted otherwise."})
    is_accepting_students = StrictBoolean(dump_only=True)
    calendar_color = fields.String(dump_only=True)
    is_active = StrictBoolean(dump_only=True, metadata={"description": "False once archived."})
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)

    @post_dump(pass_original=True)
    def hide_rate(self, data, teacher, **kwargs):
        if not policies.may_see_hourly_rate(teacher):
            data.pop("hourly_rate", None)
        return data


class TeacherFieldsSchema(BaseSchema):
    bio = fields.String(validate=validate.Length(max=5000))
    specialties = fields.List(TAG, **TAG_LIST)
    instruments = fields.List(TAG, **TAG_LIST)
    hourly_rate = Money(allow_none=True, validate=validate.Range(min=0),
                        metadata={"description": "Studio admins only."})
    is_accepting_students = StrictBoolean()
    calendar_color = fields.String(validate=COLOR)


class TeacherCreateSchema(TeacherFieldsSchema):
    user = UserReference(required=True, metadata={
        "description": "A member's user id (teacher, admin or owner), or a new person: "
                       "with `password` their login is created; without it their profile is "
                       "created at once (bookable before they accept) and they are invited "
                       "(answer 202), or with `invite: false` added without a login (201).",
        "oneOf": [
            {"type": "string", "format": "uuid"},
            {"type": "object", "required": ["email"], "properties": {
                "email": {"type": "string", "maxLength": 254},
                "first_name": {"type": "string", "maxLength": 80},
                "last_name": {"type": "string", "maxLength": 80},
                "password": {"type": "string", "maxLength": 256, "writeOnly": True},
                "invite": {"type": "boolean"},
            }, "additionalProperties": False},
        ],
    })


class TeacherUpdateSchema(TeacherFieldsSchema):
    is_active = StrictBoolean(metadata={"description": "false archives, true restores (admins)."})


class TeacherListQuerySchema(ListQuerySchema):
    ordering = ordering_field("name", "first_name", "last_name", "email", "created_at")
    is_accepting_students = QueryBoolean()
    specialty = fields.String(validate=validate.Length(max=60), metadata={
        "description": "Teachers listing this specialty or instrument."})
    is_active = QueryBoolean(metadata={"description": "Archived teachers have false."})


class InvitationSchema(BaseSchema):
    detail = fields.String(dump_only=True)
    teacher = fields.Nested(TeacherSchema, dump_only=True, metadata={
        "description": "An invited teacher's profile: on the teachers list and bookable at once."})
    invitation = fields.Method("get_invitation", dump_only=True)

    def get_invitation(self, data):
        invitation = data["invitation"]
        return {"id": str(invitation.id), "email": invitation.email, "role": invitation.role,
                "expires_at": UTCDateTime()._serialize(invitation.expires_at, None, None)}


class AvailabilityWindowSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    weekday = fields.Integer(strict=True, validate=validate.Range(0, 6), metadata={
        "description": "0 = Monday … 6 = Sunday. Send this or `day_of_week`."})
    day_of_week = fields.String(validate=validate.OneOf(WEEKDAYS), attribute="day_name",
                                metadata={"description": "\"monday\" … \"sunday\"."})
    start_time = ClockTime(required=True, metadata={
        "description": "Wall-clock time in the studio's timezone, like \"15:30\"."})
    end_time = ClockTime(required=True)

    @validates_schema
    def one_weekday(self, data, **kwargs):
        weekday, name = data.get("weekday"), data.get("day_name")
        if weekday is None and name is None:
            raise ValidationError("Give `weekday` (0-6) or `day_of_week`.", "weekday")
        if weekday is not None and name is not None and WEEKDAYS[weekday] != name:
            raise ValidationError("`weekday` and `day_of_week` disagree.", "day_of_week")

    @post_load
    def to_weekday(self, data, **kwargs):
        name = data.pop("day_name", None)
        data.setdefault("weekday", WEEKDAYS.index(name) if name else None)
        return data


# ------------------------------------------------------------------ families

class GuardianSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    user = fields.Nested(PersonSchema, dump_only=True, allow_none=True,
                         metadata={"description": "The guardian's login, or null."})
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)
    email = fields.String(attribute="contact_email", dump_only=True)
    phone_number = fields.String(attribute="contact_phone", dump_only=True)
    relation = fields.String(dump_only=True)
    has_login = StrictBoolean(dump_only=True)


class GuardianCreateSchema(BaseSchema):
    email = EmailAddress(blank=True)
    first_name = fields.String(validate=validate.Length(max=80))
    last_name = fields.String(validate=validate.Length(max=80))
    phone_number = fields.String(attribute="phone", validate=validate.Length(max=40))
    relation = fields.String(validate=validate.Length(max=40), metadata={"example": "Mother"})
    invite = StrictBoolean(load_default=False, metadata={
        "description": "Also invite them to sign in as a parent (needs `email`)."})


class FamilyBalance(Money):
    """A family's balance, taken from the balances a list computed in one go when present."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        known = g.get(BALANCES_KEY) or {}
        return known[obj.id] if obj.id in known else family_balance(obj)


def remember_balances(amounts):
    """Let FamilySchema use balances computed for a whole page ({family id: amount})."""
    g.setdefault(BALANCES_KEY, {}).update(amounts)


class FamilyStudentSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)
    is_active = StrictBoolean(dump_only=True)


class FamilySchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    primary_contact = fields.UUID(attribute="primary_contact_id", dump_only=True, allow_none=True)
    phone_number = fields.String(attribute="phone", dump_only=True)
    billing_email = fields.String(dump_only=True, metadata={"description": "Admins and parents."})
    address = fields.String(dump_only=True)
    notes = fields.String(dump_only=True, metadata={"description": "Studio staff only."})
    balance = FamilyBalance(dump_only=True, metadata={
        "description": "Amount owed (admins and parents); negative when the family has credit."})
    guardians = fields.List(fields.Nested(GuardianSchema), dump_only=True)
    students = fields.List(fields.Nested(FamilyStudentSchema), dump_only=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)

    @post_dump
    def hide_private(self, data, **kwargs):
        if not policies.may_see_billing():
            data.pop("billing_email", None)
            data.pop("balance", None)
        if not policies.may_see_staff_notes():
            data.pop("notes", None)
        return data


class FamilyFieldsSchema(BaseSchema):
    primary_contact = fields.UUID(allow_none=True, metadata={
        "description": "A parent's user id; they become a guardian of the family."})
    phone_number = fields.String(attribute="phone", validate=validate.Length(max=40))
    billing_email = EmailAddress(blank=True)
    address = fields.String(validate=validate.Length(max=500))
    notes = fields.String(validate=validate.Length(max=10000))


class FamilyCreateSchema(FamilyFieldsSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class FamilyUpdateSchema(FamilyFieldsSchema):
    """Parents may send phone_number, billing_email and address for their own family."""

    name = fields.String(validate=validate.Length(min=1, max=120))


# ------------------------------------------------------------------ students

class StudentSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    user = fields.Nested(PersonSchema, dump_only=True, allow_none=True,
                         metadata={"description": "The student's own login, or null."})
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)
    email = fields.String(attribute="contact_email", dump_only=True)
    phone_number = fields.String(attribute="phone", dump_only=True)
    instrument = fields.String(dump_only=True)
    specialties = fields.List(fields.String(), dump_only=True)
    date_of_birth = fields.Date(dump_only=True, allow_none=True)
    emergency_contact_name = fields.String(dump_only=True)
    emergency_contact_phone = fields.String(dump_only=True)
    family = fields.UUID(attribute="family_id", dump_only=True)
    family_name = fields.String(attribute="family.name", dump_only=True)
    primary_teacher = fields.UUID(attribute="primary_teacher_id", dump_only=True, allow_none=True)
    primary_teacher_name = fields.Method("get_teacher_name", dump_only=True, allow_none=True)
    default_lesson_minutes = fields.Integer(dump_only=True)
    default_lesson_rate = Money(dump_only=True, allow_none=True, metadata={
        "description": "Admins and parents only; omitted for others."})
    default_lesson_type = fields.String(dump_only=True, metadata={
        "description": "The student's usual lesson: private or group."})
    is_active = StrictBoolean(dump_only=True, metadata={"description": "False once archived."})
    archived_at = UTCDateTime(dump_only=True, allow_none=True)
    notes = fields.String(dump_only=True, metadata={"description": "Studio staff only."})
    has_login = StrictBoolean(dump_only=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)

    def get_teacher_name(self, student):
        return student.primary_teacher.full_name if student.primary_teacher else None

    @post_dump
    def hide_private(self, data, **kwargs):
        if not policies.may_see_billing():
            data.pop("default_lesson_rate", None)
        if not policies.may_see_staff_notes():
            data.pop("notes", None)
        return data


class StudentFieldsSchema(BaseSchema):
    first_name = fields.String(validate=validate.Length(min=1, max=80))
    last_name = fields.String(validate=validate.Length(max=80))
    email = EmailAddress(blank=True, metadata={
        "description": "The student's own address (unique among the studio's students)."})
    phone_number = fields.String(attribute="phone", validate=validate.Length(max=40))
    instrument = fields.String(validate=validate.Length(max=60))
    specialties = fields.List(TAG, **TAG_LIST)
    date_of_birth = fields.Date(allow_none=True)
    emergency_contact_name = fields.String(validate=validate.Length(max=120))
    emergency_contact_phone = fields.String(validate=validate.Length(max=40))
    family = fields.UUID(allow_none=True, metadata={
        "description": "A family of your studio (an unknown id is a 400 \"Unknown family.\")."})
    primary_teacher = fields.UUID(allow_none=True, metadata={"description": "A teacher profile id."})
    teacher = fields.UUID(allow_none=True, load_only=True,
                          metadata={"description": "Alias of `primary_teacher`."})
    default_lesson_minutes = fields.Integer(strict=True, validate=validate.Range(5, 480))
    default_lesson_rate = Money(allow_none=True, validate=validate.Range(min=0))
    default_lesson_type = fields.String(validate=validate.OneOf(USUAL_LESSON_TYPES), metadata={
        "description": "The usual lesson (default private): `POST /lessons` without `lesson_type` "
                       "books it."})
    notes = fields.String(validate=validate.Length(max=10000))

    @post_load
    def teacher_alias(self, data, **kwargs):
        if "teacher" in data:
            teacher = data.pop("teacher")
            if "primary_teacher" in data and data["primary_teacher"] != teacher:
                raise ValidationError("Send `teacher` or `primary_teacher`, not both.", "teacher")
            data["primary_teacher"] = teacher
        return data


class StudentCreateSchema(StudentFieldsSchema):
    user = fields.Nested(NewUserSchema, metadata={
        "description": "Give the student a login: created now with `password`, or invited by "
                       "email without it. first_name/last_name default to the user's."})

    @validates_schema
    def has_name(self, data, **kwargs):
        if not data.get("first_name") and not (data.get("user") or {}).get("first_name"):
            raise ValidationError("Missing data for required field.", "first_name")


class StudentUpdateSchema(StudentFieldsSchema):
    family = fields.UUID(metadata={
        "description": "Move the student to another family of your studio (a student always has one)."})
    is_active = StrictBoolean(metadata={"description": "false archives, true restores."})


class StudentListQuerySchema(ListQuerySchema):
    ordering = ordering_field("name", "first_name", "last_name", "family", "instrument", "date_of_birth",
                              "created_at")
    family = fields.UUID()
    teacher = fields.UUID(metadata={"description": "Primary teacher (teacher profile id)."})
    is_active = QueryBoolean()
    instrument = fields.String(validate=validate.Length(max=60))


class FamilyListQuerySchema(ListQuerySchema):
    ordering = ordering_field("name", "created_at")
    pass


TeacherPageSchema = page_schema(TeacherSchema)
StudentPageSchema = page_schema(StudentSchema)
FamilyPageSchema = page_schema(FamilySchema)
