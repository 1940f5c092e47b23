"""Auto-invoicing: one draft per family for a billing period (SPEC §3).

What is billed depends on the studio's billing mode:
- `after_attended`: lessons taught (completed; group attendees not excused) and no-shows;
- `in_advance`: lessons scheduled in the period (and any taught ones not billed yet);
- `monthly_flat`: a month of tuition per active student, at the student's default rate
  (in this mode the default rate *is* the monthly tuition); lessons are not billed one by one.
In the lesson modes, late cancellations the policy charged are billed too; make-up lessons
that used a make-up credit are not (the credit already paid for them).
In every mode, instruments and equipment lent with a rental fee are billed per month out
(one `rental` line per checkout and month, from the inventory's `rental_charges`).

A lesson is billed once per student: every line carries a `billing_key` that is unique per
studio. A run is all-or-nothing per family (one savepoint each); a family whose lessons were
billed meanwhile by a concurrent run is reported as skipped and nothing of it is written.
`plan_invoices` only reads, so a preview (dry run) writes nothing.
"""
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, selectinload

from app.billing.models import Invoice, InvoiceLineItem
from app.billing.services.common import by_id, due_date_for, lock_studio
from app.billing.services.invoices import recalculate
from app.core import validation
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.core.formatting import date_filter, local_datetime, time_filter
from app.core.money import ZERO, invoice_totals, line_total, prorate, to_money
from app.core.timeutil import add_months, day_bounds, local_today, month_end, month_start, months_between
from app.extensions import db
from app.people.models import Family, Student
from app.scheduling.models import Lesson, LessonAttendee, MakeupCredit

MAX_PERIOD_DAYS = 366
LESSON_TYPE_LABELS = {"private": "Private lesson", "group": "Group lesson",
                      "makeup": "Make-up lesson", "trial": "Trial lesson", "recital": "Recital"}


@dataclass
class PlannedLine:
    kind: str
    description: str
    unit_price: Decimal
    reason: str
    billing_key: str
    student: Student
    lesson: Lesson | None = None
    quantity: Decimal = Decimal(1)

    @property
    def total(self):
        return line_total(self.quantity, self.unit_price)


@dataclass
class FamilyPlan:
    """The draft one family would get (and, after a real run, the invoice it got)."""

    family: Family
    lines: list = field(default_factory=list)
    tax_rate: Decimal = ZERO
    invoice: Invoice | None = None
    skipped: str = ""

    @property
    def totals(self):
        return invoice_totals(((line.quantity, line.unit_price) for line in self.lines),
                              ZERO, self.tax_rate)


LEFT_OUT_REASONS = {
    # reason: (one, many) — what the preview says, "{n}" being the count
    "no_attendance": ("{n} lesson has no attendance", "{n} lessons have no attendance"),
    "already_invoiced": ("{n} lesson is already invoiced", "{n} lessons are already invoiced"),
    "no_rate": ("{n} student has no rate", "{n} students have no rate"),
    "makeup_credit": ("{n} make-up lesson was paid by a credit",
                      "{n} make-up lessons were paid by a credit"),
    "excused": ("{n} lesson was excused", "{n} lessons were excused"),
    "free": ("{n} lesson is free (no charge)", "{n} lessons are free (no charge)"),
}


@dataclass
class LeftOut:
    """Lessons of the period a run leaves out for one reason (see LEFT_OUT_REASONS).

    `lessons` are lesson ids; for "no_rate" `students` are the students to give a rate."""

    reason: str
    lessons: list = field(default_factory=list)
    students: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.students) if self.reason == "no_rate" else len(self.lessons)

    @property
    def summary(self):
        one, many = LEFT_OUT_REASONS[self.reason]
        return (one if self.count == 1 else many).format(n=self.count)


@dataclass
class Plan:
    period_start: date
    period_end: date
    mode: str
    families: list = field(default_factory=list)
    unpriced: list = field(default_factory=list)  # (lesson, student) without any rate
    left_out_by_reason: dict = field(default_factory=dict)

    def leave_out(self, reason, lesson_id=None, student=None):
        entry = self.left_out_by_reason.setdefault(reason, LeftOut(reason))
        if lesson_id is not None and lesson_id not in entry.lessons:
            entry.lessons.append(lesson_id)
        if student is not None and student not in entry.students:
            entry.students.append(student)

    @property
    def left_out(self):
        """Why lessons of the period are not on a draft, in LEFT_OUT_REASONS order."""
        return [self.left_out_by_reason[r] for r in LEFT_OUT_REASONS if r in self.left_out_by_reason]

    @property
    def created(self):
        return [f for f in self.families if f.invoice is not None]

    @property
    def skipped(self):
        return [f for f in self.families if f.skipped]


