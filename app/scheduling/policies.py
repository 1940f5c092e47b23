"""Who may see and change which lessons, series, reservations and requests (SPEC §1).

Role-level actions are declared in app/core/permissions.py; these predicates add the
object-level rules. Admins and owners do everything; a teacher sees every lesson but changes
only their own; parents see their children's lessons and students their own.

In a group lesson, parents and students see their own children in full and the others by
first name only, or not at all (the studio's `classmate_names`): never a classmate's last
name, id or attendance. `AttendeeView` applies that rule for the pages, the API and feeds.
"""
from flask import g, has_request_context
from sqlalchemy import false, select

from app.core.db import utcnow
from app.core.errors import PermissionDenied
from app.core.permissions import MANAGERS, PARENT, STAFF, STUDENT, TEACHER
from app.core.tenancy import current_principal
from app.extensions import db
from app.people.models import Student
from app.people.services import is_manager, own_teacher_profile, visible_students
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


class AttendeeView:
    """What one caller may see of the students of the lessons shown to them."""

    def __init__(self, studio, own_student_ids=None):
        """`own_student_ids`: the children the caller acts for (None: staff, who see all)."""
        self.everyone = own_student_ids is None
        self.own = set() if self.everyone else {str(student_id) for student_id in own_student_ids}
        self.first_names = studio.classmate_names == "first_name"
        # What decides the output besides the rows: for results kept between requests.
        self.key = (self.everyone, self.first_names, tuple(sorted(self.own)))

    def attendee(self, student_id, first_name, last_name, attendance):
        """The attendee as the API shows it, or None when the caller sees nothing of them."""
        if self.everyone or str(student_id) in self.own:
            return {"id": student_id, "first_name": first_name, "last_name": last_name,
                    "full_name": f"{first_name} {last_name}".strip(), "attendance": attendance}
        if not self.first_names:
            return None
        return {"id": None, "first_name": first_name, "last_name": "", "full_name": first_name,
                "attendance": None}

    def students(self, lesson):
        """A lesson's attendees (ORM) as `attendee` shows them."""
        shown = (self.attendee(a.student_id, a.student.first_name, a.student.last_name, a.attendance)
                 for a in lesson.attendees)
        return [attendee for attendee in shown if attendee is not None]

    def title(self, lesson=None, students=None):
        """The names a lesson goes by: its students as the caller may see them."""
        if students is None and self.everyone:
            return lesson.title
        students = self.students(lesson) if students is None else students
        return ", ".join(student["full_name"] for student in students) or "No students"


def attendee_view(principal=None):
    """The caller's AttendeeView, made once per request."""
    principal = _principal(principal)
    views = g.setdefault("attendee_views", {}) if has_request_context() else {}
    key = (principal.user.id, principal.studio.id, principal.role)
    if key not in views:
        own = None if principal.role in STAFF else db.session.scalars(family_student_ids(principal)).all()
        views[key] = AttendeeView(principal.studio, own)
    return views[key]


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


def may_see_lesson_rate(principal=None):
    """A lesson's rate (what the family pays for it) is for managers and parents."""
    principal = _principal(principal)
    return principal is not None and principal.role in MANAGERS | {PARENT}


def may_manage_reservation(reservation, principal=None):
    principal = _principal(principal)
    return is_manager(principal) or reservation.user_id == principal.user.id
