"""API schemas for inventory items, their photos and checkouts. Shapes follow the reference:
an item as {"name", "category", "quantity", "available_quantity", "condition", "location",
"value": "500.00", "is_borrowable", "max_checkout_days", ...}; a checkout refers to its item and
student by id on input and shows them as small nested objects on output."""
from flask import url_for
from marshmallow import fields, validate

from app.core.pagination import ListQuerySchema, ordering_field, page_schema
from app.core.schemas import (
    BaseSchema,
    Money,
    QueryBoolean,
    StrictBoolean,
    StudentRefSchema,
    UserRefSchema,
    UTCDateTime,
)
from app.inventory.models import (
    CHECKOUT_STATUSES,
    ITEM_CATEGORIES,
    ITEM_CONDITIONS,
    ITEM_STATUSES,
    MAX_CHECKOUT_DAYS,
)
from app.inventory.services.items import MAX_QUANTITY, STAFF_STATUSES

STRICT = {"strict": True}


class PhotoSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    is_primary = StrictBoolean(dump_only=True)
    width = fields.Integer(dump_only=True)
    height = fields.Integer(dump_only=True)
    url = fields.Method("_url", dump_only=True, metadata={"description": "The image (JPEG/PNG)."})
    thumbnail_url = fields.Method("_thumbnail_url", dump_only=True)
    created_at = UTCDateTime(dump_only=True)

    def _url(self, photo):
        return url_for("Inventory items.ItemPhotoFile", item_id=photo.item_id, photo_id=photo.id)

    def _thumbnail_url(self, photo):
        return url_for("Inventory items.ItemPhotoThumbnail", item_id=photo.item_id, photo_id=photo.id)


class ItemSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    category = fields.String(dump_only=True, metadata={"description": ", ".join(ITEM_CATEGORIES)})
    quantity = fields.Integer(dump_only=True)
    available_quantity = fields.Integer(dump_only=True)
    condition = fields.String(dump_only=True)
    location = fields.String(dump_only=True)
    value = Money(dump_only=True, allow_none=True)
    serial_number = fields.String(dump_only=True)
    is_borrowable = StrictBoolean(dump_only=True)
    max_checkout_days = fields.Integer(dump_only=True)
    rental_fee = Money(dump_only=True, allow_none=True, metadata={
        "description": "Rent per month a unit is out, billed on the family's invoice."})
    status = fields.String(dump_only=True, metadata={"description": ", ".join(ITEM_STATUSES)})
    notes = fields.String(dump_only=True)
    primary_photo = fields.Nested(PhotoSchema, dump_only=True, allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema), dump_only=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class ItemFieldsSchema(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    category = fields.String(validate=validate.OneOf(ITEM_CATEGORIES))
    quantity = fields.Integer(validate=validate.Range(0, MAX_QUANTITY), **STRICT)
    available_quantity = fields.Integer(validate=validate.Range(0, MAX_QUANTITY), **STRICT, metadata={
        "description": "Units on the shelf: at most `quantity` less the units lent out."})
    condition = fields.String(validate=validate.OneOf(ITEM_CONDITIONS))
    location = fields.String(validate=validate.Length(max=120))
    value = Money(allow_none=True, validate=validate.Range(min=0))
    serial_number = fields.String(validate=validate.Length(max=80))
    is_borrowable = StrictBoolean()
    max_checkout_days = fields.Integer(validate=validate.Range(1, MAX_CHECKOUT_DAYS), **STRICT)
    rental_fee = Money(allow_none=True, validate=validate.Range(min=0))
    status = fields.String(validate=validate.OneOf(STAFF_STATUSES), metadata={
        "description": "`checked_out` follows the shelf; staff set maintenance or retired."})
    notes = fields.String(validate=validate.Length(max=5000))


class ItemCreateSchema(ItemFieldsSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class ItemListQuerySchema(ListQuerySchema):
    ordering = ordering_field("name", "category", "status", "available_quantity", "created_at")
    category = fields.String(validate=validate.OneOf(ITEM_CATEGORIES))
    status = fields.String(validate=validate.OneOf(ITEM_STATUSES))
    is_borrowable = QueryBoolean()


class PhotoUploadSchema(BaseSchema):
    photo = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                                "description": "A JPEG, PNG, GIF or WebP image."})


class ItemRefSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    category = fields.String(dump_only=True)
    serial_number = fields.String(dump_only=True)


class CheckoutSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    item = fields.Nested(ItemRefSchema, dump_only=True)
    student = fields.Nested(StudentRefSchema, dump_only=True)
    quantity = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True, metadata={"description": ", ".join(CHECKOUT_STATUSES)})
    notes = fields.String(dump_only=True)
    requested_by = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    requested_at = UTCDateTime(attribute="created_at", dump_only=True)
    decided_by = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    decided_at = UTCDateTime(dump_only=True, allow_none=True)
    rejection_reason = fields.String(dump_only=True)
    checkout_date = UTCDateTime(attribute="checked_out_at", dump_only=True, allow_none=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    condition_out = fields.String(dump_only=True, allow_none=True)
    return_date = UTCDateTime(attribute="returned_at", dump_only=True, allow_none=True)
    returned_to = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    condition_on_return = fields.String(dump_only=True, allow_none=True)
    return_note = fields.String(dump_only=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)


class CheckoutCreateSchema(BaseSchema):
    item = fields.UUID(required=True, metadata={"description": "A borrowable item."})
    student = fields.UUID(required=True, metadata={
        "description": "The borrower: yourself (student), one of your children (parent)."})
    quantity = fields.Integer(load_default=1, validate=validate.Range(1, MAX_QUANTITY), **STRICT)
    notes = fields.String(load_default="", validate=validate.Length(max=1000))


class ApproveSchema(BaseSchema):
    hand_out = StrictBoolean(load_default=False, metadata={
        "description": "Hand the item over at once (the loan and its due date start now)."})
    condition_out = fields.String(validate=validate.OneOf(ITEM_CONDITIONS))


class HandOutSchema(BaseSchema):
    condition_out = fields.String(validate=validate.OneOf(ITEM_CONDITIONS), metadata={
        "description": "Defaults to the item's condition."})


class RejectSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ReturnSchema(BaseSchema):
    condition = fields.String(required=True, validate=validate.OneOf(ITEM_CONDITIONS))
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class CheckoutListQuerySchema(ListQuerySchema):
    ordering = ordering_field("created_at", "due_date", "status")
    status = fields.String(validate=validate.OneOf(CHECKOUT_STATUSES))
    student = fields.UUID()
    item = fields.UUID()


ItemPageSchema = page_schema(ItemSchema)
CheckoutPageSchema = page_schema(CheckoutSchema)
