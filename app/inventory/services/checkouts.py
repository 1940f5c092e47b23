"""Lending: requested -> approved -> checked_out (handed out) -> returned; requested ->
rejected or cancelled; a checked-out one past its due date turns overdue (the daily job).

These functions are the one place a checkout changes state. Each move is a guarded UPDATE
(`WHERE status IN (...)`): two staff acting on the same checkout at once, one wins and the
other gets 409. Approving takes units off the shelf with one more guarded UPDATE
(`available_quantity >= quantity`), so the shelf never goes below zero, also under
concurrent approvals on PostgreSQL (the second waits for the first's row lock, then finds
nothing left).
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.core import validation
from app.core.db import utcnow
from app.core.errors import Conflict, ValidationFailed
from app.core.formatting import date_filter
from app.core.money import line_total, to_money
from app.core.search import matches
from app.core.timeutil import local_today, month_end, month_start, months_between, to_local
from app.extensions import db
from app.inventory.models import (
    CHECKOUT_STATUS_LABELS,
    CURRENT_CHECKOUT_STATUSES,
    ITEM_CONDITIONS,
    OPEN_CHECKOUT_STATUSES,
    Checkout,
    InventoryItem,
)
from app.inventory.policies import may_request
from app.inventory.services import bell
from app.inventory.services.items import settle_status
from app.inventory.services.webhook_data import announce_checkout

MAX_NOTE = 1000
WAITING_STATUSES = ("requested",)


def _move(checkout, from_statuses, conflict, **values):
    """Move the checkout to `values` only if it is still in one of `from_statuses`."""
    moved = db.session.execute(
        update(Checkout).where(Checkout.studio_id == checkout.studio_id, Checkout.id == checkout.id,
                               Checkout.status.in_(from_statuses))
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if not moved:
        db.session.refresh(checkout)
        raise Conflict(conflict.format(status=CHECKOUT_STATUS_LABELS[checkout.status].lower()))
    db.session.refresh(checkout)


def _shelf(item, change):
    """Add `change` units to the shelf (negative: take them), never below zero."""
    stmt = update(InventoryItem).where(InventoryItem.studio_id == item.studio_id,
                                       InventoryItem.id == item.id)
    if change < 0:
        stmt = stmt.where(InventoryItem.available_quantity >= -change)
    else:
        stmt = stmt.where(InventoryItem.available_quantity + change <= InventoryItem.quantity)
    done = db.session.execute(stmt.values(available_quantity=InventoryItem.available_quantity + change)
                              .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(item)
    return bool(done)


def _note(name, value):
    return validation.field(name, validation.text, value or "", max_length=MAX_NOTE)


def _condition(name, value, required=False):
    if value in (None, ""):
        if required:
            raise ValidationFailed(field_errors={name: ["Say in which condition it came back."]})
        return None
    return validation.field(name, validation.choice, value, choices=ITEM_CONDITIONS)


def request_checkout(studio, actor, item, student, *, quantity=1, notes=""):
    """Ask to borrow `quantity` units of `item` for `student`. Retired or unborrowable items
    cannot be asked for; a student has one open request or loan of an item at a time."""
    quantity = validation.field("quantity", validation.whole_number, quantity, minimum=1,
                                maximum=max(item.quantity, 1))
    notes = _note("notes", notes)
    if not may_request(item):
        raise ValidationFailed(field_errors={"item": [f"{item.name} cannot be borrowed."]})
    if not student.is_active:
        raise ValidationFailed(field_errors={"student": [f"{student.full_name} is archived."]})
    if quantity > item.quantity:
        raise ValidationFailed(field_errors={"quantity": [f"The studio has {item.quantity}."]})
    pending = db.session.scalar(select(Checkout.id).where(
        Checkout.studio_id == studio.id, Checkout.item_id == item.id,
        Checkout.student_id == student.id,
        Checkout.status.in_(CURRENT_CHECKOUT_STATUSES)).limit(1))
    if pending is not None:
        raise Conflict(f"{student.first_name} already has a request or a loan of {item.name}.")
    checkout = Checkout(studio_id=studio.id, item=item, item_id=item.id, student=student,
                        student_id=student.id, quantity=quantity, status="requested", notes=notes,
                        requested_by_id=getattr(actor, "id", None))
    db.session.add(checkout)
    db.session.flush()
    return checkout


def approve_checkout(studio, actor, checkout, *, hand_out=False, condition_out=None, now=None):
    """Approve a request: its units leave the shelf (409 "none left" when they are not
    there). With `hand_out` the item is handed over at once (see hand_out_checkout)."""
    now = now or utcnow()
    condition_out = _condition("condition_out", condition_out)
    _move(checkout, WAITING_STATUSES, "This request is {status}; only a waiting request can be "
          "approved.", status="approved", decided_by_id=getattr(actor, "id", None), decided_at=now)
    item = checkout.item
    if not _shelf(item, -checkout.quantity):
        raise Conflict(f"None left: no {item.name} is on the shelf to lend.",
                       extra={"available_quantity": item.available_quantity})
    settle_status(item)
    db.session.flush()
    if hand_out:
        checkout = hand_out_checkout(studio, actor, checkout, condition_out=condition_out, now=now)
    announce_checkout(studio, "checkout.approved", checkout)
    bell.checkout_approved(studio, actor, checkout)
    return checkout


def reject_checkout(studio, actor, checkout, *, reason, now=None):
    """Turn a waiting request down, saying why."""
    reason = validation.field("reason", validation.text, reason, max_length=MAX_NOTE,
                              required=True, missing="Say why the request is rejected.")
    _move(checkout, WAITING_STATUSES, "This checkout is {status}; only a waiting request can be "
          "rejected.", status="rejected", rejection_reason=reason,
          decided_by_id=getattr(actor, "id", None), decided_at=now or utcnow())
    return checkout


def cancel_checkout(studio, actor, checkout):
    """The family withdraws a request that is still waiting."""
    _move(checkout, WAITING_STATUSES, "This request is {status} and can no longer be withdrawn.",
          status="cancelled")
    return checkout


def due_date_for(studio, item, now=None):
    """Hand-out day in the studio's timezone + the item's max checkout days."""
    return local_today(studio, now) + timedelta(days=item.max_checkout_days)


def hand_out_checkout(studio, actor, checkout, *, condition_out=None, now=None):
    """Hand an approved checkout over: the loan starts, due after the item's max days."""
    now = now or utcnow()
    condition_out = _condition("condition_out", condition_out) or checkout.item.condition
    _move(checkout, ("approved",), "This checkout is {status}; only an approved one can be handed "
          "out.", status="checked_out", checked_out_at=now, condition_out=condition_out,
          due_date=due_date_for(studio, checkout.item, now))
    return checkout


