"""HTML pages for inventory: the catalogue, an item's page, the checkout desk."""
from flask import Blueprint

from app.inventory import policies

inventory_bp = Blueprint("inventory", __name__)


@inventory_bp.app_context_processor
def inject_inventory():
    return {"inventory_policies": policies}


from app.inventory.views import checkouts, items  # noqa: E402,F401
