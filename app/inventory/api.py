"""JSON API: /api/v1/inventory/items (+ photos), /api/v1/inventory/checkouts.

Families see only borrowable items (not retired) and only their own children's checkouts;
anything else answers 404, as do another studio's ids. Approving a request takes its units
off the shelf (409 "none left" when another approval took the last one); `hand_out: true`
on approve hands it over at once, or `/hand-out` does it later.
"""
from flask import g
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from app.core import files
from app.core.api import Blueprint, loads, refused_when
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires, requires_one_of
from app.core.tenancy import api_login_required, current_studio
from app.inventory import access, policies, services
from app.inventory.models import Checkout, InventoryItem
from app.inventory.schemas import (
    ApproveSchema,
    CheckoutCreateSchema,
    CheckoutListQuerySchema,
    CheckoutPageSchema,
    CheckoutSchema,
    HandOutSchema,
    ItemCreateSchema,
    ItemFieldsSchema,
    ItemListQuerySchema,
    ItemPageSchema,
    ItemSchema,
    PhotoSchema,
    PhotoUploadSchema,
    RejectSchema,
    ReturnSchema,
)

NOT_FOUND = {"description": "Not in your studio, or not visible to you."}
FORBIDDEN = {"description": "Your role may not do this."}
CONFLICT = {"description": "The checkout's state forbids this, or none are left on the shelf."}
TOO_LARGE = {"description": "The studio's storage is full, or the file is too large."}
ITEM_RULES = ("`name` is blank; `available_quantity` is more than `quantity`, or more than the "
              "units not lent out; `quantity` is below the units lent out.")


def _blueprint(name, url_prefix, description):
    blp = Blueprint(name, __name__, url_prefix=url_prefix, description=description)
    blp.before_request(api_login_required)
    return blp


items_blp = _blueprint("Inventory items", "/api/v1/inventory/items",
                       "The studio's instruments, equipment and books, with photos.")
checkouts_blp = _blueprint("Inventory checkouts", "/api/v1/inventory/checkouts",
                           "Lending: requested → approved → checked_out → returned (or rejected).")
blueprints = (items_blp, checkouts_blp)


def _actor():
    return g.api_principal.user


ITEM_ORDERING = {"name": InventoryItem.name, "category": InventoryItem.category,
                 "status": InventoryItem.status, "available_quantity": InventoryItem.available_quantity,
                 "created_at": InventoryItem.created_at}


