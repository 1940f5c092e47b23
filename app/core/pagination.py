"""The one list convention: ?page&page_size -> {count, next, previous, results}."""
from urllib.parse import urlencode

from flask import request
from marshmallow import fields, validate
from sqlalchemy import func, select

from app.core import sync, versions
from app.core.errors import ValidationFailed
from app.core.schemas import BaseSchema, QueryBoolean, UTCDateTime
from app.core.tenancy import current_principal
from app.extensions import db

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000  # keeps OFFSET far from integer overflow
HTML_PAGE_SIZE = 25  # rows a list page shows (core.views.html_page, templates/_pagination.html)


def ordering_field(*names):
    """The `ordering` parameter of a list that sorts by `names`: the document lists each value,
    `-name` descending, so a client never guesses one the server refuses."""
    values = [value for name in names for value in (name, f"-{name}")]
    return fields.String(validate=validate.OneOf(values), metadata={
        "description": "Field to sort by; prefix with `-` for descending."})


class ListQuerySchema(BaseSchema):
    page = fields.Integer(
        load_default=1, strict=False, validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "1-based page number."},
    )
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Results per page (max {MAX_PAGE_SIZE})."},
    )
    search = fields.String(
        validate=validate.Length(max=200), metadata={"description": "Free-text search."}
    )
    ordering = ordering_field("created_at")
    created_after = UTCDateTime(metadata={"description": "Only rows created at or after."})
    created_before = UTCDateTime(metadata={"description": "Only rows created before."})
    updated_since = UTCDateTime(metadata={"description": sync.UPDATED_SINCE_HELP})
    include_deleted = QueryBoolean(metadata={"description": sync.INCLUDE_DELETED_HELP})


def page_schema(item_schema, name=None):
    """A `{count, next, previous, results}` schema around `item_schema`."""
    name = name or f"{item_schema.__name__.removesuffix('Schema')}PageSchema"
    return type(name, (BaseSchema,), {
        "count": fields.Integer(required=True),
        "next": fields.String(allow_none=True, required=True),
        "previous": fields.String(allow_none=True, required=True),
        "results": fields.List(fields.Nested(item_schema), required=True),
        "deleted": deleted_field(),
    })


def deleted_field():
    """The `deleted` of a page asked for with `include_deleted` (core.sync)."""
    return fields.List(fields.UUID(), metadata={"description": sync.DELETED_HELP})


def _page_url(page):
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return f"{request.base_url}?{urlencode(args, doseq=True)}"


def apply_ordering(stmt, model, ordering, allowed, default):
    """Order by a whitelisted field (`-name` descending); ties broken by id in the same
    direction, so that an index on (studio_id, field, id) serves the whole ORDER BY."""
    order = ordering or default
    descending = order.startswith("-")
    name = order.lstrip("-")
    if name not in allowed:
        raise ValidationFailed(
            "Unknown ordering field.",
            field_errors={"ordering": [f"Choose one of: {', '.join(sorted(allowed))}."]},
        )
    column = allowed[name]
    if descending:
        return stmt.order_by(column.desc(), model.id.desc())
    return stmt.order_by(column.asc(), model.id.asc())


def apply_created_range(stmt, model, args):
    if args.get("created_after"):
        stmt = stmt.where(model.created_at >= args["created_after"])
    if args.get("created_before"):
        stmt = stmt.where(model.created_at < args["created_before"])
    return stmt


def paginate(stmt, args):
    """Run `stmt` for one page; returns the response dict (results are model objects). With
    `updated_since`, the rows changed since then in (updated_at, id) order, and with
    `include_deleted` the ids gone since then (core.sync)."""
    page, size = args.get("page", 1), args.get("page_size", DEFAULT_PAGE_SIZE)
    sync.check_args(args)
    listed, stmt = stmt, sync.changed_since(stmt, args)
    principal = current_principal()
    if principal is not None and principal.studio is not None:
        count = versions.count(stmt, principal.studio.id)  # kept while the rows are unchanged
    else:
        count = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    results = db.session.scalars(stmt.limit(size).offset((page - 1) * size)).unique().all()
    found = page_dict(page, size, count, results)
    if args.get("include_deleted"):
        studio = principal.studio if principal is not None else None
        found["deleted"] = sync.deleted_ids(listed, args, studio.id if studio is not None else None)
    return found


def page_dict(page, size, count, results):
    """The response dict of page `page` (of `size` rows) out of `count` rows."""
    return {
        "count": count,
        "next": _page_url(page + 1) if page * size < count else None,
        "previous": _page_url(page - 1) if page > 1 and count else None,
        "results": results,
    }
