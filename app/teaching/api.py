"""JSON API: /api/v1/lesson-notes, /goals, /lesson-plans, /practice-logs.

Visibility is the pages' (app/teaching/policies.py): a parent's token only ever returns
notes marked `visible_to_parent` for their own children, a student's only their own notes
marked `visible_to_student`, a teacher's only their own students' notes. Anything the caller
may not see answers 404 — also when its id is the subject of a write (`lesson` of a new note,
`student` of a new goal or practice log). A visible object the caller may not change
answers 403. Both come before the body is validated where the id is in the URL.
"""

from flask import g
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from app.core.api import Blueprint, loads, refused_when
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.core.search import matches
from app.core.tenancy import api_login_required, current_studio
from app.library import services as library
from app.teaching import access, policies, services
from app.teaching.models import Goal, LessonNote, LessonPlan, PracticeLog
from app.teaching.schemas import (
    GoalCreateSchema,
    GoalListQuerySchema,
    GoalPageSchema,
    GoalSchema,
    GoalUpdateSchema,
    LessonNoteCreateSchema,
    LessonNoteFieldsSchema,
    LessonNoteListQuerySchema,
    LessonNotePageSchema,
    LessonNoteSchema,
    LessonPlanAttachmentSchema,
    LessonPlanAttachSchema,
    LessonPlanCreateSchema,
    LessonPlanFieldsSchema,
    LessonPlanListQuerySchema,
    LessonPlanPageSchema,
    LessonPlanSchema,
    PracticeLogCreateSchema,
    PracticeLogFieldsSchema,
    PracticeLogListQuerySchema,
    PracticeLogPageSchema,
    PracticeLogSchema,
)

NOT_FOUND = {"description": "Not in your studio, or not visible to you."}
FORBIDDEN = {"description": "Your role may not do this, or the object is not yours to change."}
CONFLICT = {"description": "The object already exists or its state forbids the change."}


def _blueprint(name, url_prefix, description):
    blp = Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    blp.before_request(api_login_required)
    return blp


notes_blp = _blueprint("Lesson notes", "/api/v1/lesson-notes",
                       "What happened in a lesson, per student: summary (Markdown), topics, "
                       "assignments, strengths, challenges and who may read it.")
goals_blp = _blueprint("Goals", "/api/v1/goals", "Student goals with progress 0–100 and its history.")
plans_blp = _blueprint("Lesson plans", "/api/v1/lesson-plans",
                       "The studio's library of lesson plans (staff), and plans attached to lessons.")
practice_blp = _blueprint("Practice logs", "/api/v1/practice-logs",
                          "Practice recorded by students and parents (or their teachers).")
blueprints = (notes_blp, goals_blp, plans_blp, practice_blp)


def _actor():
    return g.api_principal.user


def _search(stmt, column, text):
    return stmt.where(matches(text, column)) if text and text.strip() else stmt


# ---------------------------------------------------------------- lesson notes

NOTE_ORDERING = {"created_at": LessonNote.created_at, "updated_at": LessonNote.updated_at}


@notes_blp.route("")
class LessonNotes(MethodView):
    @requires("notes.view")
    @notes_blp.arguments(LessonNoteListQuerySchema, location="query")
    @notes_blp.response(200, LessonNotePageSchema)
    def get(self, args):
        """List the lesson notes you may read, newest first."""
        stmt = services.filter_notes(policies.visible_notes(), lesson=args.get("lesson"),
                                     student=args.get("student"), teacher=args.get("teacher"))
        stmt = _search(stmt, LessonNote.search_text, args.get("search"))
        stmt = apply_created_range(stmt, LessonNote, args)
        stmt = apply_ordering(stmt, LessonNote, args.get("ordering"), NOTE_ORDERING, "-created_at")
        return paginate(stmt, args)

    @requires("notes.write")
    @notes_blp.arguments(LessonNoteCreateSchema)
    @notes_blp.response(201, LessonNoteSchema)
    @notes_blp.alt_response(400, **refused_when(
        "`lesson` is not one you may write notes for; `student` is not in the lesson, archived, or "
        "missing for a group lesson.",
        "`summary` is blank; `topics_covered`, `assignments`, `strengths`, `challenges` hold blank or"
        " over-long items, or too many; `practice_target_minutes` is out of range.",
        "`resources` names a resource that is not in the library."))
    @notes_blp.alt_response(403, **FORBIDDEN)
    @notes_blp.alt_response(404, **NOT_FOUND)
    @notes_blp.alt_response(409, **CONFLICT)
    def post(self, data):
        """Write the note of a lesson you teach (one per lesson and student)."""
        lesson = access.lesson_for_notes(data.pop("lesson"))
        resources = data.pop("resources", None)
        note = services.create_note(current_studio(), _actor(), lesson, **data)
        if resources is not None:
            library.attach_to_note(current_studio(), _actor(), note, resources)
        return note


