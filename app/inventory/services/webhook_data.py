"""What the checkout events carry (app/core/webhook_events.py), named as the API names them."""
from app.core.webhook_events import emit, snapshot

CHECKOUT_FIELDS = (
    "id", "status", ("item", "item_id"), ("item_name", "item.name"), ("student", "student_id"),
    "quantity", "decided_at", "checked_out_at", "due_date", "condition_out", "returned_at",
    "condition_on_return", "created_at", "updated_at",
)


def announce_checkout(studio, event, checkout):
    return emit(studio, event, checkout, snapshot(checkout, CHECKOUT_FIELDS))
