"""Demo billing for Harmony Music Studio: last month's lessons invoiced (mostly paid, some
overdue with a late fee), this month's so far (some paid, some partly, one still a draft),
payments by every method, and parent@demo.test's family with a balance due."""
import random
import uuid
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update

from app.accounts.models import User
from app.billing import services
from app.billing.models import Invoice, InvoiceLineItem, Payment
from app.billing.services.generation import LESSON_TYPE_LABELS
from app.billing.services.invoices import format_number
from app.core.audit import AuditLog
from app.core.bulk import bulk_insert
from app.core.db import utcnow
from app.core.formatting import date_filter, time_filter
from app.core.money import CENT, ZERO, invoice_totals, line_total, prorate, to_money
from app.core.timeutil import add_months, day_bounds, local_today, month_end, month_start, studio_zone
from app.extensions import db
from app.people.models import Family, Student, TeacherProfile
from app.scheduling.models import Lesson, LessonAttendee, MakeupCredit

METHODS = ("credit_card", "check", "bank_transfer", "cash", "other")


def _moment(studio, day, hour=12):
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(studio.timezone)).astimezone(timezone.utc)


def _issue(studio, admin, invoice, issue_date, due_date):
    services.update_invoice(studio, admin, invoice, issue_date=issue_date, due_date=due_date)
    services.send_invoice(studio, admin, invoice, now=_moment(studio, issue_date, 9), notify=False)


def _pay(studio, admin, invoice, amount, method, day, today):
    day = min(day, today)
    services.record_payment(studio, admin, invoice=invoice, amount=amount, method=method,
                            transaction_id=f"DEMO-{invoice.number[-3:]}-{method[:2].upper()}",
                            paid_at=_moment(studio, day, 15), now=_moment(studio, today, 18),
                            receipt=False)


def seed_billing(studio, size="small", progress=None, *, months=12):
    """Invoice the demo schedule. The caller commits."""
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    bennett_id = db.session.scalar(select(Family.id).where(
        Family.studio_id == studio.id, Family.name == "Bennett Family"))
    studio.late_fee, studio.invoice_due_days = Decimal("10.00"), 14
    today = local_today(studio)
    if size == "large":
        if progress:
            progress("invoices and payments")
        seed_large_billing(studio, admin, today, months=months, owing={bennett_id})
    else:
        seed_recent_billing(studio, admin, today, bennett_id)
    families = db.session.scalars(select(Family).where(Family.studio_id == studio.id)
                                  .order_by(Family.name).limit(2)).all()
    if families:
        services.create_invoice(studio, admin, family=families[-1], notes="Spring recital.",
                                line_items=[{"description": "Spring recital fee", "quantity": 1,
                                             "unit_price": "25.00"},
                                            {"description": "Recital photos", "quantity": 2,
                                             "unit_price": "7.50"}])
    services.mark_overdue(studio, now=_moment(studio, today, 6))
    db.session.flush()


