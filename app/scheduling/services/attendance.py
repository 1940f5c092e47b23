"""Attendance: a lesson taught (with per-student attendance), a no-show, or undone."""
from app.core.db import utcnow
from app.core.errors import Conflict, ValidationFailed
from app.core.timeutil import local_today, to_local
from app.extensions import db
from app.scheduling.models import ATTENDANCE
from app.scheduling.services.lessons import _ensure_not_billed
from app.scheduling.services.webhook_data import announce_lesson


def _ensure_has_begun(studio, lesson, now=None):
    if to_local(studio, lesson.start_at).date() > local_today(studio, now):
        raise Conflict("Attendance can be taken from the day of the lesson on.")


def _ensure_attendance_allowed(studio, lesson, now=None):
    if lesson.status == "cancelled":
        raise Conflict("This lesson is cancelled; there is no attendance to take.")
    _ensure_not_billed(lesson)
    _ensure_has_begun(studio, lesson, now)


def complete_lesson(studio, actor, lesson, attendance=None, *, now=None):
    """Mark a lesson as taught. `attendance` maps student ids to present/absent/excused
    (group lessons); students not named are present."""
    _ensure_attendance_allowed(studio, lesson, now)
    attendance = {str(k): v for k, v in (attendance or {}).items()}
    known = {str(a.student_id) for a in lesson.attendees}
    unknown = set(attendance) - known
    if unknown:
        raise ValidationFailed(field_errors={"attendance": ["Not a student of this lesson: "
                                                            + ", ".join(sorted(unknown))]})
    bad = {v for v in attendance.values() if v not in ATTENDANCE or v == "pending"}
    if bad:
        raise ValidationFailed(field_errors={"attendance": ["Use present, absent or excused."]})
    for attendee in lesson.attendees:
        attendee.attendance = attendance.get(str(attendee.student_id), "present")
    lesson.status = "completed"
    lesson.attendance_taken_at = utcnow()
    db.session.flush()
    announce_lesson(studio, "lesson.completed", lesson)
    return lesson


def mark_present(studio, actor, lessons, *, now=None):
    """Bulk attendance: each of `lessons` whose attendance is still missing is marked as
    taught with every student present, by `complete_lesson` (same rules, same effects).
    Lessons taken or cancelled meanwhile are left as they are. All or nothing: a lesson that
    may not be marked (not begun yet, billed) refuses the whole batch. Returns those marked."""
    pending = [lesson for lesson in lessons if lesson.status == "scheduled"]
    for lesson in pending:  # every check before the first change
        _ensure_attendance_allowed(studio, lesson, now)
    for lesson in pending:
        complete_lesson(studio, actor, lesson, now=now)
    return pending


def mark_no_show(studio, actor, lesson, *, now=None):
    """The student did not come (without notice): billed like a taught lesson."""
    _ensure_attendance_allowed(studio, lesson, now)
    for attendee in lesson.attendees:
        attendee.attendance = "absent"
    lesson.status = "no_show"
    lesson.attendance_taken_at = utcnow()
    db.session.flush()
    return lesson


def reopen_lesson(studio, actor, lesson):
    """Undo attendance: a completed or no-show lesson is scheduled again (until billed)."""
    if lesson.status not in ("completed", "no_show"):
        raise Conflict("Only completed or no-show lessons can be reopened.")
    _ensure_not_billed(lesson)
    for attendee in lesson.attendees:
        attendee.attendance = "pending"
    lesson.status, lesson.attendance_taken_at = "scheduled", None
    db.session.flush()
    return lesson
