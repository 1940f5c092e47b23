"""Who may see and change which lessons, series, reservations and requests (SPEC §1).

Role-level actions are declared in app/core/permissions.py; these predicates add the
object-level rules. Admins and owners do everything; a teacher sees every lesson but changes
only their own; parents see their children's lessons and students their own.
"""
from sqlalchemy import false, select

from app.core.db import utcnow
from app.core.errors import PermissionDenied
from app.core.permissions import MANAGERS, PARENT, STAFF, STUDENT, TEACHER
from app.core.tenancy import current_principal
from app.people.models import Student
from app.people.policies import is_manager, own_teacher_profile, visible_students
from app.scheduling.models import (
    CancellationRequest,
    Lesson,
    LessonAttendee,
    MakeupCredit,
    RecurringSeries,
    RoomReservation,
)


def _principal(principal=None):
    return principal or current_principal()


def family_student_ids(principal=None):
    """SELECT of the ids of the students a parent or student acts for."""
    principal = _principal(principal)
    return visible_students(principal).with_only_columns(Student.id).order_by(None)


def _sees_everything(principal):
    return principal.role in STAFF


def restrict_lessons(stmt, principal=None):
    """Limit a SELECT of lessons to those the caller may see."""
    principal = _principal(principal)
    if _sees_everything(principal):
        return stmt
    if principal.role not in (PARENT, STUDENT):
        return stmt.where(false())
    attending = select(LessonAttendee.lesson_id).where(
        LessonAttendee.studio_id == principal.studio.id,
        LessonAttendee.student_id.in_(family_student_ids(principal)),
    )
    return stmt.where(Lesson.id.in_(attending))


def restrict_series(stmt, principal=None):
    principal = _principal(principal)
    if _sees_everything(principal):
        return stmt
    if principal.role not in (PARENT, STUDENT):
        return stmt.where(false())
    return stmt.where(RecurringSeries.student_id.in_(family_student_ids(principal)))


def restrict_credits(stmt, principal=None):
    principal = _principal(principal)
    if _sees_everything(principal):
        return stmt
    return stmt.where(MakeupCredit.student_id.in_(family_student_ids(principal)))


def restrict_requests(stmt, principal=None):
    """Staff see every request; families see the ones for their own students' lessons."""
    principal = _principal(principal)
    if _sees_everything(principal):
        return stmt
    return restrict_lessons(stmt.join(CancellationRequest.lesson), principal)


def restrict_reservations(stmt, principal=None):
    """Staff see every reservation; students their own."""
    principal = _principal(principal)
    if _sees_everything(principal):
        return stmt
    return stmt.where(RoomReservation.user_id == principal.user.id)


def teaches(lesson_or_series, principal=None):
    principal = _principal(principal)
    own = own_teacher_profile(principal) if principal.role == TEACHER else None
    return own is not None and lesson_or_series.teacher_id == own.id


def may_manage_lesson(lesson_or_series, principal=None):
    """Managers change any lesson or series; teachers their own."""
    principal = _principal(principal)
    return principal.role in MANAGERS or teaches(lesson_or_series, principal)


def ensure_may_manage(lesson_or_series, principal=None):
    if not may_manage_lesson(lesson_or_series, principal):
        raise PermissionDenied("You can only change your own lessons.")


def ensure_may_teach(teacher, principal=None):
    """Teachers schedule lessons for themselves only."""
    principal = _principal(principal)
    if principal.role in MANAGERS:
        return
    own = own_teacher_profile(principal)
    if own is None or own.id != teacher.id:
        raise PermissionDenied("Teachers can only schedule their own lessons.")


def may_request_cancellation(lesson, principal=None):
    """Parents (for their children) and students (for themselves), before the lesson starts."""
    principal = _principal(principal)
    return (principal.role in (PARENT, STUDENT) and lesson.is_scheduled
            and lesson.start_at > utcnow())


def may_see_rate(principal=None):
    """Lesson rates are what families pay: managers and parents see them."""
    principal = _principal(principal)
    return principal is not None and principal.role in MANAGERS | {PARENT}


def may_manage_reservation(reservation, principal=None):
    principal = _principal(principal)
    return is_manager(principal) or reservation.user_id == principal.user.id
