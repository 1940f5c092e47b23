"""What every HTML view uses: list arguments, the page of a list, rendering a page or its
partial, a service's error on a form, and refused writes."""
from functools import wraps

from flask import flash, make_response, redirect, render_template, request, url_for

from app.core import htmx, validation
from app.core.errors import PermissionDenied, ValidationFailed
from app.core.forms import apply_errors
from app.core.pagination import HTML_PAGE_SIZE, MAX_PAGE, page_dict, paginate
from app.core.tenancy import parse_uuid

# ---------------------------------------------------------------- query arguments


def page_number():
    """The `?page=` of a list page: 1 when missing or not a number."""
    try:
        return max(1, min(int(request.args.get("page", 1)), MAX_PAGE))
    except ValueError:
        return 1


def text_arg(name, max_length=200):
    return (request.args.get(name) or "").strip()[:max_length]


def uuid_arg(name):
    """A UUID argument, or None when missing or malformed."""
    return parse_uuid(request.args.get(name))


def date_arg(name):
    """An ISO date argument (None when missing or malformed), moved inside the supported
    calendar (core.validation.page_date)."""
    return validation.page_date(request.args.get(name))


def choice_arg(name, choices, default):
    value = request.args.get(name)
    return value if value in choices else default


def html_page(stmt, size=HTML_PAGE_SIZE):
    """One page of `stmt` for a list page: the list convention's dict, plus the page's
    `number`, `size` and count of `pages` that templates/_pagination.html shows."""
    number = page_number()
    return _numbered(paginate(stmt, {"page": number, "page_size": size}), number, size)


def html_list_page(rows, size=HTML_PAGE_SIZE):
    """`html_page` of rows already in memory."""
    number = page_number()
    start = (number - 1) * size
    return _numbered(page_dict(number, size, len(rows), rows[start:start + size]), number, size)


def _numbered(page, number, size):
    page.update(number=number, size=size, pages=max(1, -(-page["count"] // size)))
    return page


def safe_next(default):
    """The request's `next` when it is a path on this site, else `default`."""
    try:
        return validation.local_path(request.values.get("next"))
    except validation.Invalid:
        return default


def safe_back(default=None):
    """The page the user came from on this site, else `default` (the dashboard)."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url) and referrer != request.url:
        return referrer
    return default or url_for("dashboard.index")


# ---------------------------------------------------------------- answers


def render(template, partial=None, *, status=200, **context):
    """The page, or only `partial` for an htmx request."""
    name = partial if partial and htmx.is_htmx() else template
    response = make_response(render_template(name, **context), status)
    return htmx.add_vary(response)


def form_status(form):
    """422 when the form carries errors, else 200."""
    return 422 if form.errors or form.form_errors else 200


def render_form(template, form, partial=None, *, status=None, **context):
    """The page with its form (or only `partial` for htmx), 422 when the form has errors."""
    return render(template, partial, status=status or form_status(form), form=form, **context)


def form_failed(form, error, aliases=None):
    """Put a service's error on the form: field errors next to their fields (`aliases` maps
    a service's field name to the form's), everything else above the form."""
    if not isinstance(error, ValidationFailed):
        error = ValidationFailed(error.detail, field_errors=error.field_errors)
    apply_errors(form, error, aliases)


def deny(message, back):
    """A write this user may not do: flash why and go to `back` (SPEC §1, the HTML side)."""
    flash(message, "error")
    return redirect(back)


def denied_writes_redirect(view=None, *, back=None):
    """Object-level refusals on pages: flash the reason and go back, to `back(**view_kwargs)`
    when given, else where the user came from. htmx requests get the 403 fragment.

    Use bare (`@denied_writes_redirect`) or with a target (`@denied_writes_redirect(back=...)`).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except PermissionDenied as exc:
                if htmx.is_htmx():
                    raise
                return deny(exc.detail, back(**kwargs) if back else safe_back())

        return wrapper

    return decorator(view) if view is not None else decorator
