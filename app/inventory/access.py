"""Loaders shared by the pages and the API: find an object the caller may see (404
otherwise), and check they may change it (403 otherwise) — before any input is validated."""
from app.core.errors import NotFound
from app.core.tenancy import get_or_404, parse_uuid
from app.inventory import policies
from app.inventory.models import Checkout, InventoryItem
from app.people.models import Student


def visible_item(item_id):
    return get_or_404(InventoryItem, item_id, stmt=policies.visible_items())


def visible_photo(item_id, photo_id):
    """(item, photo): a photo of an item the caller may see (a photo of another item, or
    another studio's, is 404)."""
    item = visible_item(item_id)
    parsed = parse_uuid(photo_id)
    photo = next((p for p in item.photos if p.id == parsed), None) if parsed else None
    if photo is None:
        raise NotFound("Photo not found.")
    return item, photo


def visible_checkout(checkout_id):
    return get_or_404(Checkout, checkout_id, stmt=policies.visible_checkouts())


def borrower(student_id):
    """A student the caller may borrow for: a parent's children, a student themselves, any
    student staff can see."""
    return get_or_404(Student, student_id, stmt=policies.visible_students())
