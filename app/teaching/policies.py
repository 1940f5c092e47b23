"""Who sees and writes which teaching records (SPEC §1), for the HTML views and the API.

- Managers (owner, admin) see and write everything in the studio.
- A teacher sees the records of *their* students: students whose primary teacher they are,
  or whom they teach in a lesson. They write notes on their own lessons only, and goals and
  practice for their own students.
- A parent sees their children's notes marked `visible_to_parent`, their goals and practice,
  and records practice for them. A student sees their own notes marked `visible_to_student`,
  goals and practice, and records their own practice.
- Lesson plans are staff material: public plans for all staff, private ones for the author
  (and managers).

Anything a caller may not see answers 404; a visible record they may not change answers 403.
"""
from flask import g
from sqlalchemy import false, or_, select, true

from app.core.permissions import MANAGERS, PARENT, STUDENT, TEACHER
from app.core.tenancy import current_principal, scoped
from app.extensions import db
from app.people.models import Student
from app.people.services import own_teacher_profile, taught_student_ids, visible_students
from app.scheduling.services import family_student_ids
from app.teaching.models import Goal, LessonNote, LessonPlan, PracticeLog


def _principal(principal=None):
    return principal or current_principal()


def is_manager(principal=None):
    return _principal(principal).role in MANAGERS


def _family_student_ids(principal):
    """The few ids of a parent's children (or a student's own), read once per request: as
    values rather than a subquery, PostgreSQL plans the notes, goals and practice reads
    from the student indexes instead of joining the studio's every note first."""
    key = f"family_student_ids:{principal.user.id}:{principal.studio.id}"
    ids = g.get(key)
    if ids is None:
        ids = db.session.scalars(family_student_ids(principal)).all()
        setattr(g, key, ids)
    return ids


def student_ids_for(principal=None):
    """SELECT of the ids of the students whose records the caller may read, or None for all."""
    principal = _principal(principal)
    if principal.role in MANAGERS:
        return None
    if principal.role == TEACHER:
        return taught_student_ids(principal)
    if principal.role in (PARENT, STUDENT):
        return _family_student_ids(principal)
    return select(Student.id).where(false())


def _restrict_to_students(stmt, column, principal):
    ids = student_ids_for(principal)
    return stmt if ids is None else stmt.where(column.in_(ids))


def visible_notes(principal=None):
    """SELECT of the lesson notes the caller may read."""
    principal = _principal(principal)
    stmt = _restrict_to_students(scoped(LessonNote, principal.studio), LessonNote.student_id, principal)
    if principal.role == PARENT:
        stmt = stmt.where(LessonNote.visible_to_parent.is_(True))
    elif principal.role == STUDENT:
        stmt = stmt.where(LessonNote.visible_to_student.is_(True))
    return stmt


def visible_goals(principal=None):
    principal = _principal(principal)
    return _restrict_to_students(scoped(Goal, principal.studio), Goal.student_id, principal)


def visible_practice(principal=None):
    principal = _principal(principal)
    return _restrict_to_students(scoped(PracticeLog, principal.studio), PracticeLog.student_id, principal)


def visible_plans(principal=None):
    """Staff see public plans and their own private ones; managers see the whole library."""
    principal = _principal(principal)
    stmt = scoped(LessonPlan, principal.studio)
    if principal.role in MANAGERS:
        return stmt
    if principal.role != TEACHER:
        return stmt.where(false())
    return stmt.where(or_(LessonPlan.is_public.is_(True), LessonPlan.author_id == principal.user.id))


def record_students(principal=None):
    """SELECT of the students whose records (goals, practice) the caller may see."""
    principal = _principal(principal)
    stmt = visible_students(principal)
    ids = student_ids_for(principal)
    return stmt if ids is None else stmt.where(Student.id.in_(ids))


# ---------------------------------------------------------------- write predicates

def teaches_lesson(lesson, principal=None):
    principal = _principal(principal)
    own = own_teacher_profile(principal) if principal.role == TEACHER else None
    return own is not None and lesson.teacher_id == own.id


def may_write_note(lesson, principal=None):
    """Notes are written by the lesson's teacher or a manager."""
    principal = _principal(principal)
    return principal.role in MANAGERS or teaches_lesson(lesson, principal)


def may_edit_note(note, principal=None):
    return may_write_note(note.lesson, principal)


def teaches_student(student, principal=None):
    principal = _principal(principal)
    if principal.role != TEACHER:
        return False
    return db.session.scalar(
        select(true()).where(Student.id == student.id, Student.id.in_(taught_student_ids(principal)))
    ) is not None


def may_manage_goals(student, principal=None):
    """Goals are set by managers and the student's teachers."""
    principal = _principal(principal)
    return principal.role in MANAGERS or teaches_student(student, principal)


def may_record_practice(student, principal=None):
    """Families record their own practice; staff may record it for their students."""
    principal = _principal(principal)
    if principal.role in MANAGERS | {PARENT, STUDENT}:
        return True  # families only ever reach their own students (404 otherwise)
    return teaches_student(student, principal)


def may_change_practice(log, principal=None):
    return may_record_practice(log.student, principal)


def may_edit_plan(plan, principal=None):
    principal = _principal(principal)
    return principal.role in MANAGERS or plan.author_id == principal.user.id


def may_see_visibility_flags(principal=None):
    """Families see only what is shown to them; the flags are for staff."""
    return _principal(principal).role in MANAGERS | {TEACHER}
