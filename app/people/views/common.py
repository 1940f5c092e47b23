"""Helpers the people pages share: list arguments, pagination, form errors."""
from flask import flash, make_response, redirect, render_template, request

from app.core import htmx
from app.core.errors import ValidationFailed
from app.core.forms import apply_errors
from app.core.pagination import paginate
from app.core.tenancy import parse_uuid

PAGE_SIZE = 25


def page_number():
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def text_arg(name, max_length=200):
    return (request.args.get(name) or "").strip()[:max_length]


def uuid_arg(name):
    return parse_uuid(request.args.get(name))


def choice_arg(name, choices, default):
    value = request.args.get(name)
    return value if value in choices else default


def html_page(stmt, size=PAGE_SIZE):
    return paginate(stmt, {"page": page_number(), "page_size": size})


def form_failed(form, error, aliases=None):
    """Put a service error on the form (field errors next to fields, the rest on top)."""
    if not isinstance(error, ValidationFailed):
        error = ValidationFailed(error.detail, field_errors=error.field_errors)
    apply_errors(form, error, aliases)


def status_for(form):
    return 422 if form.errors or form.form_errors else 200


def render_form(template, form, partial=None, status=None, **context):
    """The page with its form, or only `partial` for htmx; 422 when the form has errors."""
    name = partial if partial and htmx.is_htmx() else template
    response = make_response(render_template(name, form=form, **context), status or status_for(form))
    return htmx.add_vary(response)


def deny(message, fallback_url):
    """A write this user may not do: flash why and go back (SPEC §1, HTML side)."""
    flash(message, "error")
    return redirect(fallback_url)
