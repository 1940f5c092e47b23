"""Reports: revenue by month, outstanding balances by age, payments by method, teacher hours.

Months and days are the studio's local ones. Revenue is cash received (payments net of
refunds) next to what was invoiced (issued, not void, by issue date).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Integer, cast, func, select

from app.billing.models import METHOD_LABELS, OPEN_STATUSES, PAYMENT_METHODS, Invoice, Payment
from app.billing.services.common import local_today
from app.billing.services.generation import months_between
from app.core.formatting import local_datetime
from app.core.money import ZERO, to_money
from app.extensions import db
from app.people.models import Family, TeacherProfile
from app.scheduling.models import Lesson
from app.scheduling.services.common import day_bounds

AGING_BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))
AGING_LABELS = {"0-30": "0–30 days", "31-60": "31–60 days", "61-90": "61–90 days", "90+": "90+ days"}


def default_range(studio, months=12):
    """The last `months` calendar months up to today, as (first day, last day)."""
    today = local_today(studio)
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today


@dataclass
class RevenueMonth:
    month: date
    invoiced: Decimal = ZERO
    collected: Decimal = ZERO


def revenue_by_month(studio, start, end):
    """One row per month of start..end: invoiced and collected."""
    rows = {m: RevenueMonth(m) for m in months_between(start, end)}
    invoiced = db.session.execute(select(Invoice.issue_date, Invoice.total).where(
        Invoice.studio_id == studio.id, Invoice.status.notin_(("draft", "void")),
        Invoice.issue_date >= start, Invoice.issue_date <= end))
    for issue_date, total in invoiced:
        rows[issue_date.replace(day=1)].invoiced += total
    for paid_day, amount in _payments(studio, start, end):
        rows[paid_day.replace(day=1)].collected += amount
    return list(rows.values())


def _payments(studio, start, end, *columns):
    first, last = day_bounds(studio, start, end)
    stmt = select(Payment.paid_at, Payment.amount, *columns).where(
        Payment.studio_id == studio.id, Payment.paid_at >= first, Payment.paid_at < last)
    for row in db.session.execute(stmt):
        yield (local_datetime(row[0], studio).date(), row[1], *row[2:])


@dataclass
class MethodTotal:
    method: str
    count: int = 0
    amount: Decimal = ZERO

    @property
    def label(self):
        return METHOD_LABELS[self.method]


def payments_by_method(studio, start, end):
    totals = {m: MethodTotal(m) for m in PAYMENT_METHODS}
    for _day, amount, method in _payments(studio, start, end, Payment.method):
        totals[method].amount += amount
        totals[method].count += 1 if amount > 0 else 0
    return list(totals.values())


@dataclass
class AgingRow:
    family_id: object
    family_name: str
    buckets: dict = field(default_factory=lambda: {name: ZERO for name, *_ in AGING_BUCKETS})

    @property
    def total(self):
        return sum(self.buckets.values(), ZERO)


def bucket_for(days_past_due):
    for name, low, high in AGING_BUCKETS:
        if days_past_due >= low and (high is None or days_past_due <= high):
            return name
    return AGING_BUCKETS[0][0]


def outstanding(studio, today=None):
    """Open balances per family by days past the due date (not yet due counts as 0–30).
    Returns (rows by family name, totals per bucket)."""
    today = today or local_today(studio)
    # Columns, not Invoice objects: a large studio has thousands of open invoices.
    stmt = (select(Invoice.family_id, Family.name, Invoice.due_date, Invoice.balance_due)
            .join(Family, Family.id == Invoice.family_id)
            .where(Invoice.studio_id == studio.id, Invoice.status.in_(OPEN_STATUSES),
                   Invoice.balance_due > 0))
    rows = {}
    totals = {name: ZERO for name, *_ in AGING_BUCKETS}
    for family_id, family_name, due_date, balance_due in db.session.execute(stmt):
        row = rows.setdefault(family_id, AgingRow(family_id, family_name))
        name = bucket_for(max(0, (today - due_date).days))  # as Invoice.days_overdue
        row.buckets[name] += balance_due
        totals[name] += balance_due
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.family_name.lower()))
    return ordered, totals


@dataclass
class TeacherHours:
    teacher: TeacherProfile
    lessons: int = 0
    no_shows: int = 0
    minutes: int = 0

    @property
    def hours(self):
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))

    @property
    def pay(self):
        """Hours taught × hourly rate (no-shows are paid like taught lessons)."""
        if self.teacher.hourly_rate is None:
            return None
        return to_money(Decimal(self.teacher.hourly_rate) * self.minutes / 60)


def _lesson_minutes():
    """A lesson's whole minutes (end - start, rounded down), as a SQL expression."""
    if db.session.get_bind().dialect.name == "sqlite":  # naive UTC text: julianday() days
        days = func.julianday(Lesson.end_at) - func.julianday(Lesson.start_at)
        return cast(days * 1440 + 0.0001, Integer)  # CAST truncates; 0.0001 absorbs float error
    return func.floor(func.extract("epoch", Lesson.end_at - Lesson.start_at) / 60)


def teacher_hours(studio, start, end, teacher_id=None):
    """Per teacher: lessons taught (completed) and no-shows in start..end, their minutes."""
    first, last = day_bounds(studio, start, end)
    # Summed in SQL: a year of a large studio is ~100k lessons, too many to add up in Python.
    stmt = (select(Lesson.teacher_id, Lesson.status, func.count(), func.sum(_lesson_minutes()))
            .where(Lesson.studio_id == studio.id, Lesson.start_at >= first, Lesson.start_at < last,
                   Lesson.status.in_(("completed", "no_show")))
            .group_by(Lesson.teacher_id, Lesson.status))
    teachers_stmt = select(TeacherProfile).where(TeacherProfile.studio_id == studio.id)
    if teacher_id is not None:
        stmt = stmt.where(Lesson.teacher_id == teacher_id)
        teachers_stmt = teachers_stmt.where(TeacherProfile.id == teacher_id)
    rows = {t.id: TeacherHours(t) for t in db.session.scalars(teachers_stmt)}
    for teacher, status, count, minutes in db.session.execute(stmt):
        row = rows[teacher]
        row.minutes += int(minutes or 0)
        if status == "no_show":
            row.no_shows += count
        else:
            row.lessons += count
    return sorted((r for r in rows.values() if r.minutes or teacher_id),
                  key=lambda r: r.teacher.full_name.lower())


def attendance(studio, start, end):
    """Lessons in start..end by status: {scheduled, completed, cancelled, no_show}."""
    first, last = day_bounds(studio, start, end)
    counts = defaultdict(int, db.session.execute(
        select(Lesson.status, func.count()).where(
            Lesson.studio_id == studio.id, Lesson.start_at >= first, Lesson.start_at < last)
        .group_by(Lesson.status)).all())
    return {status: counts[status] for status in ("scheduled", "completed", "cancelled", "no_show")}
