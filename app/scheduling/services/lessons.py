"""Lessons: schedule one, change it, cancel, reschedule, take attendance (SPEC §3).

Every verb is one action that either happens completely or raises a DomainError before it
writes anything: 400 for bad input, 409 for a clash or a lesson in the wrong state.
"""
import uuid
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import select, update

from app.core import audit, validation
from app.core.db import utcnow
from app.core.errors import Conflict, DomainError, ValidationFailed
from app.core.tenancy import parse_uuid
from app.extensions import db
from app.scheduling.models import (
    LESSON_TYPES,
    SINGLE_STUDENT_TYPES,
    CancellationRequest,
    Lesson,
    LessonAttendee,
    MakeupCredit,
)
from app.scheduling.services import bell
from app.scheduling.services.availability import booking_warnings
from app.scheduling.services.booking import UNSET, LessonChanges, Placement
from app.scheduling.services.common import (
    default_end,
    default_rate,
    lock_resources,
    money,
    resolve_room,
    resolve_students,
    resolve_teacher,
    room_named,
    validate_interval,
)
from app.scheduling.services.conflicts import find_clashes, raise_if_clashes
from app.scheduling.services.notices import notify_cancelled, notify_rescheduled
from app.scheduling.services.webhook_data import announce_lesson

MAX_GROUP_SIZE = 50
SCHEDULE_FIELDS = ("start", "end", "teacher", "room", "students")


class NeedsConfirmation(DomainError):
    """The booking is possible but staff should confirm the warnings first (HTML only)."""

    status, code = 422, "CONFIRMATION_REQUIRED"

    def __init__(self, warnings):
        super().__init__("Please confirm: " + " ".join(warnings), extra={"warnings": warnings})
        self.warnings = warnings


@dataclass
class Booking:
    """A scheduled lesson and what staff should know about it."""

    lesson: Lesson
    warnings: list = field(default_factory=list)


# ---------------------------------------------------------------- validation

def usual_lesson_type(students):
    """The lesson a booking without a type is: the student's usual one; for several, a group."""
    if len(students) == 1:
        return students[0].default_lesson_type
    return "group"


def validate_lesson_type(lesson_type, students):
    validation.field("lesson_type", validation.choice, lesson_type, choices=LESSON_TYPES)
    if not students:
        raise ValidationFailed(field_errors={"student": ["Choose a student."]})
    if lesson_type in SINGLE_STUDENT_TYPES and len(students) != 1:
        raise ValidationFailed(field_errors={"students": [
            f"A {lesson_type} lesson has exactly one student; book a group lesson for more."]})
    if len(students) > MAX_GROUP_SIZE:
        raise ValidationFailed(field_errors={"students": [f"At most {MAX_GROUP_SIZE} students."]})


def validate_place(location, online_url):
    validation.field("location", validation.text, location, max_length=200)
    if online_url:
        validation.field("online_url", validation.url, online_url)


def _ensure_scheduled(lesson, action):
    if lesson.status != "scheduled":
        state = lesson.status.replace("_", "-")
        raise Conflict(f"This lesson is {state}; only scheduled lessons can be {action}.")


def _ensure_not_billed(lesson):
    if lesson.is_billed:
        raise Conflict("This lesson is on an invoice already; void or credit the invoice first.")


# ---------------------------------------------------------------- create

def new_lesson(studio, actor, placement, start, end, *, series=None, occurrence_date=None,
               rescheduled_from=None, is_exception=False):
    """Add a lesson row and its attendees to the session, without any checks: `placement`
    holds resolved rows (teacher, students, room) and a clean rate."""
    teacher, students, room = placement.teacher, placement.students, placement.room
    lesson = Lesson(
        id=uuid.uuid4(), studio_id=studio.id, teacher_id=teacher.id,
        student_id=students[0].id if len(students) == 1 else None,
        room_id=room.id if room else None, location=placement.location or "",
        online_url=placement.online_url or "", start_at=start, end_at=end,
        lesson_type=placement.lesson_type, status="scheduled", rate=placement.rate,
        notes=placement.notes or "", series_id=series.id if series else None,
        occurrence_date=occurrence_date,
        rescheduled_from_id=rescheduled_from.id if rescheduled_from else None,
        is_exception=is_exception, created_by_id=getattr(actor, "id", None),
    )
    lesson.attendees = [
        LessonAttendee(id=uuid.uuid4(), studio_id=studio.id, student_id=s.id, student=s)
        for s in students
    ]
    lesson.teacher, lesson.room = teacher, room
    if len(students) == 1:
        lesson.student = students[0]
    db.session.add(lesson)
    return lesson


