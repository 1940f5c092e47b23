"""JSON API: /api/v1/teachers, /api/v1/students, /api/v1/families.

Ids in the URL that are not in your studio, or that your role may not see, answer 404.
Ids in the body (`family`, `primary_teacher`, `primary_contact`) that are not in your studio
are a 400 field error ("Unknown family."). Writes your role may not do answer 403, before
the body is validated.
"""

from flask import g, jsonify
from flask.views import MethodView

from app.core.api import Blueprint, loads, refused_when
from app.core.errors import PermissionDenied, ValidationFailed
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires, requires_one_of
from app.core.tenancy import api_login_required, current_studio
from app.people import policies, services
from app.people.access import (
    FAMILY_LOAD,
    STUDENT_LOAD,
    contact_editable_family,
    editable_teacher,
    family_guardian,
    visible_family,
    visible_student,
    visible_teacher,
)
from app.people.models import Family, Student, TeacherProfile
from app.people.schemas import (
    AvailabilityWindowSchema,
    FamilyCreateSchema,
    FamilyListQuerySchema,
    FamilyPageSchema,
    FamilySchema,
    FamilyUpdateSchema,
    GuardianCreateSchema,
    GuardianSchema,
    InvitationSchema,
    StudentCreateSchema,
    StudentListQuerySchema,
    StudentPageSchema,
    StudentSchema,
    StudentUpdateSchema,
    TeacherCreateSchema,
    TeacherListQuerySchema,
    TeacherPageSchema,
    TeacherSchema,
    TeacherUpdateSchema,
    remember_balances,
)

ID_RULE = (" An id in the URL that is not in your studio (or that you may not see) answers 404;"
           " an id in the body that is not in your studio is a 400 field error, like"
           " `{\"family\": [\"Unknown family.\"]}`.")
teachers_blp = Blueprint("api_teachers", __name__, url_prefix="/api/v1/teachers",
                         description="Teacher profiles and weekly availability." + ID_RULE)
students_blp = Blueprint("api_students", __name__, url_prefix="/api/v1/students",
                         description="Students. DELETE archives; archived students stay readable." + ID_RULE)
families_blp = Blueprint("api_families", __name__, url_prefix="/api/v1/families",
                         description="Families (the billing unit), their guardians and students." + ID_RULE)
blueprints = (teachers_blp, students_blp, families_blp)
for _blp in blueprints:
    _blp.before_request(api_login_required)

NOT_FOUND = {"description": "Not in your studio, or not visible to you."}
FORBIDDEN = {"description": "Your role may not do this."}


def _user():
    return g.api_principal.user


# ------------------------------------------------------------------ teachers

