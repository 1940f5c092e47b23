"""What families owe: balances, credit, statements."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from app.billing.models import OPEN_STATUSES, FamilyCredit, Invoice, Payment
from app.core.formatting import local_datetime
from app.core.money import ZERO, to_money
from app.extensions import db


def _sum_by_family(stmt):
    return {row[0]: to_money(row[1]) for row in db.session.execute(stmt)}


def open_balances(family_ids, studio_id=None):
    """{family id: sum of balance due on issued, unsettled invoices}."""
    if not family_ids:
        return {}
    stmt = (select(Invoice.family_id, func.sum(Invoice.balance_due))
            .where(Invoice.family_id.in_(family_ids), Invoice.status.in_(OPEN_STATUSES))
            .group_by(Invoice.family_id))
    if studio_id is not None:
        stmt = stmt.where(Invoice.studio_id == studio_id)
    return _sum_by_family(stmt)


def credits(family_ids, studio_id=None):
    """{family id: unused credit}."""
    if not family_ids:
        return {}
    stmt = (select(FamilyCredit.family_id, func.sum(FamilyCredit.amount))
            .where(FamilyCredit.family_id.in_(family_ids)).group_by(FamilyCredit.family_id))
    if studio_id is not None:
        stmt = stmt.where(FamilyCredit.studio_id == studio_id)
    return _sum_by_family(stmt)


def family_balances(families):
    """{family id: what the family owes, net of its credit} for many families in two
    queries. Negative means the family has credit left over."""
    ids = [f.id for f in families]
    # A list's families are of one studio: its id leads the (studio, family) indexes.
    studio_ids = {f.studio_id for f in families}
    studio_id = studio_ids.pop() if len(studio_ids) == 1 else None
    owed, credit = open_balances(ids, studio_id), credits(ids, studio_id)
    return {i: owed.get(i, ZERO) - credit.get(i, ZERO) for i in ids}


@dataclass(frozen=True)
class Account:
    balance_due: Decimal  # on open invoices
    credit: Decimal  # unused credit
    overdue: Decimal
    open_count: int

    @property
    def net(self):
        return self.balance_due - self.credit


def family_account(family):
    """Balance, overdue part and open invoices of `family`, and its credit (one query)."""
    credit = (select(func.sum(FamilyCredit.amount))
              .where(FamilyCredit.studio_id == family.studio_id, FamilyCredit.family_id == family.id)
              .scalar_subquery())
    row = db.session.execute(
        select(func.coalesce(func.sum(Invoice.balance_due), 0), func.count(Invoice.id),
               func.coalesce(func.sum(Invoice.balance_due).filter(Invoice.status == "overdue"), 0),
               credit)
        .where(Invoice.studio_id == family.studio_id, Invoice.family_id == family.id,
               Invoice.status.in_(OPEN_STATUSES))
    ).one()
    return Account(to_money(row[0]), to_money(row[3]), to_money(row[2]), row[1])


@dataclass(frozen=True)
class StatementEntry:
    day: date
    description: str
    charge: Decimal
    payment: Decimal
    balance: Decimal
    invoice: Invoice | None = None


def statement(studio, family):
    """The family's account, oldest first, with a running balance that ends at what the
    family owes net of credit: invoices (+), payments (-), refunds (+), credits (-), voids (-)."""
    invoices = db.session.scalars(select(Invoice).where(
        Invoice.studio_id == studio.id, Invoice.family_id == family.id, Invoice.status != "draft")
    ).all()
    payments = db.session.scalars(select(Payment).where(
        Payment.studio_id == studio.id, Payment.family_id == family.id)).all()
    notes = db.session.scalars(select(FamilyCredit).where(
        FamilyCredit.studio_id == studio.id, FamilyCredit.family_id == family.id,
        FamilyCredit.kind.in_(("credit_note", "adjustment")))).all()
    events = []
    for invoice in invoices:
        events.append((_day(invoice.sent_at, studio) or invoice.issue_date, 0,
                       f"Invoice {invoice.number}", invoice.total, ZERO, invoice))
        if invoice.status == "void":
            events.append((_day(invoice.voided_at, studio), 2, f"Invoice {invoice.number} voided",
                           ZERO, invoice.total, invoice))
    for payment in payments:
        label = "Refund" if payment.is_refund else f"Payment ({payment.method_label})"
        events.append((_day(payment.paid_at, studio), 1, f"{label}, {payment.invoice.number}",
                       -payment.amount if payment.is_refund else ZERO,
                       ZERO if payment.is_refund else payment.amount, payment.invoice))
    for note in notes:
        events.append((_day(note.created_at, studio), 1, note.note or "Credit", ZERO,
                       note.amount, note.invoice))
    entries, balance = [], ZERO
    for day, _order, text, charge, paid, invoice in sorted(events, key=lambda e: (e[0], e[1])):
        balance += charge - paid
        entries.append(StatementEntry(day, text, charge, paid, balance, invoice))
    return entries


def _day(moment: datetime | None, studio):
    return local_datetime(moment, studio).date() if moment else None


def studio_overview(studio_id):
    """The staff dashboard's billing figures: open and overdue totals, drafts to send."""
    row = db.session.execute(select(
        func.coalesce(func.sum(Invoice.balance_due).filter(Invoice.status.in_(OPEN_STATUSES)), 0),
        func.coalesce(func.sum(Invoice.balance_due).filter(Invoice.status == "overdue"), 0),
        func.count(Invoice.id).filter(Invoice.status == "overdue"),
        func.count(Invoice.id).filter(Invoice.status == "draft"),
    ).where(Invoice.studio_id == studio_id)).one()
    return {"outstanding": to_money(row[0]), "overdue": to_money(row[1]),
            "overdue_count": row[2], "drafts": row[3]}
