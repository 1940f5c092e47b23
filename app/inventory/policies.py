"""Who sees and lends which inventory (SPEC §1), for the pages, the API and the templates.

- Staff see the whole catalogue and every checkout; admins keep the catalogue (create, edit,
  photos); staff (teachers too) approve, hand out and take back.
- Families see only borrowable items that are not retired, and only their own children's
  checkouts (a student: their own). They request for those children only.

Anything a caller may not see answers 404; a visible object they may not change answers 403.
"""
from sqlalchemy import false

from app.core import sync
from app.core.permissions import FAMILY, MANAGERS, STAFF
from app.core.tenancy import current_principal, scoped
from app.extensions import db
from app.inventory.models import Checkout, InventoryItem
from app.people.models import Student
from app.people.services import visible_students
from app.scheduling.services import family_student_ids


def _principal(principal=None):
    return principal or current_principal()


def is_staff(principal=None):
    return _principal(principal).role in STAFF


def is_manager(principal=None):
    return _principal(principal).role in MANAGERS


def openable_students(checkouts, principal=None):
    """The ids of the students of `checkouts` whose page the caller may open: staff see every
    checkout, but a teacher only the students they teach (unless the studio lets them see
    all), so a name links to its student page only when that page would not answer 404."""
    ids = {checkout.student_id for checkout in checkouts}
    if not ids:
        return set()
    stmt = visible_students(_principal(principal)).where(Student.id.in_(ids))
    return set(db.session.scalars(stmt.with_only_columns(Student.id)))


def _visible(model, principal, family_rule):
    """SELECT of `model` in the caller's studio: staff all of it, families what
    `family_rule` allows, anyone else nothing."""
    principal = _principal(principal)
    stmt = scoped(model, principal.studio)
    if principal.role in STAFF:
        return stmt
    if principal.role in FAMILY:
        return stmt.where(family_rule(principal))
    return stmt.where(false())


def visible_items(principal=None):
    """SELECT of the items the caller may see."""
    return _visible(InventoryItem, principal, lambda _: (
        InventoryItem.is_borrowable.is_(True) & (InventoryItem.status != "retired")))


# Gone from the families' list (core.sync): retired, or no longer lent.
sync.archived(InventoryItem, InventoryItem.is_borrowable.is_(False) | (InventoryItem.status == "retired"))


def visible_checkouts(principal=None):
    """SELECT of the checkouts the caller may see: staff all, families their children's."""
    return _visible(Checkout, principal,
                    lambda principal: Checkout.student_id.in_(family_student_ids(principal)))


def borrowers(principal=None):
    """The active students the caller may borrow for: a parent's children, a student
    themselves, every active student for staff."""
    return db.session.scalars(visible_students(_principal(principal))
                              .where(Student.is_active.is_(True))
                              .order_by(Student.first_name, Student.last_name, Student.id)).all()


def may_request(item):
    """An item can be asked for while it is borrowable and not retired."""
    return item.is_borrowable and item.status != "retired"
