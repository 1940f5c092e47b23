"""What inventory adds to the dashboard: for staff, the desk at a glance (requests waiting,
loans out, overdue loans); for families, their children's loans (overdue ones first) and a
few things to borrow, each with its Request button."""
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from app.core.forms import EmptyForm
from app.core.permissions import FAMILY, STAFF, can
from app.extensions import db
from app.inventory import policies, services
from app.inventory.models import CURRENT_CHECKOUT_STATUSES, Checkout, InventoryItem

OVERDUE_SHOWN = 8
OFFERED_ITEMS = 6


def _staff(principal):
    stmt = policies.visible_checkouts(principal)
    counts = dict(db.session.execute(
        stmt.with_only_columns(Checkout.status, func.count(Checkout.id))
        .where(Checkout.status.in_(CURRENT_CHECKOUT_STATUSES)).group_by(Checkout.status)
        .order_by(None)).all())
    overdue = db.session.scalars(
        stmt.where(Checkout.status == "overdue")
        .order_by(Checkout.due_date, Checkout.created_at, Checkout.id)
        .limit(OVERDUE_SHOWN)).unique().all() if counts.get("overdue") else []
    return {"inventory_desk": {
        "requested": counts.get("requested", 0), "approved": counts.get("approved", 0),
        "out": counts.get("checked_out", 0) + counts.get("overdue", 0),
        "overdue": counts.get("overdue", 0), "overdue_loans": overdue}}


def _family(principal):
    loans = db.session.scalars(
        policies.visible_checkouts(principal).where(Checkout.status.in_(CURRENT_CHECKOUT_STATUSES))
        .order_by(Checkout.due_date.asc().nulls_last(), Checkout.created_at, Checkout.id)).unique().all()
    loans.sort(key=lambda c: c.status != "overdue")  # overdue ones first, stable otherwise
    offered = []
    if can("checkouts.request"):
        offered = db.session.scalars(
            policies.visible_items(principal).where(InventoryItem.available_quantity > 0)
            .options(selectinload(InventoryItem.photos))
            .order_by(InventoryItem.name, InventoryItem.id).limit(OFFERED_ITEMS)).all()
    return {"family_loans": loans, "borrowable_items": offered,
            "inventory_borrowers": policies.borrowers(principal) if offered else [],
            "inventory_held": services.held_by_student(loans),
            "inventory_form": EmptyForm()}


def dashboard_context(principal):
    """Extra template context for the dashboard of `principal`'s role."""
    if principal.role in STAFF:
        return _staff(principal)
    if principal.role in FAMILY:
        return _family(principal)
    return {}
