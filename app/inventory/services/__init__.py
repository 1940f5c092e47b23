"""The inventory verbs. Services take plain values and the acting user and only flush; the
request commits (or rolls back) at the edge. Who may call them is decided at the edge with
app/inventory/policies.py. Billing reads `rental_charges` for its monthly invoices."""
from app.inventory.services.checkouts import (
    RentalCharge,
    approve_checkout,
    cancel_checkout,
    desk,
    due_date_for,
    filter_checkouts,
    hand_out_checkout,
    held_by_item,
    held_by_student,
    mark_all_overdue_checkouts,
    mark_overdue_checkouts,
    reject_checkout,
    rental_charges,
    request_checkout,
    return_checkout,
)
from app.inventory.services.items import (
    create_item,
    delete_item,
    filter_items,
    settle_status,
    staff_status,
    units_out,
    update_item,
)
from app.inventory.services.photos import MAX_PHOTOS, add_photo, delete_photo, set_primary_photo

__all__ = [
    "MAX_PHOTOS", "RentalCharge", "add_photo", "approve_checkout", "cancel_checkout",
    "create_item", "delete_item", "delete_photo", "desk", "due_date_for", "filter_checkouts",
    "filter_items", "hand_out_checkout", "held_by_item", "held_by_student",
    "mark_all_overdue_checkouts", "mark_overdue_checkouts", "rental_charges", "reject_checkout",
    "request_checkout", "return_checkout", "set_primary_photo", "settle_status", "staff_status",
    "units_out", "update_item",
]