def _resolve_credit(studio, credit_id, students):
    credit = db.session.scalar(select(MakeupCredit).where(
        MakeupCredit.studio_id == studio.id, MakeupCredit.id == parse_uuid(credit_id)
    )) if parse_uuid(credit_id) else None
    if credit is None:
        raise ValidationFailed(field_errors={"makeup_credit": ["Unknown make-up credit."]})
    if not credit.is_available:
        raise ValidationFailed(field_errors={"makeup_credit": [f"This credit is {credit.status}."]})
    if [s.id for s in students] != [credit.student_id]:
        raise ValidationFailed(field_errors={"makeup_credit": ["This credit belongs to another student."]})
    return credit


def schedule_lesson(studio, actor, placement: Placement, *, start, end=None, makeup_credit=None,
                    confirm_warnings=True):
    """Book one lesson; without `end` it lasts the (first) student's default lesson length,
    and without a rate it costs what `default_rate` says. 409 when the teacher, a student or
    the room is busy; a booking outside the teacher's availability succeeds with warnings (or, with
    `confirm_warnings=False`, raises NeedsConfirmation first). A lesson that uses a make-up
    credit is a make-up lesson, whatever `lesson_type` says."""
    teacher = resolve_teacher(studio, placement.teacher)
    students = placement.students
    students = resolve_students(studio, students, "student" if len(students or []) <= 1 else "students")
    room = resolve_room(studio, placement.room)
    location, online_url, lesson_type = placement.location, placement.online_url, placement.lesson_type
    if room is None and location:
        room = room_named(studio, location)
        location = "" if room else location
    if end is None:
        end = default_end(start, students)
    validate_interval(start, end)
    if makeup_credit:
        lesson_type = "makeup"
    elif lesson_type is None:
        lesson_type = usual_lesson_type(students)
    validate_lesson_type(lesson_type, students)
    validate_place(location, online_url)
    credit = _resolve_credit(studio, makeup_credit, students) if makeup_credit else None
    warnings = booking_warnings(studio, teacher, start, end, room=room, student_count=len(students))
    if warnings and not confirm_warnings:
        raise NeedsConfirmation(warnings)
    lock_resources(studio, teacher_ids=[teacher.id], student_ids=[s.id for s in students],
                   room_ids=[room.id] if room else [])
    raise_if_clashes(find_clashes(
        studio, [(start, end, None)], teacher_id=teacher.id, student_ids=[s.id for s in students],
        room_id=room.id if room else None,
    ))
    rate = money(placement.rate)
    if rate is None:
        rate = money(0) if credit else default_rate(
            teacher, students, int((end - start).total_seconds() // 60))
    lesson = new_lesson(studio, actor, replace(
        placement, teacher=teacher, students=tuple(students), room=room, location=location,
        lesson_type=lesson_type, rate=rate), start, end)
    db.session.flush()
    if credit is not None:
        _consume_credit(credit, lesson)
    bell.lesson_scheduled(studio, actor, lesson)
    announce_lesson(studio, "lesson.created", lesson)
    return Booking(lesson, warnings)


def _consume_credit(credit, lesson):
    """Mark the credit used by `lesson`, only if it is still unused and unexpired: one
    conditional UPDATE, so of concurrent bookings against one credit exactly one wins."""
    now = utcnow()
    taken = db.session.execute(
        update(MakeupCredit).where(
            MakeupCredit.studio_id == lesson.studio_id, MakeupCredit.id == credit.id,
            MakeupCredit.used_by_lesson_id.is_(None), MakeupCredit.expires_at > now,
        ).values(used_by_lesson_id=lesson.id, used_at=now).execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise Conflict("This make-up credit was used meanwhile; choose another or book without it.")
    db.session.expire(credit)


# ---------------------------------------------------------------- change one lesson

def update_lesson(studio, actor, lesson, edit: LessonChanges, *, confirm_warnings=True):
    """Change this lesson only. A changed series lesson becomes an exception that later
    series edits leave alone. Notes may change in any state; the rest only while scheduled."""
    start, end, teacher, room, students = edit.start, edit.end, edit.teacher, edit.room, edit.students
    location, online_url, rate, lesson_type = edit.location, edit.online_url, edit.rate, edit.lesson_type
    changes = set(edit.given()) - {"notes"}
    if changes:
        _ensure_scheduled(lesson, "changed")
    if lesson.is_billed and {"start", "end", "rate", "students", "lesson_type"} & changes:
        _ensure_not_billed(lesson)
    new_teacher = resolve_teacher(studio, teacher) if teacher is not UNSET else lesson.teacher
    new_room = resolve_room(studio, room) if room is not UNSET else lesson.room
    new_students = (resolve_students(studio, students) if students is not UNSET else lesson.students)
    new_start = lesson.start_at if start is UNSET else start
    new_end = lesson.end_at if end is UNSET else end
    if start is not UNSET and end is UNSET:
        new_end = new_start + (lesson.end_at - lesson.start_at)  # moving keeps the length
    new_type = lesson.lesson_type if lesson_type is UNSET else lesson_type
    validate_interval(new_start, new_end)
    validate_lesson_type(new_type, new_students)
    validate_place(lesson.location if location is UNSET else location,
                   lesson.online_url if online_url is UNSET else online_url)
    schedule_changed = (new_start, new_end, new_teacher.id, getattr(new_room, "id", None),
                        [s.id for s in new_students]) != (
        lesson.start_at, lesson.end_at, lesson.teacher_id, lesson.room_id, lesson.student_ids)
    warnings = []
    if schedule_changed:
        warnings = booking_warnings(studio, new_teacher, new_start, new_end, room=new_room,
                                    student_count=len(new_students))
        if warnings and not confirm_warnings:
            raise NeedsConfirmation(warnings)
        _check_free(studio, new_teacher, new_students, new_room, new_start, new_end,
                    exclude=[lesson.id])
        _apply_schedule(studio, lesson, new_teacher, new_students, new_room, new_start, new_end)
        if lesson.series_id:
            lesson.is_exception = True
    for name, value in (("location", location), ("online_url", online_url), ("notes", edit.notes)):
        if value is not UNSET:
            setattr(lesson, name, value or "")
    if rate is not UNSET:
        if money(rate) != lesson.rate:
            audit.record(studio, actor, "lesson.rate_changed", lesson, old=str(lesson.rate), new=str(rate))
        lesson.rate = money(rate)
    lesson.lesson_type = new_type
    db.session.flush()
    return Booking(lesson, warnings)


def _check_free(studio, teacher, students, room, start, end, exclude):
    lock_resources(studio, teacher_ids=[teacher.id], student_ids=[s.id for s in students],
                   room_ids=[room.id] if room else [])
    raise_if_clashes(find_clashes(
        studio, [(start, end, None)], teacher_id=teacher.id, student_ids=[s.id for s in students],
        room_id=room.id if room else None, exclude_lessons=exclude,
    ))


def _apply_schedule(studio, lesson, teacher, students, room, start, end):
    lesson.teacher, lesson.teacher_id = teacher, teacher.id
    lesson.room, lesson.room_id = room, room.id if room else None
    lesson.start_at, lesson.end_at = start, end
    wanted = {s.id for s in students}
    lesson.attendees = [a for a in lesson.attendees if a.student_id in wanted] + [
        LessonAttendee(id=uuid.uuid4(), studio_id=studio.id, student_id=s.id, student=s)
        for s in students if s.id not in set(lesson.student_ids)
    ]
    lesson.student_id = students[0].id if len(students) == 1 else None
    lesson.student = students[0] if len(students) == 1 else None


def delete_lesson(studio, actor, lesson):
    """Remove a lesson booked by mistake: scheduled, unbilled, without attendance. A make-up
    credit it used is given back."""
    _ensure_scheduled(lesson, "deleted (cancel it instead)")
    _ensure_not_billed(lesson)
    _release_credit(lesson)
    audit.record(studio, actor, "lesson.deleted", lesson, start=lesson.start_at,
                 teacher=str(lesson.teacher_id), students=[str(i) for i in lesson.student_ids])
    db.session.delete(lesson)
    db.session.flush()


# ---------------------------------------------------------------- cancel

def _is_late(studio, lesson, when):
    return lesson.start_at - when < timedelta(hours=studio.cancellation_notice_hours or 0)


def _release_credit(lesson):
    """A cancelled make-up lesson gives its credit back."""
    credit = db.session.scalar(select(MakeupCredit).where(
        MakeupCredit.studio_id == lesson.studio_id, MakeupCredit.used_by_lesson_id == lesson.id
    ))
    if credit is not None:
        credit.used_by_lesson_id, credit.used_at = None, None
    return credit


def _grant_credits(studio, lesson, now):
    expires = now + timedelta(days=studio.makeup_credit_expiry_days or 60)
    credits = []
    for attendee in lesson.attendees:
        credit = MakeupCredit(
            id=uuid.uuid4(), studio_id=studio.id, family_id=attendee.student.family_id,
            student_id=attendee.student_id, source_lesson_id=lesson.id, expires_at=expires,
        )
        db.session.add(credit)
        credits.append(credit)
    return credits


def cancellation_outcome(studio, lesson, *, initiated_by="family", requested_at=None, now=None):
    """What a cancellation costs: `no_charge`, `makeup_credit` or `charged` (SPEC §3).

    Outside the notice window, and whenever the studio cancels, nothing is charged. Inside
    it, the studio's policy applies: a make-up credit when credits are on, else a charge.
    """
    if initiated_by == "studio" or lesson.lesson_type == "makeup":
        return "no_charge"
    if not _is_late(studio, lesson, requested_at or now or utcnow()):
        return "no_charge"
    return "makeup_credit" if studio.makeup_credits_enabled else "charged"


def cancel_lesson(studio, actor, lesson, reason="", *, initiated_by="family", requested_at=None,
                  now=None, outcome=None, notify=True):
    """Cancel a scheduled lesson: its slot is freed and the cancellation policy applied.

    `requested_at` (a parent's request time) decides whether notice was short. Requests to
    cancel this lesson that are still open are settled with it. The families of an upcoming
    lesson are emailed (`notify`), those who asked for it a confirmation.
    """
    _ensure_scheduled(lesson, "cancelled")
    _ensure_not_billed(lesson)
    if initiated_by not in ("family", "studio"):
        raise ValidationFailed(field_errors={"initiated_by": ["Choose family or studio."]})
    now = now or utcnow()
    outcome = outcome or cancellation_outcome(studio, lesson, initiated_by=initiated_by,
                                              requested_at=requested_at, now=now)
    lesson.status = "cancelled"
    lesson.cancellation_reason = (reason or "").strip()[:500]
    lesson.cancelled_by_id = getattr(actor, "id", None)
    lesson.cancelled_at = now
    lesson.cancellation_outcome = outcome
    for attendee in lesson.attendees:
        attendee.attendance = "excused"
    _release_credit(lesson)
    if outcome == "makeup_credit":
        _grant_credits(studio, lesson, now)
    if outcome != "no_charge":
        audit.record(studio, actor, "lesson.cancelled_late", lesson, outcome=outcome,
                     reason=lesson.cancellation_reason)
    if notify:
        notify_cancelled(studio, lesson, now=now)
        bell.lesson_cancelled(studio, actor, lesson, now=now)
    _settle_requests(lesson, actor, now)
    db.session.flush()
    announce_lesson(studio, "lesson.cancelled", lesson)
    return lesson


def _settle_requests(lesson, actor, now):
    open_requests = db.session.scalars(select(CancellationRequest).where(
        CancellationRequest.studio_id == lesson.studio_id, CancellationRequest.lesson_id == lesson.id,
        CancellationRequest.status == "pending",
    )).all()
    for request in open_requests:
        request.status, request.reviewed_at = "approved", now
        request.reviewed_by_id = getattr(actor, "id", None)
        request.response = "The lesson was moved." if lesson.cancellation_reason == "rescheduled" \
            else "The lesson is cancelled."


# ---------------------------------------------------------------- reschedule

def reschedule_lesson(studio, actor, lesson, *, start, end=None, teacher=UNSET, room=UNSET,
                      confirm_warnings=True, notify=True):
    """Move a lesson: the new lesson (rescheduled_from = old) is created, the old one is
    cancelled with reason "rescheduled" and its slot freed. The families of an upcoming
    lesson are emailed its old and new time (`notify`). Returns the new booking."""
    _ensure_scheduled(lesson, "rescheduled")
    _ensure_not_billed(lesson)
    new_teacher = resolve_teacher(studio, teacher) if teacher is not UNSET else lesson.teacher
    new_room = resolve_room(studio, room) if room is not UNSET else lesson.room
    end = end if end is not None else (start + (lesson.end_at - lesson.start_at) if start else None)
    validate_interval(start, end)
    students = lesson.students
    warnings = booking_warnings(studio, new_teacher, start, end, room=new_room,
                                student_count=len(students))
    if warnings and not confirm_warnings:
        raise NeedsConfirmation(warnings)
    _check_free(studio, new_teacher, students, new_room, start, end, exclude=[lesson.id])
    placement = Placement(
        teacher=new_teacher, students=tuple(students), lesson_type=lesson.lesson_type,
        room=new_room, location=lesson.location, online_url=lesson.online_url, rate=lesson.rate,
        notes=lesson.notes,
    )
    new = new_lesson(studio, actor, placement, start, end, series=lesson.series,
                     occurrence_date=lesson.occurrence_date, rescheduled_from=lesson,
                     is_exception=lesson.series_id is not None)
    credit = _release_credit(lesson)
    cancel_lesson(studio, actor, lesson, "rescheduled", initiated_by="studio", outcome="no_charge",
                  notify=False)
    if credit is not None:
        credit.used_by_lesson_id, credit.used_at = new.id, utcnow()
    if notify:
        notify_rescheduled(studio, lesson, new)
        bell.lesson_rescheduled(studio, actor, lesson, new)
    db.session.flush()
    announce_lesson(studio, "lesson.rescheduled", new)
    return Booking(new, warnings)
