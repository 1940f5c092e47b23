"""Who sees and lends which inventory (SPEC §1), for the pages, the API and the templates.

- Staff see the whole catalogue and every checkout; admins keep the catalogue (create, edit,
  photos); staff (teachers too) approve, hand out and take back.
- Families see only borrowable items that are not retired, and only their own children's
  checkouts (a student: their own). They request for those children only.

Anything a caller may not see answers 404; a visible object they may not change answers 403.
"""
from sqlalchemy import false

from app.core.permissions import FAMILY, MANAGERS, STAFF
from app.core.tenancy import current_principal, scoped
from app.inventory.models import Checkout, InventoryItem
from app.people.models import Student
from app.people.services import visible_students


def _principal(principal=None):
    return principal or current_principal()


def is_staff(principal=None):
    return _principal(principal).role in STAFF


def is_manager(principal=None):
    return _principal(principal).role in MANAGERS


def visible_items(principal=None):
    """SELECT of the items the caller may see."""
    principal = _principal(principal)
    stmt = scoped(InventoryItem, principal.studio)
    if principal.role in STAFF:
        return stmt
    if principal.role in FAMILY:
        return stmt.where(InventoryItem.is_borrowable.is_(True), InventoryItem.status != "retired")
    return stmt.where(false())


def borrower_ids(principal=None):
    """SELECT of the ids of the students the caller may borrow for (or see checkouts of)."""
    principal = _principal(principal)
    return visible_students(principal).with_only_columns(Student.id).order_by(None)


def visible_checkouts(principal=None):
    """SELECT of the checkouts the caller may see: staff all, families their children's."""
    principal = _principal(principal)
    stmt = scoped(Checkout, principal.studio)
    if principal.role in STAFF:
        return stmt
    if principal.role in FAMILY:
        return stmt.where(Checkout.student_id.in_(borrower_ids(principal)))
    return stmt.where(false())


def may_request(item):
    """An item can be asked for while it is borrowable and not retired."""
    return item.is_borrowable and item.status != "retired"