@notes_blp.route("/<uuid:note_id>")
class LessonNoteItem(MethodView):
    @requires("notes.view")
    @loads("note", access.visible_note)
    @notes_blp.response(200, LessonNoteSchema)
    @notes_blp.alt_response(404, **NOT_FOUND)
    def get(self, note):
        """One lesson note."""
        return note

    @requires("notes.write")
    @loads("note", access.editable_note)
    @notes_blp.arguments(LessonNoteFieldsSchema)
    @notes_blp.response(200, LessonNoteSchema)
    @notes_blp.alt_response(400, **refused_when(
        "`summary` is blank; `topics_covered`, `assignments`, `strengths`, `challenges` hold blank or"
        " over-long items, or too many; `practice_target_minutes` is out of range.",
        "`resources` names a resource that is not in the library."))
    @notes_blp.alt_response(403, **FORBIDDEN)
    @notes_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, note):
        """Change a note of your own lesson."""
        resources = data.pop("resources", None)
        services.update_note(current_studio(), _actor(), note, **data)
        if resources is not None:
            library.attach_to_note(current_studio(), _actor(), note, resources)
        return note

    @requires("notes.write")
    @loads("note", access.editable_note)
    @notes_blp.response(204)
    @notes_blp.alt_response(403, **FORBIDDEN)
    @notes_blp.alt_response(404, **NOT_FOUND)
    def delete(self, note):
        """Delete a note of your own lesson."""
        services.delete_note(current_studio(), _actor(), note)


# ---------------------------------------------------------------- goals

GOAL_ORDERING = {"created_at": Goal.created_at, "target_date": Goal.target_date,
                 "progress_percentage": Goal.progress_percentage, "title": Goal.title}


@goals_blp.route("")
class Goals(MethodView):
    @requires("goals.view")
    @goals_blp.arguments(GoalListQuerySchema, location="query")
    @goals_blp.response(200, GoalPageSchema)
    def get(self, args):
        """List the goals you may see (filters: student, status)."""
        stmt = policies.visible_goals().options(selectinload(Goal.history))
        if args.get("student"):
            stmt = stmt.where(Goal.student_id == args["student"])
        if args.get("status"):
            stmt = stmt.where(Goal.status == args["status"])
        stmt = _search(stmt, Goal.search_text, args.get("search"))
        stmt = apply_created_range(stmt, Goal, args)
        stmt = apply_ordering(stmt, Goal, args.get("ordering"), GOAL_ORDERING, "-created_at")
        return paginate(stmt, args)

    @requires("goals.manage")
    @goals_blp.arguments(GoalCreateSchema)
    @goals_blp.response(201, GoalSchema)
    @goals_blp.alt_response(400, **refused_when(
        "`student` is not one you may set goals for, or archived; `title` is blank."))
    @goals_blp.alt_response(403, **FORBIDDEN)
    @goals_blp.alt_response(404, **NOT_FOUND)
    def post(self, data):
        """Set a goal for one of your students."""
        student = access.student_for_goals(data.pop("student"))
        return services.create_goal(current_studio(), _actor(), student, **data)


