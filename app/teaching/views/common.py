"""Helpers the teaching pages share: safe redirects, denied writes, form rendering."""
from functools import wraps
from urllib.parse import urlsplit

from flask import flash, make_response, redirect, render_template, request, url_for

from app.core import htmx
from app.core.errors import PermissionDenied, ValidationFailed
from app.core.forms import apply_errors
from app.core.pagination import paginate
from app.core.tenancy import parse_uuid

PAGE_SIZE = 20


def safe_next(default):
    """The form's `next` when it is a local path, else `default`."""
    target = request.values.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc \
            and "\\" not in target:
        return target
    return default


def denied_writes_redirect(view):
    """Object-level 403s on pages: flash and go back (htmx requests get the 403 fragment)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except PermissionDenied as exc:
            if htmx.is_htmx():
                raise
            flash(exc.detail, "error")
            referrer = request.referrer or ""
            back = referrer if referrer.startswith(request.host_url) and referrer != request.url \
                else url_for("dashboard.index")
            return redirect(back)

    return wrapper


def form_failed(form, error):
    if not isinstance(error, ValidationFailed):
        error = ValidationFailed(error.detail, field_errors=error.field_errors)
    apply_errors(form, error, {"date": "date", "practice_date": "date"})


def render(template, partial=None, *, status=200, **context):
    """The page, or only `partial` for an htmx request."""
    name = partial if partial and htmx.is_htmx() else template
    response = make_response(render_template(name, **context), status)
    return htmx.add_vary(response)


def form_status(form):
    return 422 if form.errors or form.form_errors else 200


def uuid_arg(name):
    return parse_uuid(request.args.get(name))


def page_number():
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def html_page(stmt, size=PAGE_SIZE):
    return paginate(stmt, {"page": page_number(), "page_size": size})


def reads_records(student):
    """May the caller read this student's notes, goals and practice (own students only)?"""
    from app.extensions import db
    from app.people.models import Student
    from app.teaching import policies

    return db.session.scalar(policies.record_students().where(Student.id == student.id)) is not None