@teachers_blp.route("")
class Teachers(MethodView):
    @requires("teachers.view")
    @teachers_blp.arguments(TeacherListQuerySchema, location="query")
    @teachers_blp.response(200, TeacherPageSchema)
    def get(self, args):
        """List teachers. Families see active teachers only; rates are for admins."""
        stmt = services.filter_teachers(
            policies.visible_teachers(), search=args.get("search"), specialty=args.get("specialty"),
            is_accepting_students=args.get("is_accepting_students"), is_active=args.get("is_active"),
        )
        stmt = apply_created_range(stmt, TeacherProfile, args)
        stmt = apply_ordering(stmt, TeacherProfile, args.get("ordering"), services.TEACHER_ORDERING, "name")
        return paginate(stmt, args)

    @requires("teachers.manage")
    @teachers_blp.arguments(TeacherCreateSchema)
    @teachers_blp.response(201, TeacherSchema)
    @teachers_blp.alt_response(400, **refused_when(
        "`user` is not a member of your studio, or already has a teacher profile; by email, the "
        "person (`email`, `first_name`) is already a teacher here or cannot be invited.",
        "`bio`, `specialties`, `instruments`: blank or repeated entries, or more than the limit once "
        "cleaned; `calendar_color` not like #5b3cc4."))
    @teachers_blp.alt_response(202, schema=InvitationSchema,
                               description="The person was invited; their profile (`teacher`) is "
                                           "on the teachers list and bookable at once.")
    @teachers_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Create a teacher profile for a member, or add a new teacher by email."""
        user = data.pop("user")
        if isinstance(user, dict):
            teacher, invitation = _add_teacher(user, data)
        else:
            teacher, invitation = services.create_teacher_profile(
                current_studio(), _user(), user, **data), None
        if invitation is not None:
            body = InvitationSchema().dump({
                "detail": f"{invitation.email} is invited to teach and can be booked already.",
                "invitation": invitation, "teacher": teacher,
            })
            return jsonify(body), 202
        return teacher


def _add_teacher(user, fields):
    """add_teacher, with errors about the person reported under `user.` as they were sent."""
    try:
        return services.add_teacher(current_studio(), _user(), **user, **fields)
    except ValidationFailed as exc:
        person = {"email", "first_name", "last_name", "password"}
        raise ValidationFailed(exc.detail, field_errors={
            (f"user.{name}" if name in person else name): messages
            for name, messages in exc.field_errors.items()})


@teachers_blp.route("/<uuid:teacher_id>")
class TeacherItem(MethodView):
    @requires("teachers.view")
    @teachers_blp.response(200, TeacherSchema)
    @teachers_blp.alt_response(404, **NOT_FOUND)
    @loads("teacher", visible_teacher)
    def get(self, teacher):
        """One teacher."""
        return teacher

    @requires_one_of("teachers.manage", "teachers.edit_own")
    @loads("teacher", editable_teacher)
    @teachers_blp.arguments(TeacherUpdateSchema)
    @teachers_blp.response(200, TeacherSchema)
    @teachers_blp.alt_response(400, **refused_when(
        "`bio`, `specialties`, `instruments`: blank or repeated entries, or more than the limit once "
        "cleaned; `calendar_color` not like #5b3cc4.",
        "`hourly_rate` and `is_active` are for studio admins (403 for others)."))
    @teachers_blp.alt_response(403, **FORBIDDEN)
    @teachers_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, teacher):
        """Change a profile. Teachers may change their own, except the hourly rate."""
        studio, actor = current_studio(), _user()
        is_active = data.pop("is_active", None)
        if is_active is not None and not policies.is_manager():
            raise PermissionDenied("Only studio admins can archive or restore teachers.",
                                   field_errors={"is_active": ["Only studio admins can change this."]})
        services.update_teacher(studio, actor, teacher, **data)
        if is_active is True:
            services.restore_teacher(studio, actor, teacher)
        elif is_active is False:
            services.archive_teacher(studio, actor, teacher)
        return teacher

    @requires("teachers.manage")
    @teachers_blp.response(204)
    @teachers_blp.alt_response(404, **NOT_FOUND)
    @loads("teacher", visible_teacher)
    def delete(self, teacher):
        """Archive a teacher: off the active lists, history and students kept."""
        services.archive_teacher(current_studio(), _user(), teacher)


@teachers_blp.route("/<uuid:teacher_id>/availability")
class TeacherAvailabilityItem(MethodView):
    @requires("teachers.view")
    @teachers_blp.response(200, AvailabilityWindowSchema(many=True))
    @teachers_blp.alt_response(404, **NOT_FOUND)
    @loads("teacher", visible_teacher)
    def get(self, teacher):
        """The teacher's weekly windows (wall-clock times in the studio's timezone)."""
        return teacher.availability

    @requires_one_of("teachers.manage", "teachers.edit_own")
    @loads("teacher", editable_teacher)
    @teachers_blp.arguments(AvailabilityWindowSchema(many=True), example=[
        {"day_of_week": "monday", "start_time": "15:00", "end_time": "19:00"},
        {"day_of_week": "wednesday", "start_time": "14:00", "end_time": "18:30"}])
    @teachers_blp.response(200, AvailabilityWindowSchema(many=True))
    @teachers_blp.alt_response(400, **refused_when(
        "Each window (its errors are named by its index, like 0.end_time) must end after it starts "
        "(`end_time`), and windows on one day may not overlap (`start_time`).",
        "Each window gives its day as `weekday` (0-6) or `day_of_week`, or both if they agree."))
    @teachers_blp.alt_response(403, **FORBIDDEN)
    @teachers_blp.alt_response(404, **NOT_FOUND)
    def put(self, windows, teacher):
        """Replace the weekly windows. Windows on one day may touch but not overlap."""
        return services.replace_availability(current_studio(), _user(), teacher, windows)


# ------------------------------------------------------------------ students

@students_blp.route("")
class Students(MethodView):
    @requires("students.view")
    @students_blp.arguments(StudentListQuerySchema, location="query")
    @students_blp.response(200, StudentPageSchema)
    def get(self, args):
        """List students (archived ones too unless `is_active` is given). Parents see their
        children, students themselves."""
        stmt = services.filter_students(
            policies.visible_students().options(*STUDENT_LOAD), search=args.get("search"),
            family=args.get("family"), teacher=args.get("teacher"), is_active=args.get("is_active"),
            instrument=args.get("instrument"),
        )
        stmt = apply_created_range(stmt, Student, args)
        stmt = apply_ordering(stmt, Student, args.get("ordering"), services.STUDENT_ORDERING, "name")
        return paginate(stmt, args)

    @requires("students.manage")
    @students_blp.arguments(StudentCreateSchema)
    @students_blp.response(201, StudentSchema)
    @students_blp.alt_response(400, **refused_when(
        "`first_name` is required unless a `user` gives it; `user.email` or `email` already signs in "
        "or belongs to another student.",
        "`family`, `primary_teacher` or `teacher` are not in your studio (or the teacher is "
        "archived); send `teacher` or `primary_teacher`, not both.",
        "`date_of_birth` is in the future or before 1900; `default_lesson_minutes` outside 5-480; "
        "`specialties` blank or repeated; `first_name`/`last_name` blank."))
    @students_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Create a student, with a login (nested `user`) or without one. Without `family`,
        a family named after the student is created."""
        login = data.pop("user", None)
        if login:
            data.setdefault("first_name", login.pop("first_name", ""))
            data.setdefault("last_name", login.pop("last_name", ""))
            login = {k: v for k, v in login.items() if k in ("email", "password")}
        fields = _student_fields(data)
        student, _invitation = services.create_student(current_studio(), _user(), login=login, **fields)
        return student