@items_blp.route("")
class Items(MethodView):
    @requires("inventory.view")
    @items_blp.arguments(ItemListQuerySchema, location="query")
    @items_blp.response(200, ItemPageSchema)
    def get(self, args):
        """List the items you may see (filters: category, status, is_borrowable, search)."""
        stmt = services.filter_items(policies.visible_items(), category=args.get("category"),
                                     status=args.get("status"), is_borrowable=args.get("is_borrowable"),
                                     search=args.get("search"))
        stmt = stmt.options(selectinload(InventoryItem.photos))
        stmt = apply_created_range(stmt, InventoryItem, args)
        stmt = apply_ordering(stmt, InventoryItem, args.get("ordering"), ITEM_ORDERING, "name")
        return paginate(stmt, args)

    @requires("inventory.manage")
    @items_blp.arguments(ItemCreateSchema)
    @items_blp.response(201, ItemSchema)
    @items_blp.alt_response(400, **refused_when(ITEM_RULES))
    @items_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Add an item (available quantity defaults to the quantity)."""
        return services.create_item(current_studio(), _actor(), **data)


@items_blp.route("/<uuid:item_id>")
class Item(MethodView):
    @requires("inventory.view")
    @loads("item", access.visible_item)
    @items_blp.response(200, ItemSchema)
    @items_blp.alt_response(404, **NOT_FOUND)
    def get(self, item):
        """One item with its photos."""
        return item

    @requires("inventory.manage")
    @loads("item", access.visible_item)
    @items_blp.arguments(ItemFieldsSchema)
    @items_blp.response(200, ItemSchema)
    @items_blp.alt_response(400, **refused_when(ITEM_RULES))
    @items_blp.alt_response(403, **FORBIDDEN)
    @items_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, item):
        """Change an item; staff set `status` to maintenance or retired (retired items cannot
        be requested)."""
        return services.update_item(current_studio(), _actor(), item, **data)

    @requires("inventory.manage")
    @loads("item", access.visible_item)
    @items_blp.response(204)
    @items_blp.alt_response(403, **FORBIDDEN)
    @items_blp.alt_response(404, **NOT_FOUND)
    @items_blp.alt_response(409, description="The item has a checkout history: retire it instead.")
    def delete(self, item):
        """Delete an item that was never lent, with its photos."""
        services.delete_item(current_studio(), _actor(), item)


@items_blp.route("/<uuid:item_id>/photos")
class ItemPhotos(MethodView):
    @requires("inventory.view")
    @loads("item", access.visible_item)
    @items_blp.response(200, PhotoSchema(many=True))
    @items_blp.alt_response(404, **NOT_FOUND)
    def get(self, item):
        """The item's photos, the primary one first."""
        return item.photos

    @requires("inventory.manage")
    @loads("item", access.visible_item)
    @items_blp.arguments(PhotoUploadSchema, location="files")
    @items_blp.response(201, PhotoSchema)
    @items_blp.alt_response(400, **refused_when(
        "`photo` is not an image Pillow can read, or the item has the most photos it keeps."))
    @items_blp.alt_response(403, **FORBIDDEN)
    @items_blp.alt_response(404, **NOT_FOUND)
    @items_blp.alt_response(413, **TOO_LARGE)
    def post(self, data, item):
        """Upload a photo of an item (multipart, field `photo`).

        It is re-encoded without EXIF and thumbnailed on the server; the first photo becomes
        the primary one."""
        return services.add_photo(current_studio(), _actor(), item, data["photo"])


@items_blp.route("/<uuid:item_id>/photos/<uuid:photo_id>")
class ItemPhotoFile(MethodView):
    @requires("inventory.view")
    @items_blp.response(200, description="The image.")
    @items_blp.alt_response(404, **NOT_FOUND)
    def get(self, item_id, photo_id):
        """The photo itself."""
        _item, photo = access.visible_photo(item_id, photo_id)
        return files.file_response(photo.file, inline=True)

    @requires("inventory.manage")
    @items_blp.response(204)
    @items_blp.alt_response(403, **FORBIDDEN)
    @items_blp.alt_response(404, **NOT_FOUND)
    def delete(self, item_id, photo_id):
        """Delete a photo; the oldest other photo becomes primary if it was."""
        item, photo = access.visible_photo(item_id, photo_id)
        services.delete_photo(current_studio(), _actor(), item, photo)


@items_blp.route("/<uuid:item_id>/photos/<uuid:photo_id>/thumbnail")
class ItemPhotoThumbnail(MethodView):
    @requires("inventory.view")
    @items_blp.response(200, description="The thumbnail.")
    @items_blp.alt_response(404, **NOT_FOUND)
    def get(self, item_id, photo_id):
        """The photo's thumbnail (at most 320 px a side)."""
        _item, photo = access.visible_photo(item_id, photo_id)
        return files.file_response(photo.thumbnail, inline=True)


@items_blp.route("/<uuid:item_id>/photos/<uuid:photo_id>/primary")
class ItemPhotoPrimary(MethodView):
    @requires("inventory.manage")
    @items_blp.response(200, PhotoSchema)
    @items_blp.alt_response(403, **FORBIDDEN)
    @items_blp.alt_response(404, **NOT_FOUND)
    def post(self, item_id, photo_id):
        """Make this photo the item's primary one."""
        item, photo = access.visible_photo(item_id, photo_id)
        return services.set_primary_photo(current_studio(), _actor(), item, photo)


# ---------------------------------------------------------------- checkouts