@goals_blp.route("/<uuid:goal_id>")
class GoalItem(MethodView):
    @requires("goals.view")
    @loads("goal", access.visible_goal)
    @goals_blp.response(200, GoalSchema)
    @goals_blp.alt_response(404, **NOT_FOUND)
    def get(self, goal):
        """One goal with its progress history."""
        return goal

    @requires("goals.manage")
    @loads("goal", access.managed_goal)
    @goals_blp.arguments(GoalUpdateSchema)
    @goals_blp.response(200, GoalSchema)
    @goals_blp.alt_response(400, **refused_when(
        "`title` is blank."))
    @goals_blp.alt_response(403, **FORBIDDEN)
    @goals_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, goal):
        """Update a goal; a new `progress_percentage` or `status` adds a history row."""
        return services.update_goal(current_studio(), _actor(), goal, **data)

    @requires("goals.manage")
    @loads("goal", access.managed_goal)
    @goals_blp.response(204)
    @goals_blp.alt_response(403, **FORBIDDEN)
    @goals_blp.alt_response(404, **NOT_FOUND)
    def delete(self, goal):
        """Delete a goal and its history (to keep it, set status `abandoned`)."""
        services.delete_goal(current_studio(), _actor(), goal)


# ---------------------------------------------------------------- lesson plans

PLAN_ORDERING = {"title": LessonPlan.title, "specialty": LessonPlan.specialty,
                 "created_at": LessonPlan.created_at, "updated_at": LessonPlan.updated_at}