def return_checkout(studio, actor, checkout, *, condition, note="", now=None):
    """Take a loan (or an approved one never handed out) back: its units return to the shelf,
    and the item takes the condition it came back in."""
    condition = _condition("condition", condition, required=True)
    note = _note("note", note)
    _move(checkout, OPEN_CHECKOUT_STATUSES, "This checkout is {status}; it was not out.",
          status="returned", returned_at=now or utcnow(), returned_to_id=getattr(actor, "id", None),
          condition_on_return=condition, return_note=note)
    item = checkout.item
    _shelf(item, checkout.quantity)
    item.condition = condition
    settle_status(item)
    db.session.flush()
    announce_checkout(studio, "checkout.returned", checkout)
    return checkout


def mark_overdue_checkouts(studio, now=None):
    """Loans past their due date (studio's today) turn overdue. Idempotent; returns the
    number marked."""
    today = local_today(studio, now)
    loans = db.session.execute(
        update(Checkout).where(Checkout.studio_id == studio.id, Checkout.status == "checked_out",
                               Checkout.due_date < today)
        .values(status="overdue")
        .returning(Checkout.id, Checkout.student_id, Checkout.item_id, Checkout.due_date)
        .execution_options(synchronize_session=False)).all()
    bell.checkouts_overdue(studio, loans)
    return len(loans)


