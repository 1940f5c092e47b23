"""Reports: revenue by month, outstanding balances by age, payments by method, teacher hours.

Months and days are the studio's local ones. Revenue is cash received (payments net of
refunds) next to what was invoiced (issued, not void, by issue date).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from sqlalchemy import Integer, cast, func, literal, select, union_all

from app.billing.models import METHOD_LABELS, OPEN_STATUSES, PAYMENT_METHODS, Invoice, Payment
from app.core.money import ZERO, to_money
from app.core.timeutil import add_months, day_bounds, local_today, month_start, months_between
from app.extensions import db
from app.people.models import Family, TeacherProfile
from app.scheduling.models import Lesson

AGING_BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))
AGING_LABELS = {"0-30": "0–30 days", "31-60": "31–60 days", "61-90": "61–90 days", "90+": "90+ days"}


def default_range(studio, months=12):
    """The last `months` calendar months up to today, as (first day, last day)."""
    today = local_today(studio)
    return add_months(month_start(today), 1 - months), today


@dataclass
class RevenueMonth:
    month: date
    invoiced: Decimal = ZERO
    collected: Decimal = ZERO


def revenue_by_month(studio, start, end, payments=None):
    """One row per month of start..end: invoiced and collected (`payments`: the period's
    payment_totals, when the caller has them already)."""
    rows = {m: RevenueMonth(m) for m in months_between(start, end)}
    # Summed in SQL per issue day (the index is in that order), then per month here.
    invoiced = db.session.execute(
        select(Invoice.issue_date, func.sum(Invoice.total))
        .where(Invoice.studio_id == studio.id, Invoice.status.notin_(("draft", "void")),
               Invoice.issue_date >= start, Invoice.issue_date <= end)
        .group_by(Invoice.issue_date))
    for issue_date, total in invoiced:
        rows[issue_date.replace(day=1)].invoiced += to_money(total)
    for total in payments if payments is not None else payment_totals(studio, start, end):
        rows[total.month].collected += total.amount
    return list(rows.values())


@dataclass
class PaymentTotal:
    month: date
    method: str
    count: int  # payments, not refunds
    amount: Decimal  # net of refunds


def payment_totals(studio, start, end):
    """Payments received on the local days start..end, summed in SQL per local month and
    payment method: one index range per month, each grouped by method (grouping a year of
    payments by a month computed for each row sorts them all, several times slower)."""
    months = list(months_between(start, end))
    if not months:
        return []
    first, last = day_bounds(studio, start, end)
    bounds = [first, *(day_bounds(studio, month, month)[0] for month in months[1:]), last]
    per_month = [select(literal(index).label("month"), Payment.method,
                        func.count().filter(Payment.amount > 0), func.sum(Payment.amount))
                 .where(Payment.studio_id == studio.id, Payment.paid_at >= low, Payment.paid_at < high)
                 .group_by(Payment.method)
                 for index, (low, high) in enumerate(pairwise(bounds))]
    stmt = union_all(*per_month) if len(per_month) > 1 else per_month[0]
    return [PaymentTotal(months[index], method, count, to_money(amount))
            for index, method, count, amount in db.session.execute(stmt)]


@dataclass
class MethodTotal:
    method: str
    count: int = 0
    amount: Decimal = ZERO

    @property
    def label(self):
        return METHOD_LABELS[self.method]


def payments_by_method(studio, start, end, payments=None):
    totals = {m: MethodTotal(m) for m in PAYMENT_METHODS}
    for total in payments if payments is not None else payment_totals(studio, start, end):
        totals[total.method].count += total.count
        totals[total.method].amount += total.amount
    return list(totals.values())


@dataclass
class AgingRow:
    family_id: object
    family_name: str
    buckets: dict = field(default_factory=lambda: {name: ZERO for name, *_ in AGING_BUCKETS})

    @property
    def total(self):
        return sum(self.buckets.values(), ZERO)


def _aging_sums(today, invoice):
    """SQL: the open balance in each age bucket, by days past the due date (as
    Invoice.days_overdue; not yet due counts as 0–30). `invoice`: columns of open invoices."""
    sums = []
    for _name, low, high in AGING_BUCKETS:
        due = [invoice.due_date <= today - timedelta(days=low)] if low else []
        if high is not None:
            due.append(invoice.due_date >= today - timedelta(days=high))
        sums.append(func.sum(invoice.balance_due).filter(*due) if due else func.sum(invoice.balance_due))
    return sums


def _buckets(sums):
    return {name: to_money(value) for (name, *_), value in zip(AGING_BUCKETS, sums, strict=True)}


def _open_balances(studio, *columns):
    return select(*columns).where(Invoice.studio_id == studio.id, Invoice.status.in_(OPEN_STATUSES),
                                  Invoice.balance_due > 0)


def outstanding(studio, today=None, limit=None):
    """Open balances per family by days past the due date (not yet due counts as 0–30), summed
    in SQL. Returns (rows, largest total first, at most `limit` of them; totals per bucket)."""
    today = today or local_today(studio)
    # The open invoices first (a few thousand at most), then summed per family: grouping
    # straight from the table would walk every invoice in family order.
    open_invoice = (_open_balances(studio, Invoice.family_id, Invoice.due_date, Invoice.balance_due)
                    .cte("open_invoice").prefix_with("MATERIALIZED"))
    stmt = (select(open_invoice.c.family_id, Family.name, *_aging_sums(today, open_invoice.c))
            .join(Family, Family.id == open_invoice.c.family_id)
            .group_by(open_invoice.c.family_id, Family.name)
            .order_by(func.sum(open_invoice.c.balance_due).desc(), func.lower(Family.name),
                      open_invoice.c.family_id))
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = [AgingRow(family_id, name, _buckets(sums)) for family_id, name, *sums in db.session.execute(stmt)]
    totals = _buckets(db.session.execute(_open_balances(studio, *_aging_sums(today, Invoice))).one())
    return rows, totals


def families_owing(studio):
    """How many families have an open balance."""
    return db.session.scalar(_open_balances(studio, func.count(Invoice.family_id.distinct())))


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


def lesson_minutes():
    """A lesson's whole minutes (end - start, rounded down), as a SQL expression."""
    if db.session.get_bind().dialect.name == "sqlite":  # naive UTC text: julianday() days
        days = func.julianday(Lesson.end_at) - func.julianday(Lesson.start_at)
        return cast(days * 1440 + 0.0001, Integer)  # CAST truncates; 0.0001 absorbs float error
    return func.floor(func.extract("epoch", Lesson.end_at - Lesson.start_at) / 60)


