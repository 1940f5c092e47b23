"""Emails to the families of a lesson: who they go to, and the notices sent when the studio
cancels or moves an upcoming lesson (queued in the outbox, in the transaction of the change).

Each address gets one email written for the families it speaks for: their own children in
full, classmates as the studio's privacy setting says (AttendeeView).
"""
import hashlib

from sqlalchemy import select

from app.core.db import utcnow
from app.core.formatting import date_filter, time_filter
from app.core.links import public_url
from app.extensions import db
from app.messaging.services import send_templated
from app.people.models import FamilyGuardian
from app.scheduling.models import CancellationRequest
from app.scheduling.policies import AttendeeView

OUTCOME_LINES = {
    "makeup_credit": "The cancellation came at short notice; under the studio's policy you get "
                     "a make-up credit for another lesson.",
    "charged": "The cancellation came at short notice; under the studio's policy this lesson "
               "is charged.",
}


def recipients(lesson):
    """{address: ids of the families it speaks for}: each student's own address and their
    family's guardians'."""
    family_ids = {s.family_id for s in lesson.students}
    guardians = db.session.scalars(select(FamilyGuardian).where(
        FamilyGuardian.studio_id == lesson.studio_id, FamilyGuardian.family_id.in_(family_ids)
    )).all() if family_ids else []
    pairs = [(s.contact_email, s.family_id) for s in lesson.students]
    pairs += [(g.contact_email, g.family_id) for g in guardians]
    result = {}
    for address, family_id in pairs:
        address = (address or "").strip().lower()
        if address:
            result.setdefault(address, set()).add(family_id)
    return result


def lesson_time(studio, moment, width="full"):
    """A lesson's time on the studio's clock, in its locale: "Tuesday, January 5, 2027 at
    4:00 PM Eastern Standard Time" (full) or "Jan 5, 2027, 4:00 PM" (medium)."""
    if width == "medium":
        return f"{date_filter(moment, 'medium', studio)}, {time_filter(moment, 'short', studio)}"
    return (f"{date_filter(moment, 'full', studio)} at {time_filter(moment, 'short', studio)} "
            f"{time_filter(moment, 'zzzz', studio)}")


def title_for(studio, lesson, family_ids):
    """Whose lesson it is, as these families may read it."""
    own = [s.id for s in lesson.students if s.family_id in family_ids]
    return AttendeeView(studio, own).title(lesson)


def _queue(studio, lesson, kind, address, subject, **context):
    key = f"lesson-{kind}:{lesson.id}:{hashlib.sha256(address.encode()).hexdigest()[:16]}"
    return send_templated(address, subject, f"lesson_{kind}", studio=studio, dedupe_key=key,
                          schedule_url=public_url("dashboard.index"), **context)


def _requesting_families(lesson, addresses):
    """The families whose own cancellation request this cancellation grants."""
    requests = db.session.scalars(select(CancellationRequest).where(
        CancellationRequest.studio_id == lesson.studio_id,
        CancellationRequest.lesson_id == lesson.id, CancellationRequest.status == "pending",
    )).all()
    asked = set()
    for request in requests:
        asked |= addresses.get((request.requested_by.email or "").lower(), set())
    return asked


def notify_cancelled(studio, lesson, *, now=None):
    """Tell the families of a cancelled upcoming lesson, with the reason and what the
    cancellation costs them. A family whose own request it grants reads a confirmation.
    Lessons already begun are not announced. Call before open requests are settled."""
    if lesson.start_at <= (now or utcnow()):
        return []
    addresses = recipients(lesson)
    asked = _requesting_families(lesson, addresses)
    when = lesson_time(studio, lesson.start_at)
    emails = []
    for address, family_ids in addresses.items():
        confirmed = bool(family_ids & asked)
        subject = (f"{'Cancellation confirmed' if confirmed else 'Lesson cancelled'}: "
                   f"{lesson_time(studio, lesson.start_at, 'medium')}")
        emails.append(_queue(
            studio, lesson, "cancelled", address, subject, confirmed=confirmed, when=when,
            who=title_for(studio, lesson, family_ids), teacher=lesson.teacher.full_name,
            reason=lesson.cancellation_reason,
            outcome=OUTCOME_LINES.get(lesson.cancellation_outcome, "")))
    return [email for email in emails if email is not None]


def notify_rescheduled(studio, old, new, *, now=None):
    """Tell the families of a moved lesson its old and new time (and teacher, if another
    one teaches it now). Lessons already begun are not announced."""
    if old.start_at <= (now or utcnow()):
        return []
    emails = []
    for address, family_ids in recipients(new).items():
        subject = f"Lesson moved to {lesson_time(studio, new.start_at, 'medium')}"
        emails.append(_queue(
            studio, new, "rescheduled", address, subject,
            who=title_for(studio, new, family_ids), teacher=old.teacher.full_name,
            was=lesson_time(studio, old.start_at), now=lesson_time(studio, new.start_at),
            new_teacher=new.teacher.full_name if new.teacher_id != old.teacher_id else "",
            place=new.place, online_url=new.online_url))
    return [email for email in emails if email is not None]
