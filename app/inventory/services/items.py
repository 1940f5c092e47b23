"""The catalogue: items with their quantities, condition and status."""
from decimal import Decimal

from sqlalchemy import func, select

from app.core import validation
from app.core.errors import Conflict, ValidationFailed
from app.core.search import matches
from app.extensions import db
from app.inventory.models import (
    ITEM_CATEGORIES,
    ITEM_CONDITIONS,
    MAX_CHECKOUT_DAYS,
    OPEN_CHECKOUT_STATUSES,
    Checkout,
    InventoryItem,
)

MAX_QUANTITY = 10_000
MAX_VALUE = Decimal("9999999999.99")
# Staff set these; "checked_out" follows the shelf (see settle_status).
STAFF_STATUSES = ("available", "maintenance", "retired")
TEXT_LIMITS = {"name": 120, "location": 120, "serial_number": 80, "notes": 5000}
ALL_FIELDS = frozenset({*TEXT_LIMITS, "category", "condition", "status", "quantity",
                        "available_quantity", "max_checkout_days", "value", "rental_fee",
                        "is_borrowable"})


def _optional_money(value, **options):
    return None if value in (None, "") else validation.money(value, minimum=Decimal(0), **options)


def _clean(fields):
    cleaned = {name: value for name, value in fields.items() if name in ALL_FIELDS}
    errors = validation.FieldErrors()
    for name, limit in TEXT_LIMITS.items():
        if cleaned.get(name) is None and name in cleaned:
            cleaned[name] = ""
        errors.clean(cleaned, name, validation.text, max_length=limit, required=name == "name",
                     missing="A name is required.")
    errors.clean(cleaned, "category", validation.choice, choices=ITEM_CATEGORIES)
    errors.clean(cleaned, "condition", validation.choice, choices=ITEM_CONDITIONS)
    errors.clean(cleaned, "status", validation.choice, choices=STAFF_STATUSES)
    for name, minimum, maximum in (("quantity", 0, MAX_QUANTITY),
                                   ("available_quantity", 0, MAX_QUANTITY),
                                   ("max_checkout_days", 1, MAX_CHECKOUT_DAYS)):
        errors.clean(cleaned, name, validation.whole_number, minimum=minimum, maximum=maximum,
                     invalid=f"Enter a whole number from {minimum} to {maximum}.")
    errors.clean(cleaned, "value", _optional_money)
    errors.clean(cleaned, "rental_fee", _optional_money)
    if "is_borrowable" in cleaned:
        cleaned["is_borrowable"] = bool(cleaned["is_borrowable"])
    errors.raise_if_any()
    return cleaned


def units_out(item):
    """Units held by approved, handed-out or overdue checkouts of the item."""
    if item.id is None:
        return 0
    return db.session.scalar(select(func.coalesce(func.sum(Checkout.quantity), 0)).where(
        Checkout.studio_id == item.studio_id, Checkout.item_id == item.id,
        Checkout.status.in_(OPEN_CHECKOUT_STATUSES))) or 0


def settle_status(item):
    """checked_out when none are left on the shelf and some are out; back to available when
    some return. Maintenance and retired are staff's to set and stay."""
    if item.status in ("maintenance", "retired"):
        return
    item.status = "checked_out" if item.available_quantity == 0 and item.quantity > 0 else "available"


def staff_status(item):
    """The status staff choose from (STAFF_STATUSES) that the item is in: a checked-out
    item is available to staff, the shelf makes it checked out again."""
    return item.status if item.status in STAFF_STATUSES else "available"


def _set_quantities(item, cleaned):
    out = units_out(item)
    quantity = cleaned.get("quantity", item.quantity)
    if "available_quantity" in cleaned:
        available = cleaned["available_quantity"]
    elif "quantity" in cleaned:
        available = max(quantity - out, 0)
    else:
        available = item.available_quantity
    if available > quantity:
        raise ValidationFailed(field_errors={"available_quantity": [
            "Available quantity cannot be more than the quantity."]})
    if quantity - available < out:
        field = "available_quantity" if "available_quantity" in cleaned else "quantity"
        raise ValidationFailed(field_errors={field: [
            f"{out} unit{'' if out == 1 else 's'} {'is' if out == 1 else 'are'} lent out: "
            f"at most {max(quantity - out, 0)} can be on the shelf."]})
    item.quantity, item.available_quantity = quantity, available


def create_item(studio, actor, *, name, category="instrument", quantity=1, available_quantity=None,
                **fields):
    """Add an item; the available quantity defaults to the quantity."""
    cleaned = _clean({"name": name, "category": category, "quantity": quantity,
                      "available_quantity": quantity if available_quantity is None else available_quantity,
                      **fields})
    status = cleaned.pop("status", "available")
    item = InventoryItem(studio_id=studio.id, status=status, **{
        k: v for k, v in cleaned.items() if k not in ("quantity", "available_quantity")})
    _set_quantities(item, cleaned)
    settle_status(item)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(studio, actor, item, **fields):
    """Change an item. Quantities keep the units that are out; a new quantity alone moves the
    shelf with it."""
    cleaned = _clean(fields)
    status = cleaned.pop("status", None)
    _set_quantities(item, cleaned)
    for name, value in cleaned.items():
        if name not in ("quantity", "available_quantity"):
            setattr(item, name, value)
    if status is not None:
        item.status = status
    settle_status(item)
    db.session.flush()
    return item


def delete_item(studio, actor, item):
    """Delete an item that was never lent; one with a history is retired instead (409)."""
    from app.inventory.services.photos import delete_photo

    has_history = db.session.scalar(select(func.count()).select_from(Checkout).where(
        Checkout.studio_id == studio.id, Checkout.item_id == item.id))
    if has_history:
        raise Conflict("This item has a checkout history; retire it instead of deleting it.")
    for photo in list(item.photos):
        delete_photo(studio, actor, item, photo)
    db.session.delete(item)
    db.session.flush()


def filter_items(stmt, *, category=None, status=None, is_borrowable=None, search=None):
    if category:
        stmt = stmt.where(InventoryItem.category == category)
    if status:
        stmt = stmt.where(InventoryItem.status == status)
    if is_borrowable is not None:
        stmt = stmt.where(InventoryItem.is_borrowable.is_(is_borrowable))
    if search and search.strip():
        stmt = stmt.where(matches(search, InventoryItem.search_text))
    return stmt