def seed_recent_billing(studio, admin, today, bennett_id):
    """Last month's lessons and this month's so far, invoiced through the services. The
    Bennetts always owe something: part of this month's invoice when they have one already,
    else half of last month's."""
    first_this = month_start(today)
    prev_start = add_months(first_this, -1)
    prev_end = month_end(prev_start)

    # Last month: issued at its end; the ones that will be half paid are due 14 days later,
    # the others before today (so unpaid ones are overdue).
    last_month = services.generate_invoices(studio, admin, prev_start, prev_end).created
    overdue = max(prev_end, min(prev_end + timedelta(days=14), today - timedelta(days=1)))
    for i, plan in enumerate(last_month):
        half_paid = plan.family.id != bennett_id and i % 5 == 3
        _issue(studio, admin, plan.invoice, prev_end,
               prev_end + timedelta(days=14) if half_paid else overdue)
    # This month so far: issued today; the last one (not the Bennetts') left as a draft.
    this_month = []
    if today > first_this:
        this_month = services.generate_invoices(studio, admin, first_this,
                                                today - timedelta(days=1)).created
    for i, plan in enumerate(this_month):
        if i == len(this_month) - 1 and plan.family.id != bennett_id:
            continue  # left as a draft to review
        _issue(studio, admin, plan.invoice, today, today + timedelta(days=14))

    bennetts_owe_this_month = any(plan.family.id == bennett_id and plan.invoice.status != "draft"
                                  for plan in this_month)
    for i, plan in enumerate(last_month):
        invoice = plan.invoice
        bennetts = plan.family.id == bennett_id
        if (bennetts and bennetts_owe_this_month) or (not bennetts and i % 5 in (0, 1, 2)):
            _pay(studio, admin, invoice, invoice.balance_due, METHODS[i % len(METHODS)],
                 prev_end + timedelta(days=3 + i % 7), today)
        elif bennetts or i % 5 == 3:
            _pay(studio, admin, invoice, (invoice.balance_due / 2).quantize(Decimal("0.01")),
                 "check", prev_end + timedelta(days=5), today)
    for i, plan in enumerate(this_month):
        invoice = plan.invoice
        if invoice.status == "draft":
            continue
        if plan.family.id == bennett_id:
            _pay(studio, admin, invoice, (invoice.balance_due / 2).quantize(Decimal("0.01")),
                 "credit_card", today, today)
        elif i % 3 == 0:
            _pay(studio, admin, invoice, invoice.balance_due, METHODS[(i + 2) % len(METHODS)],
                 today, today)


# ------------------------------------------------------------------ the large demo (bench)

LATE_PAYERS = 0.05  # of older invoices: paid after the due date, with the late fee
STRAGGLERS = 0.03  # of older invoices: still (partly) unpaid, overdue
REISSUED = 0.008  # of older invoices: voided (sent to a former address) and reissued
PAID_METHODS = ("credit_card",) * 9 + ("bank_transfer",) * 5 + ("check",) * 3 + ("cash",) * 2 + ("other",)
TRANSACTION_PREFIX = {"credit_card": "CARD", "bank_transfer": "WIRE", "check": "CHECK", "other": "REF"}
LINE_FIELDS = ("kind", "description", "quantity", "unit_price", "total", "lesson_id", "student_id",
               "billing_key")
ONE = Decimal(1)
NUMBER = object()  # an audit detail filled in with the invoice's number once it is known


def billing_periods(today, months):
    """(first day, last day) of the `months` months before this one, oldest first, then
    this month so far (when it has begun)."""
    firsts = [add_months(month_start(today), -back) for back in range(months, 0, -1)]
    periods = [(first, month_end(first)) for first in firsts]
    if today.day > 1:
        periods.append((month_start(today), today - timedelta(days=1)))
    return periods


def _reason(status, attendance):
    if status == "cancelled":
        return "late cancellation, charged per policy"
    if status == "no_show":
        return "no-show, charged"
    return "attended" if attendance != "absent" else "absent, lesson taught"


