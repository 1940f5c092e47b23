"""Helpers the billing pages share."""
from datetime import date

from flask import flash, make_response, redirect, render_template, request, url_for

from app.core import htmx
from app.core.errors import ValidationFailed
from app.core.forms import apply_errors
from app.core.pagination import paginate
from app.core.tenancy import parse_uuid
from app.extensions import db

PAGE_SIZE = 25


def page_number():
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def html_page(stmt):
    return paginate(stmt, {"page": page_number(), "page_size": PAGE_SIZE})


def text_arg(name, max_length=200):
    return (request.args.get(name) or "").strip()[:max_length]


def uuid_arg(name):
    return parse_uuid(request.args.get(name))


def chosen_family(family_id):
    """The family a `?family=<id>` link narrows a list to, when the caller may see it."""
    if family_id is None:
        return None
    from app.people.models import Family
    from app.people.policies import visible_families

    return db.session.scalar(visible_families().where(Family.id == family_id))


def date_arg(name):
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None


def form_failed(form, error, aliases=None):
    if not isinstance(error, ValidationFailed):
        error = ValidationFailed(error.detail, field_errors=error.field_errors)
    apply_errors(form, error, aliases)


def render(template, status=200, partial=None, **context):
    name = partial if partial and htmx.is_htmx() else template
    response = make_response(render_template(name, **context), status)
    return htmx.add_vary(response)


def back_to_invoice(invoice_id, message=None, category="success"):
    if category == "error":
        from app.extensions import db

        db.session.rollback()  # a refused action leaves nothing behind
    if message:
        flash(message, category)
    url = url_for("billing.invoice", invoice_id=invoice_id)
    if htmx.is_htmx():
        return htmx.hx_redirect(make_response("", 200), url)
    return redirect(url)
