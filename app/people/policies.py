"""Who may see and change which people records (SPEC §1), for the HTML views and the API.

Role-level actions are declared in app/core/permissions.py; the predicates here add the
object-level rules: a parent sees their own family and children, a student sees themself,
a teacher edits their own profile only and never sees billing fields of others.

A teacher sees the students they teach (whose primary teacher they are, or whom they teach
in a lesson) and those students' families; the studio setting `teachers_see_all_students`
widens this to every student and family. Anyone else's id answers 404.
"""
from flask import g
from sqlalchemy import false, select

from app.core import sync
from app.core.permissions import MANAGERS, PARENT, STAFF, STUDENT, TEACHER
from app.core.tenancy import current_principal, scoped
from app.extensions import db
from app.people.models import Family, FamilyGuardian, Student, TeacherProfile


def _principal(principal=None):
    return principal or current_principal()


def is_manager(principal=None):
    principal = _principal(principal)
    return principal is not None and principal.role in MANAGERS


def is_staff(principal=None):
    principal = _principal(principal)
    return principal is not None and principal.role in STAFF


def own_teacher_profile(principal=None):
    """The caller's own teacher profile in the current studio, or None (cached per request)."""
    principal = _principal(principal)
    if principal is None or principal.studio is None:
        return None
    key = ("own_teacher_profile", principal.studio.id, principal.user.id)
    cache = g.setdefault("people_policy_cache", {})
    if key not in cache:
        cache[key] = db.session.scalar(scoped(TeacherProfile, principal.studio).where(
            TeacherProfile.user_id == principal.user.id
        ))
    return cache[key]


def guardian_family_ids(principal=None):
    """SELECT of the ids of the families the caller is a guardian of."""
    principal = _principal(principal)
    return select(FamilyGuardian.family_id).where(
        FamilyGuardian.studio_id == principal.studio.id,
        FamilyGuardian.user_id == principal.user.id,
    )


def sees_whole_directory(principal=None):
    """Managers see every student and family; teachers too when the studio says so."""
    principal = _principal(principal)
    if principal.role in MANAGERS:
        return True
    return principal.role == TEACHER and bool(principal.studio.teachers_see_all_students)


def taught_student_ids(principal=None):
    """SELECT of the ids of the students a teacher teaches: those whose primary teacher they
    are, and those in any of their lessons."""
    from app.scheduling.models import Lesson, LessonAttendee

    principal = _principal(principal)
    own = own_teacher_profile(principal) if principal.role == TEACHER else None
    if own is None:
        return select(Student.id).where(false())
    primary = select(Student.id).where(
        Student.studio_id == principal.studio.id, Student.primary_teacher_id == own.id)
    in_lessons = (
        select(LessonAttendee.student_id)
        .join(Lesson, Lesson.id == LessonAttendee.lesson_id)
        .where(LessonAttendee.studio_id == principal.studio.id, Lesson.studio_id == principal.studio.id,
               Lesson.teacher_id == own.id)
    )
    return primary.union(in_lessons)


def visible_students(principal=None):
    """SELECT of the students the caller may see: managers all, teachers those they teach
    (or all, per the studio setting), parents their children, students themselves."""
    principal = _principal(principal)
    stmt = scoped(Student, principal.studio)
    if sees_whole_directory(principal):
        return stmt
    if principal.role == TEACHER:
        return stmt.where(Student.id.in_(taught_student_ids(principal)))
    if principal.role == PARENT:
        return stmt.where(Student.family_id.in_(guardian_family_ids(principal)))
    if principal.role == STUDENT:
        return stmt.where(Student.user_id == principal.user.id)
    return stmt.where(Student.id.is_(None))


def visible_families(principal=None):
    """SELECT of the families the caller may see: managers all, teachers the families of the
    students they see, parents their own."""
    principal = _principal(principal)
    stmt = scoped(Family, principal.studio)
    if sees_whole_directory(principal):
        return stmt
    if principal.role == TEACHER:
        taught = select(Student.family_id).where(
            Student.studio_id == principal.studio.id, Student.id.in_(taught_student_ids(principal)))
        return stmt.where(Family.id.in_(taught))
    if principal.role == PARENT:
        return stmt.where(Family.id.in_(guardian_family_ids(principal)))
    return stmt.where(Family.id.is_(None))


def visible_teachers(principal=None):
    """SELECT of teacher profiles: staff see archived ones too; families see active ones."""
    principal = _principal(principal)
    stmt = scoped(TeacherProfile, principal.studio)
    if principal.role in STAFF:
        return stmt
    return stmt.where(TeacherProfile.is_active.is_(True))


sync.archived(TeacherProfile, TeacherProfile.is_active.is_(False))  # gone from the families' list


def may_edit_teacher(teacher, principal=None):
    """Managers edit every profile; a teacher edits their own (bio, colours, availability)."""
    principal = _principal(principal)
    if is_manager(principal):
        return True
    own = own_teacher_profile(principal)
    return principal.role == TEACHER and own is not None and own.id == teacher.id


def may_see_hourly_rate(teacher, principal=None):
    """A teacher's hourly rate (their pay) is for managers and the teacher themself."""
    principal = _principal(principal)
    if is_manager(principal):
        return True
    own = own_teacher_profile(principal) if principal.role == TEACHER else None
    return own is not None and own.id == teacher.id


def may_see_billing(principal=None):
    """Family billing (billing email, balance) and lesson rates: managers and parents."""
    principal = _principal(principal)
    return principal is not None and principal.role in MANAGERS | {PARENT}


def may_see_staff_notes(principal=None):
    """Notes on students and families are the studio's own; families never see them."""
    return is_staff(principal)


def may_edit_family_contact(family, principal=None):
    """Managers edit any family; a parent edits the contact details of their own family."""
    principal = _principal(principal)
    if is_manager(principal):
        return True
    if principal.role != PARENT:
        return False
    return db.session.scalar(
        guardian_family_ids(principal).where(FamilyGuardian.family_id == family.id)
    ) is not None