def _student_fields(data):
    fields = dict(data)
    for name in ("first_name", "last_name"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return fields


@students_blp.route("/<uuid:student_id>")
class StudentItem(MethodView):
    @requires("students.view")
    @students_blp.response(200, StudentSchema)
    @students_blp.alt_response(404, **NOT_FOUND)
    @loads("student", visible_student)
    def get(self, student):
        """One student (archived ones too)."""
        return student

    @requires("students.manage")
    @loads("student", visible_student)
    @students_blp.arguments(StudentUpdateSchema)
    @students_blp.response(200, StudentSchema)
    @students_blp.alt_response(400, **refused_when(
        "`email` belongs to another student of the studio.",
        "`family`, `primary_teacher` or `teacher` are not in your studio (or the teacher is "
        "archived); send `teacher` or `primary_teacher`, not both.",
        "`date_of_birth` is in the future or before 1900; `default_lesson_minutes` outside 5-480; "
        "`specialties` blank or repeated; `first_name`/`last_name` blank."))
    @students_blp.alt_response(403, **FORBIDDEN)
    @students_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, student):
        """Change a student; `is_active: false` archives and `true` restores."""
        return services.update_student(current_studio(), _user(), student, **data)

    @requires("students.manage")
    @students_blp.response(204)
    @students_blp.alt_response(403, **FORBIDDEN)
    @students_blp.alt_response(404, **NOT_FOUND)
    @loads("student", visible_student)
    def delete(self, student):
        """Archive a student. Nothing is deleted: GET still answers, with is_active false."""
        services.archive_student(current_studio(), _user(), student)


