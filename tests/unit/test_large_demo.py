"""The large demo studio (bench data), built at a small scale: its bulk-written year of
lessons, notes and invoices hold the same invariants the services keep."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select, text

from app.billing import services as billing
from app.billing.models import Invoice, InvoiceLineItem, Payment
from app.core.db import utcnow
from app.core.timeutil import add_months, local_today, month_start
from app.demo import LARGE_STAGES, seed
from app.extensions import db
from app.scheduling.models import Lesson, LessonAttendee, MakeupCredit, Room
from app.teaching.models import LessonNote

MONTHS = 2


# Lessons (not cancelled) that start before the previous one of the same teacher, room or
# student ends.
OVERLAPS = """
SELECT count(*) FROM (
  SELECT l.start_at, lag(l.end_at) OVER (PARTITION BY {who} ORDER BY l.start_at) AS previous_end
  FROM {lessons} WHERE l.status <> 'cancelled' AND {who} IS NOT NULL
) AS x WHERE previous_end > start_at
"""
TEACHER_OVERLAPS = OVERLAPS.format(who="l.teacher_id", lessons="lesson l")
ROOM_OVERLAPS = OVERLAPS.format(who="l.room_id", lessons="lesson l")
STUDENT_OVERLAPS = OVERLAPS.format(
    who="a.student_id", lessons="lesson l JOIN lesson_attendee a ON a.lesson_id = l.id")


def test_large_demo_at_a_small_scale_keeps_every_invariant(ctx):
    stages = []
    studio = seed("large", stages.append, teachers=4, students=60, months=MONTHS)
    db.session.flush()
    assert stages == list(LARGE_STAGES)
    assert _count(Room, Room.studio_id == studio.id) == 20
    for overlaps in (TEACHER_OVERLAPS, ROOM_OVERLAPS, STUDENT_OVERLAPS):
        assert db.session.scalar(text(overlaps)) == 0
    _assert_lesson_history(studio)
    _assert_notes(studio)
    _assert_invoices(studio)
    _assert_billing(studio)


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _assert_lesson_history(studio):
    """Mostly taught; some cancelled, no-shows, group classes and make-ups; attendance as
    the lesson's status says."""
    now = utcnow()
    past = _count(Lesson, Lesson.studio_id == studio.id, Lesson.end_at < now)
    cancelled = _count(Lesson, Lesson.studio_id == studio.id, Lesson.end_at < now,
                       Lesson.status == "cancelled")
    assert 0.03 < cancelled / past < 0.12
    assert _count(Lesson, Lesson.status == "no_show") > 0
    assert _count(Lesson, Lesson.lesson_type == "group") > 0
    assert _count(Lesson, Lesson.lesson_type == "makeup") > 0
    assert _count(Lesson, Lesson.status == "scheduled", Lesson.end_at < now - timedelta(days=1)) == 0
    assert _count(Lesson, Lesson.status == "cancelled", Lesson.cancelled_at.is_(None)) == 0
    attendance = {"scheduled": {"pending"}, "cancelled": {"excused"}, "no_show": {"absent"},
                  "completed": {"present", "absent", "excused"}}
    rows = db.session.execute(select(Lesson.status, LessonAttendee.attendance).distinct()
                              .join(LessonAttendee, LessonAttendee.lesson_id == Lesson.id)).all()
    assert all(seen in attendance[status] for status, seen in rows)
    makeups = db.session.execute(select(Lesson, MakeupCredit).join(
        MakeupCredit, MakeupCredit.used_by_lesson_id == Lesson.id)).all()
    assert makeups and all(lesson.lesson_type == "makeup" and lesson.rate == 0
                           and lesson.student_id == credit.student_id for lesson, credit in makeups)
    groups = db.session.scalars(select(Lesson).where(Lesson.lesson_type == "group")).all()
    assert all(len(lesson.attendees) >= 2 for lesson in groups)


