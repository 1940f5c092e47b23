"""Demo billing for Harmony Music Studio: last month's lessons invoiced (mostly paid, some
overdue with a late fee), this month's so far (some paid, some partly, one still a draft),
payments by every method, and parent@demo.test's family with a balance due."""
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.accounts.models import User
from app.billing import services
from app.billing.services.common import local_today
from app.extensions import db
from app.people.models import Family

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
                            paid_at=_moment(studio, day, 15), now=_moment(studio, today, 18))


def seed_billing(studio, size="small"):
    """Invoice the demo schedule. The caller commits."""
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    bennett_id = db.session.scalar(select(Family.id).where(
        Family.studio_id == studio.id, Family.name == "Bennett Family"))
    studio.late_fee, studio.invoice_due_days = Decimal("10.00"), 14
    today = local_today(studio)
    first_this = today.replace(day=1)
    prev_end = first_this - timedelta(days=1)
    prev_start = prev_end.replace(day=1)

    # Last month: issued at its end, due before today (so unpaid ones are overdue).
    last_month = services.generate_invoices(studio, admin, prev_start, prev_end).created
    due = max(prev_end, min(prev_end + timedelta(days=14), today - timedelta(days=1)))
    for i, plan in enumerate(last_month):
        invoice = plan.invoice
        _issue(studio, admin, invoice, prev_end, due)
        bennett_pays_all = plan.family.id == bennett_id and today > first_this
        if bennett_pays_all or (plan.family.id != bennett_id and i % 5 in (0, 1, 2)):
            _pay(studio, admin, invoice, invoice.balance_due, METHODS[i % len(METHODS)],
                 prev_end + timedelta(days=3 + i % 7), today)
        elif plan.family.id == bennett_id or i % 5 == 3:
            _pay(studio, admin, invoice, (invoice.balance_due / 2).quantize(Decimal("0.01")),
                 "check", prev_end + timedelta(days=5), today)

    # This month so far: issued today; some paid, the Bennetts partly; the last one a draft.
    if today > first_this:
        this_month = services.generate_invoices(studio, admin, first_this,
                                                today - timedelta(days=1)).created
        for i, plan in enumerate(this_month):
            invoice = plan.invoice
            if i == len(this_month) - 1 and plan.family.id != bennett_id:
                continue  # left as a draft to review
            _issue(studio, admin, invoice, today, today + timedelta(days=14))
            if plan.family.id == bennett_id:
                _pay(studio, admin, invoice, (invoice.balance_due / 2).quantize(Decimal("0.01")),
                     "credit_card", today, today)
            elif i % 3 == 0:
                _pay(studio, admin, invoice, invoice.balance_due, METHODS[(i + 2) % len(METHODS)],
                     today, today)

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