# ------------------------------------------------------------------ families

@families_blp.route("")
class Families(MethodView):
    @requires("families.view")
    @families_blp.arguments(FamilyListQuerySchema, location="query")
    @families_blp.response(200, FamilyPageSchema)
    def get(self, args):
        """List families. Parents see their own; teachers see no billing fields."""
        stmt = services.filter_families(policies.visible_families().options(*FAMILY_LOAD),
                                        search=args.get("search"))
        stmt = apply_created_range(stmt, Family, args)
        stmt = apply_ordering(stmt, Family, args.get("ordering"), services.FAMILY_ORDERING, "name")
        page = paginate(stmt, args)
        if policies.may_see_billing():
            remember_balances(services.balances(page["results"]))
        return page

    @requires("families.manage")
    @families_blp.arguments(FamilyCreateSchema)
    @families_blp.response(201, FamilySchema)
    @families_blp.alt_response(400, **refused_when(
        "`name` is blank; `primary_contact` is not a parent of your studio."))
    @families_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Create a family; only `name` is required."""
        return services.create_family(current_studio(), _user(), **data)


@families_blp.route("/<uuid:family_id>")
class FamilyItem(MethodView):
    @requires("families.view")
    @families_blp.response(200, FamilySchema)
    @families_blp.alt_response(404, **NOT_FOUND)
    @loads("family", visible_family)
    def get(self, family):
        """One family with its guardians, students and balance."""
        return family

    @requires("families.edit_contact")
    @loads("family", contact_editable_family)
    @families_blp.arguments(FamilyUpdateSchema)
    @families_blp.response(200, FamilySchema)
    @families_blp.alt_response(400, **refused_when(
        "`name` is blank; `primary_contact` is not a parent of your studio.",
        "Parents may change only `phone_number`, `billing_email` and `address` (403 otherwise)."))
    @families_blp.alt_response(403, **FORBIDDEN)
    @families_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, family):
        """Change a family. Parents may change phone_number, billing_email and address of
        their own family."""
        return services.update_family(current_studio(), _user(), family, **data)

    @requires("families.manage")
    @families_blp.response(204)
    @families_blp.alt_response(403, **FORBIDDEN)
    @families_blp.alt_response(404, **NOT_FOUND)
    @families_blp.alt_response(409, description="The family still has students.")
    @loads("family", visible_family)
    def delete(self, family):
        """Delete a family without students (move or archive them first: 409 otherwise)."""
        services.delete_family(current_studio(), _user(), family)


@families_blp.route("/<uuid:family_id>/guardians")
class FamilyGuardians(MethodView):
    @requires("families.manage")
    @loads("family", visible_family)
    @families_blp.arguments(GuardianCreateSchema)
    @families_blp.response(201, GuardianSchema)
    @families_blp.alt_response(400, **refused_when(
        "Neither `email` nor a name (`first_name`, `last_name`) is given; `email` is already a "
        "guardian of this family, belongs to a student's login, or `invite` is true without it."))
    @families_blp.alt_response(403, **FORBIDDEN)
    @families_blp.alt_response(404, **NOT_FOUND)
    def post(self, data, family):
        """Add a guardian by email (linked to an existing parent login, or invited with
        `invite: true`) or by name."""
        guardian, _invitation = services.add_guardian(current_studio(), _user(), family, **data)
        return guardian


@families_blp.route("/<uuid:family_id>/guardians/<uuid:guardian_id>")
class FamilyGuardianItem(MethodView):
    @requires("families.manage")
    @families_blp.response(204)
    @families_blp.alt_response(403, **FORBIDDEN)
    @families_blp.alt_response(404, **NOT_FOUND)
    @loads("family", visible_family)
    def delete(self, family, guardian_id):
        """Remove a guardian from the family (their login stays in the studio)."""
        guardian = family_guardian(family, guardian_id)
        services.remove_guardian(current_studio(), _user(), family, guardian)