@plans_blp.route("")
class LessonPlans(MethodView):
    @requires("lesson_plans.view")
    @plans_blp.arguments(LessonPlanListQuerySchema, location="query")
    @plans_blp.response(200, LessonPlanPageSchema)
    def get(self, args):
        """The plans you may use: public ones and your own (filters: specialty, is_public)."""
        stmt = services.filter_plans(policies.visible_plans(), specialty=args.get("specialty"),
                                     is_public=args.get("is_public"), search=args.get("search"))
        stmt = apply_created_range(stmt, LessonPlan, args)
        stmt = apply_ordering(stmt, LessonPlan, args.get("ordering"), PLAN_ORDERING, "title")
        return paginate(stmt, args)

    @requires("lesson_plans.manage")
    @plans_blp.arguments(LessonPlanCreateSchema)
    @plans_blp.response(201, LessonPlanSchema)
    @plans_blp.alt_response(400, **refused_when(
        "`title` is blank; `resources` names a resource that is not in the library."))
    @plans_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Add a plan to the library (private unless `is_public`)."""
        resources = data.pop("resources", None)
        plan = services.create_plan(current_studio(), _actor(), **data)
        if resources is not None:
            library.attach_to_plan(current_studio(), _actor(), plan, resources)
        return plan


@plans_blp.route("/<uuid:plan_id>")
class LessonPlanItem(MethodView):
    @requires("lesson_plans.view")
    @loads("plan", access.visible_plan)
    @plans_blp.response(200, LessonPlanSchema)
    @plans_blp.alt_response(404, **NOT_FOUND)
    def get(self, plan):
        """One lesson plan."""
        return plan

    @requires("lesson_plans.manage")
    @loads("plan", access.editable_plan)
    @plans_blp.arguments(LessonPlanFieldsSchema)
    @plans_blp.response(200, LessonPlanSchema)
    @plans_blp.alt_response(400, **refused_when(
        "`title` is blank; `resources` names a resource that is not in the library."))
    @plans_blp.alt_response(403, **FORBIDDEN)
    @plans_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, plan):
        """Change a plan you wrote (admins: any plan)."""
        resources = data.pop("resources", None)
        services.update_plan(current_studio(), _actor(), plan, **data)
        if resources is not None:
            library.attach_to_plan(current_studio(), _actor(), plan, resources)
        return plan

    @requires("lesson_plans.manage")
    @loads("plan", access.editable_plan)
    @plans_blp.response(204)
    @plans_blp.alt_response(403, **FORBIDDEN)
    @plans_blp.alt_response(404, **NOT_FOUND)
    def delete(self, plan):
        """Delete a plan you wrote; it is detached from its lessons."""
        services.delete_plan(current_studio(), _actor(), plan)


@plans_blp.route("/<uuid:plan_id>/lessons")
class LessonPlanLessons(MethodView):
    @requires("lesson_plans.manage")
    @loads("plan", access.visible_plan)
    @plans_blp.arguments(LessonPlanAttachSchema)
    @plans_blp.response(201, LessonPlanAttachmentSchema)
    @plans_blp.alt_response(400, **refused_when(
        "`lesson` is not one you may plan."))
    @plans_blp.alt_response(403, **FORBIDDEN)
    @plans_blp.alt_response(404, **NOT_FOUND)
    @plans_blp.alt_response(409, **CONFLICT)
    def post(self, data, plan):
        """Attach the plan to a lesson you teach."""
        lesson = access.lesson_for_notes(data["lesson"])
        return services.attach_plan(current_studio(), _actor(), lesson, plan)


@plans_blp.route("/<uuid:plan_id>/lessons/<uuid:lesson_id>")
class LessonPlanLesson(MethodView):
    @requires("lesson_plans.manage")
    @loads("plan", access.visible_plan)
    @loads("lesson", access.lesson_for_notes)
    @plans_blp.response(204)
    @plans_blp.alt_response(403, **FORBIDDEN)
    @plans_blp.alt_response(404, **NOT_FOUND)
    def delete(self, plan, lesson):
        """Detach the plan from a lesson you teach."""
        services.detach_plan(current_studio(), _actor(), lesson, plan)


# ---------------------------------------------------------------- practice logs

PRACTICE_ORDERING = {"date": PracticeLog.practice_date, "minutes": PracticeLog.minutes,
                     "created_at": PracticeLog.created_at}


@practice_blp.route("")
class PracticeLogs(MethodView):
    @requires("practice.view")
    @practice_blp.arguments(PracticeLogListQuerySchema, location="query")
    @practice_blp.response(200, PracticeLogPageSchema)
    def get(self, args):
        """List the practice you may see (filters: student, start_date, end_date)."""
        stmt = services.filter_practice(policies.visible_practice(), student=args.get("student"),
                                        start_date=args.get("start_date"), end_date=args.get("end_date"))
        stmt = _search(stmt, PracticeLog.search_text, args.get("search"))
        stmt = apply_created_range(stmt, PracticeLog, args)
        stmt = apply_ordering(stmt, PracticeLog, args.get("ordering"), PRACTICE_ORDERING, "-date")
        return paginate(stmt, args)

    @requires("practice.record")
    @practice_blp.arguments(PracticeLogCreateSchema)
    @practice_blp.response(201, PracticeLogSchema)
    @practice_blp.alt_response(400, **refused_when(
        "`student` is not one you may log practice for, or archived; `date` is in the future (studio "
        "time) or more than a year ago; `minutes` is out of range; `pieces` hold blank or over-long "
        "items."))
    @practice_blp.alt_response(403, **FORBIDDEN)
    @practice_blp.alt_response(404, **NOT_FOUND)
    def post(self, data):
        """Log practice: 1–600 minutes on a day that is not in the future."""
        student = access.student_for_practice(data.pop("student"))
        return services.record_practice(current_studio(), _actor(), student, **data)


@practice_blp.route("/<uuid:log_id>")
class PracticeLogItem(MethodView):
    @requires("practice.view")
    @loads("log", access.visible_log)
    @practice_blp.response(200, PracticeLogSchema)
    @practice_blp.alt_response(404, **NOT_FOUND)
    def get(self, log):
        """One practice log."""
        return log

    @requires("practice.record")
    @loads("log", access.changeable_log)
    @practice_blp.arguments(PracticeLogFieldsSchema)
    @practice_blp.response(200, PracticeLogSchema)
    @practice_blp.alt_response(400, **refused_when(
        "`date` is in the future (studio time) or more than a year ago; `minutes` is out of range; "
        "`pieces` hold blank or over-long items."))
    @practice_blp.alt_response(403, **FORBIDDEN)
    @practice_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, log):
        """Correct a practice log."""
        return services.update_practice(current_studio(), _actor(), log, **data)

    @requires("practice.record")
    @loads("log", access.changeable_log)
    @practice_blp.response(204)
    @practice_blp.alt_response(403, **FORBIDDEN)
    @practice_blp.alt_response(404, **NOT_FOUND)
    def delete(self, log):
        """Delete a practice log."""
        services.delete_practice(current_studio(), _actor(), log)