def mark_all_overdue_checkouts(now=None):
    """The daily job: every studio with loans out, each by its own today."""
    from app.accounts.models import Studio

    studio_ids = db.session.scalars(select(Checkout.studio_id).where(
        Checkout.status == "checked_out").distinct()).all()
    marked = 0
    for studio in db.session.scalars(select(Studio).where(Studio.id.in_(studio_ids))):
        marked += mark_overdue_checkouts(studio, now)
    return marked


def filter_checkouts(stmt, *, status=None, student=None, item=None, search=None):
    if status:
        stmt = stmt.where(Checkout.status.in_(status if isinstance(status, (list, tuple)) else [status]))
    if student:
        stmt = stmt.where(Checkout.student_id == student)
    if item:
        stmt = stmt.where(Checkout.item_id == item)
    if search and search.strip():
        stmt = stmt.join(Checkout.item).where(matches(search, InventoryItem.search_text))
    return stmt


def desk(stmt):
    """The checkout desk's lists from the caller's visible checkouts: waiting requests,
    approved ones to hand out, loans out, overdue loans."""
    rows = db.session.scalars(
        stmt.where(Checkout.status.in_(CURRENT_CHECKOUT_STATUSES))
        .options(selectinload(Checkout.requested_by))
        .order_by(Checkout.due_date.asc().nulls_last(), Checkout.created_at)).unique().all()
    return {status: [c for c in rows if c.status == status] for status in CURRENT_CHECKOUT_STATUSES}


def held_by_student(checkouts):
    """{item id: {student id: current checkout}} of `checkouts`: a student holding a request
    or a loan of an item may not ask for it again (see request_checkout)."""
    held = {}
    for checkout in checkouts:
        if checkout.is_current:
            held.setdefault(checkout.item_id, {})[checkout.student_id] = checkout
    return held


def held_by_item(stmt, items):
    """`held_by_student` of the current checkouts of `items` among `stmt` (the caller's
    visible checkouts), so a Request is offered only to those who may still ask."""
    ids = [item.id for item in items]
    if not ids:
        return {}
    return held_by_student(db.session.scalars(
        stmt.where(Checkout.item_id.in_(ids), Checkout.status.in_(CURRENT_CHECKOUT_STATUSES)))
        .unique().all())


@dataclass
class RentalCharge:
    """One month of rent for one checkout: what billing puts on the family's invoice."""

    checkout: Checkout
    month: object  # the first day of the month
    unit_price: Decimal
    quantity: Decimal
    billing_key: str
    description: str

    @property
    def student(self):
        return self.checkout.student

    @property
    def total(self):
        return line_total(self.quantity, self.unit_price)


def rental_charges(studio, period_start, period_end, *, family=None):
    """Rent due for the months of the period: one charge per checkout per month it was out
    (handed out on or before the month's end, not returned before it began), for items with
    a rental fee. Keys are "rental:<checkout id>:<YYYY-MM>" so no month is billed twice;
    billing leaves out the keys it has already billed."""
    from app.people.models import Student

    stmt = (select(Checkout).join(Checkout.item).join(Checkout.student)
            .where(Checkout.studio_id == studio.id, Checkout.checked_out_at.is_not(None),
                   InventoryItem.rental_fee > 0)
            .order_by(Checkout.checked_out_at, Checkout.id))
    if family is not None:
        stmt = stmt.where(Student.family_id == family.id)
    charges = []
    for checkout in db.session.scalars(stmt).unique():
        start = to_local(studio, checkout.checked_out_at).date()
        end = to_local(studio, checkout.returned_at).date() if checkout.returned_at else None
        for month in months_between(period_start, period_end):
            if start > month_end(month) or (end is not None and end < month_start(month)):
                continue
            label = date_filter(month, "MMMM y", studio)
            units = f" × {checkout.quantity}" if checkout.quantity > 1 else ""
            charges.append(RentalCharge(
                checkout=checkout, month=month_start(month),
                unit_price=to_money(checkout.item.rental_fee), quantity=Decimal(checkout.quantity),
                billing_key=f"rental:{checkout.id}:{month:%Y-%m}",
                description=f"Rental of {checkout.item.name}{units}, {label} · "
                            f"{checkout.student.full_name}"[:300]))
    return charges