def check_period(period_start, period_end):
    errors = validation.FieldErrors()
    errors.check("period_start", validation.required, period_start)
    errors.check("period_end", validation.required, period_end)
    errors.raise_if_any()
    if period_end < period_start:
        raise ValidationFailed("The period ends before it starts.",
                               field_errors={"period_end": ["Must be on or after period_start."]})
    if (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed(field_errors={"period_end": ["Bill at most a year at a time."]})


# ---------------------------------------------------------------- planning (reads only)

def plan_invoices(studio, period_start, period_end, *, family=None):
    """What a run would create: one FamilyPlan per family with something to bill."""
    check_period(period_start, period_end)
    family = by_id(studio, Family, family, "family", "family") if family else None
    plan = Plan(period_start, period_end, studio.billing_mode or "after_attended")
    if plan.mode == "monthly_flat":
        lines = _tuition_lines(studio, period_start, period_end, family)
    else:
        lines = _lesson_lines(studio, plan, family)
        _left_out_lessons(studio, plan, family)
    lines += _rental_lines(studio, period_start, period_end, family)
    by_family = {}
    for line in lines:
        family_id = line.student.family_id
        if family_id not in by_family:
            by_family[family_id] = FamilyPlan(line.student.family, tax_rate=studio.tax_rate or ZERO)
        by_family[family_id].lines.append(line)
    plan.families = sorted(by_family.values(), key=lambda f: (f.family.name.lower(), str(f.family.id)))
    return plan


def _billable_statuses(plan):
    return ("completed", "no_show") if plan.mode == "after_attended" else (
        "scheduled", "completed", "no_show")


def _already_billed(studio):
    return exists().where(
        InvoiceLineItem.studio_id == studio.id, InvoiceLineItem.lesson_id == Lesson.id,
        InvoiceLineItem.student_id == LessonAttendee.student_id,
        InvoiceLineItem.billing_key.is_not(None))


def _used_credit(studio):
    return exists().where(MakeupCredit.studio_id == studio.id,
                          MakeupCredit.used_by_lesson_id == Lesson.id)


def _charged(plan):
    return or_(Lesson.status.in_(_billable_statuses(plan)),
               and_(Lesson.status == "cancelled", Lesson.cancellation_outcome == "charged"))


def _billable_lessons(studio, plan, family):
    start, end = day_bounds(studio, plan.period_start, plan.period_end)
    already_billed, used_credit = _already_billed(studio), _used_credit(studio)
    stmt = (
        select(Lesson, LessonAttendee)
        .join(LessonAttendee, and_(LessonAttendee.lesson_id == Lesson.id,
                                   LessonAttendee.studio_id == studio.id))
        .join(Student, Student.id == LessonAttendee.student_id)
        .where(Lesson.studio_id == studio.id, Lesson.start_at >= start, Lesson.start_at < end,
               _charged(plan), ~already_billed, ~used_credit)
        # The attendee's student and family, the lesson's teacher (60 of them for thousands of
        # lessons: read once each, not joined into every row); the lesson's own student,
        # room and attendees only if something asks.
        .options(selectinload(LessonAttendee.student).selectinload(Student.family),
                 selectinload(Lesson.teacher), lazyload(Lesson.student), lazyload(Lesson.room),
                 lazyload(Lesson.attendees))
        .order_by(Student.family_id, Lesson.start_at, Lesson.id, LessonAttendee.student_id)
    )
    if family is not None:
        stmt = stmt.where(Student.family_id == family.id)
    return db.session.execute(stmt).unique().all()


def _left_out_lessons(studio, plan, family):
    """Record the lessons of the period a run leaves out before pricing them: taught lessons
    without attendance (billing after attendance), lessons already on an invoice, make-up
    lessons a credit paid for. Only ids are read."""
    start, end = day_bounds(studio, plan.period_start, plan.period_end)
    already_billed = _already_billed(studio).label("already_billed")
    used_credit = _used_credit(studio).label("used_credit")
    unmarked = and_(Lesson.status == "scheduled", Lesson.start_at < utcnow()) \
        if plan.mode == "after_attended" else false()
    stmt = (
        select(Lesson.id, unmarked.label("unmarked"), already_billed, used_credit)
        .join(LessonAttendee, and_(LessonAttendee.lesson_id == Lesson.id,
                                   LessonAttendee.studio_id == studio.id))
        .where(Lesson.studio_id == studio.id, Lesson.start_at >= start, Lesson.start_at < end,
               or_(unmarked, and_(_charged(plan), or_(_already_billed(studio),
                                                      _used_credit(studio)))))
        .order_by(Lesson.start_at, Lesson.id)
    )
    if family is not None:
        stmt = stmt.join(Student, Student.id == LessonAttendee.student_id).where(
            Student.family_id == family.id)
    for lesson_id, is_unmarked, is_billed, is_credit in db.session.execute(stmt):
        if is_unmarked:
            plan.leave_out("no_attendance", lesson_id)
        elif is_billed:
            plan.leave_out("already_invoiced", lesson_id)
        elif is_credit:
            plan.leave_out("makeup_credit", lesson_id)


def _reason(lesson, attendee):
    if lesson.status == "cancelled":
        return "late cancellation, charged per policy"
    if lesson.status == "no_show":
        return "no-show, charged"
    if lesson.status == "scheduled":
        return "scheduled, billed in advance"
    return "attended" if attendee.attendance != "absent" else "absent, lesson taught"


def lesson_rate(lesson, student):
    """The lesson's own rate (per student in a group), else the student's default rate,
    else the teacher's hourly rate pro rata; None when nothing is set."""
    if lesson.rate is not None:
        return to_money(lesson.rate)
    if student.default_lesson_rate is not None:
        return to_money(student.default_lesson_rate)
    if lesson.teacher.hourly_rate is not None:
        return prorate(lesson.teacher.hourly_rate, lesson.duration_minutes)
    return None


def describe_lesson(studio, lesson, student, reason, labels=None):
    """The line's text. `labels` (a dict kept over one run) remembers formatted dates and
    times: a month of lessons has a few dozen of each, formatting them is the slow part."""
    kind = LESSON_TYPE_LABELS.get(lesson.lesson_type, "Lesson")
    labels = {} if labels is None else labels
    local = local_datetime(lesson.start_at, studio)
    day, clock = ("date", local.date()), ("time", local.time())
    if day not in labels:
        labels[day] = date_filter(lesson.start_at, "medium", studio)
    if clock not in labels:
        labels[clock] = time_filter(lesson.start_at, "short", studio)
    when = f"{labels[day]} {labels[clock]}"
    text = (f"{kind}, {when} · {student.full_name} with {lesson.teacher.full_name} · "
            f"{lesson.duration_minutes} min · {reason}")
    return text[:300]


def _lesson_lines(studio, plan, family):
    lines, labels = [], {}
    for lesson, attendee in _billable_lessons(studio, plan, family):
        if lesson.status == "completed" and attendee.attendance == "excused":
            plan.leave_out("excused", lesson.id)
            continue
        student = attendee.student
        rate = lesson_rate(lesson, student)
        if rate is None:
            plan.unpriced.append((lesson, student))
            plan.leave_out("no_rate", lesson.id, student)
            continue
        if rate == ZERO:
            plan.leave_out("free", lesson.id)  # a trial, a make-up: not billed
            continue
        reason = _reason(lesson, attendee)
        lines.append(PlannedLine(
            kind="lesson", description=describe_lesson(studio, lesson, student, reason, labels),
            unit_price=rate, reason=reason, billing_key=f"lesson:{lesson.id}:{student.id}",
            student=student, lesson=lesson,
        ))
    return lines


def _tuition_lines(studio, period_start, period_end, family):
    stmt = (select(Student).where(Student.studio_id == studio.id, Student.is_active.is_(True),
                                  Student.default_lesson_rate > 0)
            .options(selectinload(Student.family))
            .order_by(Student.family_id, Student.last_name, Student.first_name, Student.id))
    if family is not None:
        stmt = stmt.where(Student.family_id == family.id)
    students = db.session.scalars(stmt).all()
    months = list(months_between(period_start, period_end))
    keys = [f"tuition:{s.id}:{m:%Y-%m}" for s in students for m in months]
    billed = set(db.session.scalars(select(InvoiceLineItem.billing_key).where(
        InvoiceLineItem.studio_id == studio.id, InvoiceLineItem.billing_key.in_(keys)))) if keys else set()
    lines = []
    for student in students:
        for month in months:
            key = f"tuition:{student.id}:{month:%Y-%m}"
            if key in billed:
                continue
            label = date_filter(month, "MMMM y", studio)
            lines.append(PlannedLine(
                kind="tuition", description=f"Monthly tuition, {label} · {student.full_name}",
                unit_price=to_money(student.default_lesson_rate), reason="monthly tuition",
                billing_key=key, student=student,
            ))
    return lines


def _rental_lines(studio, period_start, period_end, family):
    """A month's rent per checkout out in that month; months already billed are left out
    (their keys are on an invoice), so a rerun bills none twice."""
    # Imported here: inventory reads people, which reads billing's balances.
    from app.inventory.services import rental_charges

    charges = rental_charges(studio, period_start, period_end, family=family)
    keys = [charge.billing_key for charge in charges]
    billed = set(db.session.scalars(select(InvoiceLineItem.billing_key).where(
        InvoiceLineItem.studio_id == studio.id, InvoiceLineItem.billing_key.in_(keys)))) if keys else set()
    return [PlannedLine(kind="rental", description=charge.description,
                        unit_price=charge.unit_price, quantity=charge.quantity,
                        reason="instrument rental", billing_key=charge.billing_key,
                        student=charge.student)
            for charge in charges if charge.billing_key not in billed]


def default_period(studio, today=None):
    """The period auto-invoicing proposes: last month when billing after attendance; next
    month when billing in advance or a flat monthly fee."""
    today = today or local_today(studio)
    if (studio.billing_mode or "after_attended") == "after_attended":
        first = add_months(month_start(today), -1)
    else:
        first = add_months(month_start(today), 1)
    return first, month_end(first)


# ---------------------------------------------------------------- creating the drafts

def generate_invoices(studio, actor, period_start, period_end, *, family=None, plan=None):
    """Create the planned drafts, each family in its own savepoint. Returns the Plan, whose
    `created` families carry their invoice (none when everything was billed already)."""
    lock_studio(studio)  # two runs at once: the second plans after the first committed
    plan = plan or plan_invoices(studio, period_start, period_end, family=family)
    issue_date = local_today(studio)
    due_date = due_date_for(studio, issue_date)
    try:  # all families in one flush: thousands of small ones are most of a big run
        with db.session.begin_nested():
            for family_plan in plan.families:
                family_plan.invoice = _create_draft(studio, actor, plan, family_plan, issue_date,
                                                    due_date, flush=False)
            db.session.flush()
        return plan
    except IntegrityError:
        pass  # something was billed meanwhile (rolled back): each family on its own, below
    for family_plan in plan.families:
        try:
            with db.session.begin_nested():
                family_plan.invoice = _create_draft(studio, actor, plan, family_plan,
                                                    issue_date, due_date)
        except IntegrityError:
            family_plan.invoice = None
            family_plan.skipped = "Some of these lessons were billed meanwhile; run it again."
    return plan


def _create_draft(studio, actor, plan, family_plan, issue_date, due_date, flush=True):
    invoice = Invoice(
        id=uuid.uuid4(), studio_id=studio.id, family_id=family_plan.family.id,
        family=family_plan.family, status="draft", issue_date=issue_date, due_date=due_date,
        period_start=plan.period_start, period_end=plan.period_end,
        tax_rate=studio.tax_rate or ZERO, discount=ZERO, amount_paid=ZERO, credit_applied=ZERO,
        notes=f"Billing period {date_filter(plan.period_start, 'medium', studio)} – "
              f"{date_filter(plan.period_end, 'medium', studio)}.",
        created_by_id=getattr(actor, "id", None),
    )
    invoice.line_items = [
        InvoiceLineItem(
            id=uuid.uuid4(), studio_id=studio.id, position=i, kind=line.kind,
            description=line.description, quantity=line.quantity, unit_price=line.unit_price,
            total=line.total, lesson_id=getattr(line.lesson, "id", None),
            student_id=line.student.id, billing_key=line.billing_key,
        )
        for i, line in enumerate(family_plan.lines)
    ]
    recalculate(invoice)
    db.session.add(invoice)
    for item, line in zip(invoice.line_items, family_plan.lines, strict=True):
        if line.lesson is not None and line.lesson.billed_line_item_id is None:
            line.lesson.billed_line_item_id = item.id
    if flush:
        db.session.flush()
    return invoice
