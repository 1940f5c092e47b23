"""Cancellation requests from families, and the make-up credits late cancellations earn."""
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core import validation
from app.core.db import utcnow
from app.core.errors import Conflict
from app.extensions import db
from app.scheduling.models import CancellationRequest, Lesson, MakeupCredit
from app.scheduling.policies import restrict_requests
from app.scheduling.services import bell
from app.scheduling.services.lessons import cancel_lesson


def pending_request_for(lesson):
    return db.session.scalar(select(CancellationRequest).where(
        CancellationRequest.studio_id == lesson.studio_id,
        CancellationRequest.lesson_id == lesson.id, CancellationRequest.status == "pending",
    ))


def pending_requests(principal, teacher_id=None, limit=50):
    """Open cancellation requests the caller sees (of one teacher's lessons when given),
    oldest first, and how many there are in all."""
    stmt = restrict_requests(select(CancellationRequest).where(
        CancellationRequest.studio_id == principal.studio.id, CancellationRequest.status == "pending"),
        principal)
    if teacher_id is not None:
        stmt = stmt.where(CancellationRequest.lesson_id.in_(select(Lesson.id).where(
            Lesson.studio_id == principal.studio.id, Lesson.teacher_id == teacher_id)))
    count = db.session.scalar(stmt.with_only_columns(func.count(CancellationRequest.id)).order_by(None))
    requests = db.session.scalars(stmt.order_by(CancellationRequest.created_at, CancellationRequest.id)
                                  .limit(limit)).all()
    return requests, count


def request_cancellation(studio, actor, lesson, reason="", *, now=None):
    """A parent or student asks the studio to cancel a lesson. One open request per lesson;
    the time of the request decides whether the notice was short."""
    now = now or utcnow()
    if lesson.status != "scheduled" or lesson.start_at <= now:
        raise Conflict("Only upcoming scheduled lessons can be cancelled.")
    if pending_request_for(lesson) is not None:
        raise Conflict("A cancellation of this lesson is already requested.")
    reason = validation.field("reason", validation.text, reason, max_length=500)
    request = CancellationRequest(
        id=uuid.uuid4(), studio_id=studio.id, lesson_id=lesson.id, requested_by_id=actor.id,
        reason=reason, status="pending",
    )
    request.lesson, request.requested_by = lesson, actor
    request.created_at = now
    db.session.add(request)
    db.session.flush()
    bell.cancellation_requested(studio, actor, request)
    return request


def _ensure_pending(request):
    if request.status != "pending":
        raise Conflict(f"This request is already {request.status}.")


def approve_request(studio, actor, request, response=""):
    """Cancel the lesson as the family asked, under the policy as of the request's time."""
    _ensure_pending(request)
    reason = request.reason or "Cancelled at the family's request"
    if request.lesson.status == "scheduled":
        cancel_lesson(studio, actor, request.lesson, reason, initiated_by="family",
                      requested_at=request.created_at)
    request.status = "approved"
    request.reviewed_by_id, request.reviewed_at = actor.id, utcnow()
    request.response = (response or "").strip()[:500]
    db.session.flush()
    return request


def decline_request(studio, actor, request, response=""):
    _ensure_pending(request)
    request.status = "declined"
    request.reviewed_by_id, request.reviewed_at = actor.id, utcnow()
    request.response = (response or "").strip()[:500]
    db.session.flush()
    return request


def available_credits(studio, student_ids=None, limit=200):
    """Unused, unexpired make-up credits (of these students, or all), oldest expiry first."""
    stmt = select(MakeupCredit).where(
        MakeupCredit.studio_id == studio.id, MakeupCredit.used_by_lesson_id.is_(None),
        MakeupCredit.expires_at > utcnow(),
    )
    if student_ids is not None:
        stmt = stmt.where(MakeupCredit.student_id.in_(list(student_ids)))
    return db.session.scalars(stmt.order_by(MakeupCredit.expires_at).limit(limit)).all()


def family_credits(studio, family_id, limit=200):
    """A family's make-up credits, newest first, with the lessons that earned and used them."""
    return _credit_list(studio, MakeupCredit.family_id == family_id, limit)


def credits_of_students(studio, student_ids, limit=200):
    """The make-up credits of these students (a parent's children, a student themself)."""
    return _credit_list(studio, MakeupCredit.student_id.in_(student_ids), limit)


def _credit_list(studio, condition, limit):
    stmt = select(MakeupCredit).where(MakeupCredit.studio_id == studio.id, condition).options(
        selectinload(MakeupCredit.source_lesson), selectinload(MakeupCredit.used_by_lesson))
    return db.session.scalars(stmt.order_by(MakeupCredit.created_at.desc()).limit(limit)).all()