def teacher_hours(studio, start, end, teacher_id=None):
    """Per teacher: lessons taught (completed) and no-shows in start..end, their minutes."""
    first, last = day_bounds(studio, start, end)

    def per_teacher(value, *statuses):
        # Summed in SQL, one index range per teacher and status: a year of a large studio is
        # ~100k lessons, too many to add up in Python (or to sort for a GROUP BY).
        return select(value).where(
            Lesson.studio_id == studio.id, Lesson.status.in_(statuses),
            Lesson.teacher_id == TeacherProfile.id,
            Lesson.start_at >= first, Lesson.start_at < last).scalar_subquery()

    stmt = select(TeacherProfile, per_teacher(func.count(), "completed"),
                  per_teacher(func.count(), "no_show"),
                  per_teacher(func.sum(lesson_minutes()), "completed", "no_show")
                  ).where(TeacherProfile.studio_id == studio.id)
    if teacher_id is not None:
        stmt = stmt.where(TeacherProfile.id == teacher_id)
    rows = [TeacherHours(teacher, lessons, no_shows, int(minutes or 0))
            for teacher, lessons, no_shows, minutes in db.session.execute(stmt)]
    return sorted((r for r in rows if r.minutes or teacher_id), key=lambda r: r.teacher.full_name.lower())


def attendance(studio, start, end):
    """Lessons in start..end by status: {scheduled, completed, cancelled, no_show}."""
    first, last = day_bounds(studio, start, end)
    counts = defaultdict(int, db.session.execute(
        select(Lesson.status, func.count()).where(
            Lesson.studio_id == studio.id, Lesson.start_at >= first, Lesson.start_at < last)
        .group_by(Lesson.status)).all())
    return {status: counts[status] for status in ("scheduled", "completed", "cancelled", "no_show")}