CHECKOUT_ORDERING = {"created_at": Checkout.created_at, "due_date": Checkout.due_date,
                     "status": Checkout.status}


@checkouts_blp.route("")
class Checkouts(MethodView):
    @requires("checkouts.view")
    @checkouts_blp.arguments(CheckoutListQuerySchema, location="query")
    @checkouts_blp.response(200, CheckoutPageSchema)
    def get(self, args):
        """List the checkouts you may see (filters: status, student, item; search by item)."""
        stmt = services.filter_checkouts(policies.visible_checkouts(), status=args.get("status"),
                                         student=args.get("student"), item=args.get("item"),
                                         search=args.get("search"))
        stmt = stmt.options(selectinload(Checkout.requested_by), selectinload(Checkout.decided_by),
                            selectinload(Checkout.returned_to))
        stmt = apply_created_range(stmt, Checkout, args)
        stmt = apply_ordering(stmt, Checkout, args.get("ordering"), CHECKOUT_ORDERING, "-created_at")
        return paginate(stmt, args)

    @requires_one_of("checkouts.request", "checkouts.manage")
    @checkouts_blp.arguments(CheckoutCreateSchema)
    @checkouts_blp.response(201, CheckoutSchema)
    @checkouts_blp.alt_response(400, **refused_when(
        "`item` cannot be borrowed (not borrowable, or retired); `student` is archived; "
        "`quantity` is more than the studio has."))
    @checkouts_blp.alt_response(403, **FORBIDDEN)
    @checkouts_blp.alt_response(404, **NOT_FOUND)
    @checkouts_blp.alt_response(409, **CONFLICT)
    def post(self, data):
        """Request to borrow an item: for yourself (student), a child of yours (parent), or
        any student (staff). Staff then approve it."""
        item = access.visible_item(data.pop("item"))
        student = access.borrower(data.pop("student"))
        return services.request_checkout(current_studio(), _actor(), item, student, **data)


@checkouts_blp.route("/<uuid:checkout_id>")
class CheckoutItem(MethodView):
    @requires("checkouts.view")
    @loads("checkout", access.visible_checkout)
    @checkouts_blp.response(200, CheckoutSchema)
    @checkouts_blp.alt_response(404, **NOT_FOUND)
    def get(self, checkout):
        """One checkout."""
        return checkout


def _action(path, schema, summary_doc, verb, rules=None):
    """An action endpoint: staff only, the checkout loaded (404/403) before the body."""

    def post(self, data, checkout):
        return verb(current_studio(), _actor(), checkout, **data)

    post.__doc__ = summary_doc
    post = checkouts_blp.alt_response(409, **CONFLICT)(post)
    post = checkouts_blp.alt_response(404, **NOT_FOUND)(post)
    post = checkouts_blp.alt_response(403, **FORBIDDEN)(post)
    if rules:
        post = checkouts_blp.alt_response(400, **refused_when(rules))(post)
    post = checkouts_blp.response(200, CheckoutSchema)(post)
    post = checkouts_blp.arguments(schema)(post)
    post = loads("checkout", access.visible_checkout)(post)
    post = requires("checkouts.manage")(post)
    view = type(verb.__name__.title().replace("_", ""), (MethodView,), {"post": post})
    checkouts_blp.route(f"/<uuid:checkout_id>/{path}")(view)
    return view


Approve = _action("approve", ApproveSchema,
                  "Approve a request: its units leave the shelf (409 when none are left). "
                  "With `hand_out: true` it is handed over at once.",
                  services.approve_checkout)
Reject = _action("reject", RejectSchema, "Reject a waiting request, with a reason.",
                 services.reject_checkout, "`reason` is blank.")
HandOut = _action("hand-out", HandOutSchema,
                  "Hand an approved checkout over; due after the item's max checkout days.",
                  services.hand_out_checkout)
Return = _action("return", ReturnSchema,
                 "Mark a checkout returned. Give the condition it came back in and a note; its "
                 "units return to the shelf (409 when it was not out).",
                 services.return_checkout)