def _assert_notes(studio):
    taught = _count(LessonAttendee, LessonAttendee.attendance == "present", LessonAttendee.lesson_id.in_(
        select(Lesson.id).where(Lesson.status == "completed", Lesson.end_at < utcnow())))
    notes = _count(LessonNote, LessonNote.studio_id == studio.id)
    assert 0.6 < notes / taught <= 1
    assert _count(LessonNote, LessonNote.lesson_id.in_(
        select(Lesson.id).where(Lesson.status != "completed"))) == 0


def _assert_invoices(studio):
    """Totals are the sum of the lines, amounts paid the sum of the payments; numbers run
    without a gap in issue order and the studio's counter continues after the last."""
    invoices = db.session.scalars(select(Invoice).where(Invoice.studio_id == studio.id)).all()
    assert len(invoices) > 40
    paid = dict(db.session.execute(
        select(Payment.invoice_id, func.sum(Payment.amount - Payment.credit_amount))
        .group_by(Payment.invoice_id)).all())
    for invoice in invoices:
        assert invoice.subtotal == sum((line.total for line in invoice.line_items), Decimal(0))
        assert invoice.total == invoice.subtotal - invoice.discount + invoice.tax
        assert invoice.amount_paid == paid.get(invoice.id, 0)
        if invoice.status != "void":
            assert invoice.balance_due == invoice.total - invoice.amount_paid - invoice.credit_applied
        settled = invoice.balance_due == 0 and invoice.status not in ("void", "draft")
        assert (invoice.status == "paid") == settled
    assert {"paid", "overdue", "partially_paid"} <= {i.status for i in invoices}
    sequence = lambda invoice: int(invoice.number.rsplit("-")[-1])
    issued = sorted((i for i in invoices if i.number), key=lambda i: (i.issue_date, sequence(i)))
    assert [sequence(i) for i in issued] == list(range(1, len(issued) + 1))
    assert studio.next_invoice_number == len(issued) + 1


def _assert_billing(studio):
    """Every lesson is billed once, and the real invoicing run finds nothing left to bill."""
    today = local_today(studio)
    twice = db.session.scalar(select(func.count()).select_from(
        select(InvoiceLineItem.lesson_id, InvoiceLineItem.student_id)
        .where(InvoiceLineItem.billing_key.is_not(None), InvoiceLineItem.lesson_id.is_not(None))
        .group_by(InvoiceLineItem.lesson_id, InvoiceLineItem.student_id)
        .having(func.count() > 1).subquery()))
    assert twice == 0
    billed = db.session.execute(select(Lesson, InvoiceLineItem).join(
        InvoiceLineItem, InvoiceLineItem.id == Lesson.billed_line_item_id)).all()
    assert billed and all(line.lesson_id == lesson.id and line.billing_key for lesson, line in billed)
    plan = billing.plan_invoices(studio, add_months(month_start(today), -MONTHS), today - timedelta(days=1))
    # Only the rent of the demo's instruments on loan is left: the next run bills it.
    assert [line.kind for family in plan.families for line in family.lines
            if line.kind != "rental"] == []
    assert billing.mark_overdue(studio) == []


def test_bulk_insert_fills_python_defaults_per_row(app):
    """On PostgreSQL bulk_insert uses COPY, which knows nothing of the models' Python-side
    defaults; every row still gets its own id, its timestamps and its default values."""
    import uuid as uuid_module

    from sqlalchemy import delete, select

    from app.accounts.models import Studio
    from app.core.bulk import bulk_insert
    from app.extensions import db

    names = [f"Bulk studio {n}" for n in range(3)]
    with app.app_context():
        bulk_insert(Studio, [{"name": name, "slug": f"bulk-{uuid_module.uuid4().hex[:8]}"} for name in names])
        rows = db.session.scalars(select(Studio).where(Studio.name.in_(names))).all()
        assert len({studio.id for studio in rows}) == 3
        assert all(studio.created_at is not None and studio.timezone for studio in rows)
        db.session.execute(delete(Studio).where(Studio.name.in_(names)))
        db.session.commit()