class LargeLedger:
    """The large demo's invoices and payments, built in memory and written in bulk.

    Each month is billed as the auto-invoicing run bills it (one invoice per family, a line
    per lesson and student, the same descriptions and billing keys), issued at its end and
    numbered in issue order. Most invoices were paid on time; some late, with the late fee;
    a few are still overdue; now and then one was voided and reissued. Last month's are
    partly open; this month's were issued today (a few are still drafts).
    """

    def __init__(self, studio, admin_id, today, now, rng):
        self.studio, self.admin_id, self.today, self.now, self.rng = studio, admin_id, today, now, rng
        self.tz = studio_zone(studio)
        self.late_fee = studio.late_fee or ZERO
        self.due_days = timedelta(days=studio.invoice_due_days or 0)
        self.invoices, self.payments, self.audit = [], [], []
        self.starts = {}

    # ------------------------------------------------------------ what to bill

    def billable(self, first_day, last_day):
        """{(month, family id): [line]} of what `plan_invoices` bills in after-attended mode:
        taught lessons (not excused), no-shows and late cancellations the policy charged;
        never make-up lessons paid by a credit, free lessons or lessons billed already."""
        start, end = day_bounds(self.studio, first_day, last_day)
        used_credit = select(MakeupCredit.used_by_lesson_id).where(
            MakeupCredit.studio_id == self.studio.id, MakeupCredit.used_by_lesson_id.is_not(None))
        billed = set(db.session.scalars(select(InvoiceLineItem.billing_key).where(
            InvoiceLineItem.studio_id == self.studio.id, InvoiceLineItem.billing_key.is_not(None))))
        teachers = {row.id: row for row in db.session.execute(
            select(TeacherProfile.id, TeacherProfile.hourly_rate, User.first_name, User.last_name, User.email)
            .join(User, User.id == TeacherProfile.user_id).where(TeacherProfile.studio_id == self.studio.id))}
        rows = db.session.execute(
            select(Lesson.id, Lesson.start_at, Lesson.end_at, Lesson.lesson_type, Lesson.status, Lesson.rate,
                   Lesson.teacher_id, LessonAttendee.student_id, LessonAttendee.attendance, Student.family_id,
                   Student.first_name, Student.last_name, Student.default_lesson_rate)
            .join(LessonAttendee, and_(LessonAttendee.lesson_id == Lesson.id,
                                       LessonAttendee.studio_id == self.studio.id))
            .join(Student, Student.id == LessonAttendee.student_id)
            .where(Lesson.studio_id == self.studio.id, Lesson.start_at >= start, Lesson.start_at < end,
                   or_(Lesson.status.in_(("completed", "no_show")),
                       and_(Lesson.status == "cancelled", Lesson.cancellation_outcome == "charged")),
                   Lesson.id.not_in(used_credit))
            .order_by(Student.family_id, Lesson.start_at, Lesson.id, LessonAttendee.student_id)).all()
        planned = {}
        for row in rows:
            key = f"lesson:{row.id}:{row.student_id}"
            if key in billed or (row.status == "completed" and row.attendance == "excused"):
                continue
            teacher = teachers[row.teacher_id]
            minutes = int((row.end_at - row.start_at).total_seconds() // 60)
            price = _price(row, teacher, minutes)
            if not price:
                continue  # unpriced, or free (a trial, a make-up)
            when, day = self.start_label(row.start_at)
            teacher_name = f"{teacher.first_name} {teacher.last_name}".strip() or teacher.email
            description = (f"{LESSON_TYPE_LABELS.get(row.lesson_type, 'Lesson')}, {when} · "
                           f"{row.first_name} {row.last_name} with {teacher_name} · {minutes} min · "
                           f"{_reason(row.status, row.attendance)}")
            planned.setdefault(((day.year, day.month), row.family_id), []).append({
                "kind": "lesson", "description": description[:300], "quantity": ONE, "unit_price": price,
                "total": line_total(ONE, price), "lesson_id": row.id, "student_id": row.student_id,
                "billing_key": key,
            })
        return planned

    def start_label(self, start):
        """A lesson start as invoices show it, and its local date (once per distinct start)."""
        if start not in self.starts:
            label = f"{date_filter(start, 'medium', self.studio)} {time_filter(start, 'short', self.studio)}"
            self.starts[start] = (label, start.astimezone(self.tz).date())
        return self.starts[start]

    # ------------------------------------------------------------ invoices

    def moment(self, day, hour):
        return min(_moment(self.studio, day, hour), self.now)

    def invoice(self, family_id, period, issue_date, due_date, lines, order, *, draft=False):
        """A generated draft, sent on its issue date unless `draft`."""
        created = self.moment(issue_date, 8)
        invoice = {
            "id": uuid.uuid4(), "studio_id": self.studio.id, "family_id": family_id, "number": None,
            "status": "draft" if draft else "sent", "issue_date": issue_date, "due_date": due_date,
            "period_start": period[0], "period_end": period[1], "tax_rate": self.studio.tax_rate or ZERO,
            "discount": ZERO, "amount_paid": ZERO, "credit_applied": ZERO,
            "notes": f"Billing period {date_filter(period[0], 'medium', self.studio)} – "
                     f"{date_filter(period[1], 'medium', self.studio)}.",
            "sent_at": None if draft else self.moment(issue_date, 9), "voided_at": None, "void_reason": "",
            "late_fee_applied_at": None, "created_by_id": self.admin_id, "created_at": created,
            "updated_at": created, "order": order, "replacement": None,
        }
        invoice["lines"] = [{
            **{name: line[name] for name in LINE_FIELDS}, "id": uuid.uuid4(), "studio_id": self.studio.id,
            "invoice_id": invoice["id"], "position": position, "created_at": created, "updated_at": created,
        } for position, line in enumerate(lines)]
        self.recalculate(invoice)
        self.invoices.append(invoice)
        if not draft:
            self.log("invoice.sent", invoice, invoice["sent_at"], actor_id=self.admin_id, number=NUMBER,
                     total=str(invoice["total"]))
        return invoice

    def recalculate(self, invoice):
        """Totals from the lines (`recalculate`), the balance from what was paid."""
        totals = invoice_totals(((line["quantity"], line["unit_price"]) for line in invoice["lines"]),
                                invoice["discount"], invoice["tax_rate"])
        settled = invoice["amount_paid"] + invoice["credit_applied"]
        invoice.update(subtotal=totals.subtotal, discount=totals.discount, tax=totals.tax, total=totals.total,
                       balance_due=max(totals.total - settled, ZERO))

    def settle(self, invoice):
        """`settle_status` as of today."""
        if invoice["status"] in ("draft", "void"):
            return
        if invoice["balance_due"] == ZERO:
            invoice["status"] = "paid"
        elif invoice["status"] == "overdue" or invoice["due_date"] < self.today:
            invoice["status"] = "overdue"
        elif invoice["amount_paid"] > ZERO:
            invoice["status"] = "partially_paid"
        else:
            invoice["status"] = "sent"

    def pay(self, invoice, amount, day):
        """`record_payment` of `amount` (at most the balance) on `day`."""
        amount = min(to_money(amount), invoice["balance_due"])
        if amount <= ZERO:
            return
        paid_at = self.moment(min(day, self.today), 15)
        payment = {
            "id": uuid.uuid4(), "studio_id": self.studio.id, "invoice_id": invoice["id"],
            "family_id": invoice["family_id"], "amount": amount, "credit_amount": ZERO,
            "method": self.rng.choice(PAID_METHODS), "transaction_id": "", "notes": "", "paid_at": paid_at,
            "recorded_by_id": self.admin_id, "refund_of_id": None, "created_at": paid_at,
            "updated_at": paid_at,
        }
        self.payments.append(payment)
        invoice["amount_paid"] += amount
        invoice["updated_at"] = max(invoice["updated_at"], paid_at)
        self.recalculate(invoice)
        self.settle(invoice)
        self.log("payment.recorded", invoice, paid_at, actor_id=self.admin_id,
                 target=("Payment", payment["id"]), invoice=NUMBER, amount=str(amount),
                 method=payment["method"], to_credit="0.00")

    def mark_overdue(self, invoice):
        """The overdue job the morning after the due date: overdue, and the late fee line."""
        at = self.moment(invoice["due_date"] + timedelta(days=1), 6)
        if self.late_fee > ZERO:
            invoice["lines"].append({
                "id": uuid.uuid4(), "studio_id": self.studio.id, "invoice_id": invoice["id"],
                "position": len(invoice["lines"]), "kind": "late_fee",
                "description": f"Late fee (due {date_filter(invoice['due_date'], 'medium', self.studio)})",
                "quantity": ONE, "unit_price": self.late_fee, "total": line_total(ONE, self.late_fee),
                "lesson_id": None, "student_id": None, "billing_key": f"late_fee:{invoice['id']}",
                "created_at": at, "updated_at": at,
            })
            invoice["late_fee_applied_at"] = at
            self.recalculate(invoice)
            self.log("invoice.late_fee", invoice, at, amount=str(self.late_fee))
        invoice.update(status="overdue", updated_at=max(invoice["updated_at"], at))
        self.log("invoice.overdue", invoice, at, number=NUMBER, balance_due=str(invoice["balance_due"]))

    def void_and_reissue(self, invoice):
        """`void_invoice` before anything was paid, then the same lessons on a new invoice."""
        issue = invoice["issue_date"] + timedelta(days=2)
        replacement = self.invoice(
            invoice["family_id"], (invoice["period_start"], invoice["period_end"]), issue,
            max(issue + self.due_days, invoice["due_date"]), invoice["lines"], invoice["order"])
        at = self.moment(issue, 10)
        for line in invoice["lines"]:
            line["billing_key"] = None
        invoice.update(status="void", voided_at=at, balance_due=ZERO, updated_at=at, replacement=replacement)
        return replacement

    def log(self, action, about, at, *, actor_id=None, target=None, **details):
        """An audit entry about the invoice `about` (or `target`, a (type, id) pair)."""
        target_type, target_id = target or ("Invoice", about["id"])
        self.audit.append({
            "id": uuid.uuid4(), "studio_id": self.studio.id, "actor_id": actor_id, "action": action,
            "target_type": target_type, "target_id": target_id, "details": details, "created_at": at,
            "updated_at": at, "about": about,
        })

    # ------------------------------------------------------------ what became of them

    def day_between(self, first, last):
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def pay_on_time(self, invoice):
        """Paid by the due date, now and then in two instalments."""
        last = min(invoice["due_date"], self.today)
        day = self.day_between(invoice["issue_date"], last)
        if self.rng.random() < 0.1:
            self.pay(invoice, (invoice["balance_due"] / 2).quantize(CENT), day)
            day = self.day_between(day, last)
        self.pay(invoice, invoice["balance_due"], day)

    def settle_older(self, invoice):
        """An invoice of an earlier month, long due."""
        roll = self.rng.random()
        if roll < REISSUED:
            self.pay_on_time(self.void_and_reissue(invoice))
        elif roll < REISSUED + LATE_PAYERS:
            self.mark_overdue(invoice)
            late = invoice["due_date"] + timedelta(days=self.rng.randint(2, 25))
            self.pay(invoice, invoice["balance_due"], late)
        elif roll < REISSUED + LATE_PAYERS + STRAGGLERS:
            if self.rng.random() < 0.5:
                self.pay(invoice, (invoice["balance_due"] * Decimal("0.4")).quantize(CENT),
                         self.day_between(invoice["issue_date"], invoice["due_date"]))
            self.mark_overdue(invoice)
        else:
            self.pay_on_time(invoice)

    def settle_recent(self, invoice, owing):
        """Last month's or this month's: a third to half paid, some partly, the rest open
        (overdue once due)."""
        roll = self.rng.random()
        if owing or roll < 0.15:
            self.pay(invoice, (invoice["balance_due"] / 2).quantize(CENT),
                     self.day_between(invoice["issue_date"], invoice["due_date"]))
        elif roll < 0.55:
            self.pay_on_time(invoice)
        if invoice["balance_due"] > ZERO and invoice["due_date"] < self.today:
            self.mark_overdue(invoice)

    # ------------------------------------------------------------ numbers and rows

    def number(self):
        """Numbers in issue order, continuing the studio's sequence (drafts have none)."""
        sequence = self.studio.next_invoice_number or 1
        for invoice in sorted(self.invoices, key=lambda i: (i["issue_date"], i["order"])):
            if invoice["status"] != "draft":
                invoice["number"] = format_number(self.studio, invoice["issue_date"].year, sequence)
                sequence += 1
        self.studio.next_invoice_number = sequence
        for invoice in self.invoices:
            if invoice["status"] == "void":
                invoice["void_reason"] = (f"Sent to a former address; reissued as "
                                          f"{invoice['replacement']['number']}.")
                self.log("invoice.voided", invoice, invoice["voided_at"], actor_id=self.admin_id,
                         number=NUMBER, total=str(invoice["total"]), moved_to_credit="0.00",
                         reason=invoice["void_reason"])
        for n, payment in enumerate(self.payments, start=1):
            prefix = TRANSACTION_PREFIX.get(payment["method"])
            payment["transaction_id"] = f"{prefix}-{n:06d}" if prefix else ""

    def write(self):
        self.number()
        audit = []
        for entry in self.audit:
            number = entry.pop("about")["number"]
            entry["details"] = {k: number if v is NUMBER else v for k, v in entry["details"].items()}
            audit.append(entry)
        skip = ("lines", "order", "replacement")
        bulk_insert(Invoice, [{k: v for k, v in invoice.items() if k not in skip}
                              for invoice in self.invoices])
        bulk_insert(InvoiceLineItem, [line for invoice in self.invoices for line in invoice["lines"]])
        bulk_insert(Payment, self.payments)
        bulk_insert(AuditLog, audit)
        mark_lessons_billed(self.studio)


def _price(row, teacher, minutes):
    """`lesson_rate`: the lesson's rate, the student's default rate, or the teacher's pro rata."""
    if row.rate is not None:
        return to_money(row.rate)
    if row.default_lesson_rate is not None:
        return to_money(row.default_lesson_rate)
    return prorate(teacher.hourly_rate, minutes) if teacher.hourly_rate is not None else None


def mark_lessons_billed(studio):
    """Point every billed lesson at the (first) line that bills it, as the invoicing run does."""
    first_line = (select(InvoiceLineItem.id).where(
        InvoiceLineItem.studio_id == studio.id, InvoiceLineItem.lesson_id == Lesson.id,
        InvoiceLineItem.billing_key.is_not(None))
        .order_by(InvoiceLineItem.created_at, InvoiceLineItem.id).limit(1).scalar_subquery())
    billed = select(InvoiceLineItem.lesson_id).where(
        InvoiceLineItem.studio_id == studio.id, InvoiceLineItem.billing_key.is_not(None),
        InvoiceLineItem.lesson_id.is_not(None))
    db.session.execute(update(Lesson).where(Lesson.studio_id == studio.id, Lesson.id.in_(billed))
                       .values(billed_line_item_id=first_line).execution_options(synchronize_session=False))


def seed_large_billing(studio, admin, today, *, months=12, now=None, seed=19, owing=()):
    """Twelve months of invoices and payments, and this month's so far, for every family
    with lessons to bill (bench data). Families in `owing` keep a balance on their latest."""
    now = now or utcnow()
    rng = random.Random(seed)  # seeded demo data, no secret # nosec B311
    ledger = LargeLedger(studio, getattr(admin, "id", None), today, now, rng)
    periods = billing_periods(today, months)
    if not periods:
        return
    planned = ledger.billable(periods[0][0], periods[-1][1])
    names = dict(db.session.execute(select(Family.id, Family.name).where(
        Family.studio_id == studio.id)).all())
    order = {family_id: n for n, family_id in enumerate(
        sorted(names, key=lambda family_id: (names[family_id].lower(), str(family_id))))}
    this_month = month_start(today)
    for period in periods:
        month = (period[0].year, period[0].month)
        recent = period[0] >= add_months(month_start(today), -1)
        issue = today if period[0] == this_month else period[1]
        due = (today + ledger.due_days if period[0] == this_month
               else max(issue, min(issue + ledger.due_days, today - timedelta(days=1))))
        for family_id in sorted((f for m, f in planned if m == month), key=order.get):
            owes = family_id in owing and period == periods[-1]
            draft = period[0] == this_month and not owes and ledger.rng.random() < 0.02
            invoice = ledger.invoice(family_id, period, issue, due, planned[month, family_id],
                                     order[family_id], draft=draft)
            if draft:
                continue
            if recent:
                ledger.settle_recent(invoice, owes)
            else:
                ledger.settle_older(invoice)
    ledger.write()
