"""Loaders shared by the pages and the API: find an object the caller may see (404
otherwise), and check they may change it (403 otherwise) — before any input is validated."""
from app.core.errors import PermissionDenied
from app.core.tenancy import get_or_404
from app.people.models import Student
from app.people.services import visible_students
from app.scheduling.services import visible_lesson
from app.teaching import policies
from app.teaching.models import Goal, LessonNote, LessonPlan, PracticeLog


def lesson_for_notes(lesson_id):
    """A lesson the caller may write notes on: their own lesson (managers: any)."""
    lesson = visible_lesson(lesson_id)
    if not policies.may_write_note(lesson):
        raise PermissionDenied("You can only write notes on your own lessons.")
    return lesson


def visible_note(note_id):
    return get_or_404(LessonNote, note_id, stmt=policies.visible_notes())


def editable_note(note_id):
    note = visible_note(note_id)
    if not policies.may_edit_note(note):
        raise PermissionDenied("Only the lesson's teacher or an admin can change this note.")
    return note


def visible_student(student_id):
    return get_or_404(Student, student_id, stmt=visible_students())


def student_for_goals(student_id):
    student = visible_student(student_id)
    if not policies.may_manage_goals(student):
        raise PermissionDenied("You can only set goals for your own students.")
    return student


def visible_goal(goal_id):
    return get_or_404(Goal, goal_id, stmt=policies.visible_goals())


def managed_goal(goal_id):
    goal = visible_goal(goal_id)
    if not policies.may_manage_goals(goal.student):
        raise PermissionDenied("You can only change goals of your own students.")
    return goal


def student_for_practice(student_id):
    student = visible_student(student_id)
    if not policies.may_record_practice(student):
        raise PermissionDenied("You can only log practice for your own students.")
    return student


def visible_log(log_id):
    return get_or_404(PracticeLog, log_id, stmt=policies.visible_practice())


def changeable_log(log_id):
    log = visible_log(log_id)
    if not policies.may_change_practice(log):
        raise PermissionDenied("You can only change practice logs of your own students.")
    return log


def visible_plan(plan_id):
    return get_or_404(LessonPlan, plan_id, stmt=policies.visible_plans())


def editable_plan(plan_id):
    plan = visible_plan(plan_id)
    if not policies.may_edit_plan(plan):
        raise PermissionDenied("Only the author or an admin can change this plan.")
    return plan
