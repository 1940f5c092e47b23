"""HTML pages for inventory: the catalogue, an item's page, the checkout desk."""
from flask import Blueprint

inventory_bp = Blueprint("inventory", __name__)
