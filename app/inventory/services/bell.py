"""What the bell tells a borrower's family about loans: a request approved, a loan overdue
(once per loan, however often the daily job runs)."""
from sqlalchemy import select

from app.core.formatting import date_filter
from app.extensions import db
from app.inventory.models import InventoryItem
from app.messaging.services import family_user_ids, link_to, notify


def _tell_family(studio, actor, student_id, kind, title, message, *, dedupe_key=None):
    users = [user_id for user_id in family_user_ids(studio, student_ids=[student_id])
             if user_id != getattr(actor, "id", None)]
    return notify(studio, users, kind, title, message,
                  link_to("inventory.student_borrowed", student_id=student_id),
                  dedupe_key=dedupe_key)


def checkout_approved(studio, actor, checkout):
    item = checkout.item
    handed_out = checkout.status == "checked_out"
    message = (f"Handed out; please bring it back by {date_filter(checkout.due_date, 'long', studio)}."
               if handed_out and checkout.due_date else "Collect it from the studio.")
    return _tell_family(studio, actor, checkout.student_id, "checkout_approved",
                        f"Approved: {item.name}", message,
                        dedupe_key=f"checkout-approved:{checkout.id}")


def checkouts_overdue(studio, loans):
    """`loans`: (checkout id, student id, item id, due date) of loans that just turned overdue."""
    if not loans:
        return []
    names = dict(db.session.execute(select(InventoryItem.id, InventoryItem.name).where(
        InventoryItem.studio_id == studio.id,
        InventoryItem.id.in_({item_id for _, _, item_id, _ in loans}))).all())
    written = []
    for checkout_id, student_id, item_id, due_date in loans:
        written += _tell_family(
            studio, None, student_id, "checkout_overdue", f"Overdue: {names.get(item_id, 'a loan')}",
            f"It was due back on {date_filter(due_date, 'long', studio)}; please return it.",
            dedupe_key=f"checkout-overdue:{checkout_id}")
    return written
