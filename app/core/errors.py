"""Domain errors and the one dispatcher that answers them in the right format.

Under /api/ every error is the JSON body `{detail, code, field_errors, request_id}`; an htmx
request gets a small fragment; anything else gets an HTML page.
"""
import logging

from flask import current_app, g, has_app_context, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.core import htmx
from app.core.db import db

log = logging.getLogger(__name__)

CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

DETAILS = {
    400: "The request is not valid.",
    401: "Authentication credentials were missing or are not valid.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    409: "The request conflicts with the current state.",
    412: "The object has changed since you read it.",
    413: "The request body is too large.",
    429: "Too many requests. Try again later.",
    500: "An unexpected error occurred. It has been logged.",
}


class DomainError(Exception):
    """Base for errors services raise on purpose; the dispatcher renders them.

    Raising one marks the request as failed: the edge rolls it back even when a view catches
    the error and answers 200, 302 or 422, so nothing a service flushed before it gave up is
    committed.
    """

    status = 400
    code = "VALIDATION_ERROR"

    def __init__(self, detail=None, *, field_errors=None, extra=None, headers=None):
        super().__init__(detail or DETAILS.get(self.status, "Error."))
        self.detail = detail or DETAILS.get(self.status, "Error.")
        self.field_errors = field_errors or {}
        self.extra = extra or {}
        self.headers = headers or {}
        mark_request_failed()


def mark_request_failed():
    """Remember that this request met a DomainError (see `request_failed`)."""
    if has_app_context():
        g.domain_error_raised = True


def request_failed():
    """Did this request meet a DomainError? Then it must not commit, whatever its status."""
    return bool(g.get("domain_error_raised"))


class ValidationFailed(DomainError):
    status, code = 400, "VALIDATION_ERROR"


class NotAuthenticated(DomainError):
    status, code = 401, "UNAUTHORIZED"


class BadCredentials(NotAuthenticated):
    """The email or the password is wrong (what sign-in limits count as a failure)."""


class PermissionDenied(DomainError):
    status, code = 403, "FORBIDDEN"


class NotFound(DomainError):
    status, code = 404, "NOT_FOUND"


class Conflict(DomainError):
    status, code = 409, "CONFLICT"


class PreconditionFailed(DomainError):
    """`If-Match` names a version of the object that is no longer current."""

    status, code = 412, "PRECONDITION_FAILED"


class RateLimited(DomainError):
    status, code = 429, "RATE_LIMITED"


def is_api_request():
    return request.path == "/api" or request.path.startswith("/api/")


def error_body(status, detail, *, code=None, field_errors=None, extra=None):
    body = {
        "detail": detail,
        "code": code or CODES.get(status, "ERROR"),
        "field_errors": field_errors or {},
        "request_id": g.get("request_id"),
    }
    body.update(extra or {})
    return body


def flatten_messages(messages, prefix=""):
    """Turn marshmallow/webargs nested messages into `{"a.b": ["..."]}`."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "non_field_errors" if key == "_schema" else str(key)
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(value, dict):
                flat.update(flatten_messages(value, path))
            else:
                items = value if isinstance(value, list) else [value]
                flat.setdefault(path, []).extend(str(v) for v in items)
    elif messages:
        items = messages if isinstance(messages, list) else [messages]
        flat.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in items)
    return flat


def _validation_from_webargs(error):
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    # webargs nests by location: {"json": {...}, "query": {...}}
    field_errors = {}
    for _location, inner in messages.items() if isinstance(messages, dict) else []:
        if isinstance(inner, dict):
            field_errors.update(flatten_messages(inner))
        else:
            field_errors.update(flatten_messages(inner, "non_field_errors"))
    detail = "The request is not valid."
    if list(field_errors) == ["non_field_errors"]:
        detail = field_errors["non_field_errors"][0]
    return detail, field_errors


def _render(status, detail, *, code=None, field_errors=None, extra=None, headers=None):
    if is_api_request():
        body = error_body(status, detail, code=code, field_errors=field_errors, extra=extra)
        response = jsonify(body)
    elif htmx.is_htmx():
        response = current_app.make_response(
            render_template("errors/_fragment.html", status=status, detail=detail)
        )
    else:
        template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
        response = current_app.make_response(
            render_template(template, status=status, detail=detail)
        )
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_domain_error(error):
    return _render(
        error.status, error.detail, code=error.code, field_errors=error.field_errors,
        extra=error.extra, headers=error.headers,
    )


def handle_http_exception(error):
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update((getattr(error, "data", None) or {}).get("headers") or {})
    if status in (400, 422) and getattr(error, "data", None):
        detail, field_errors = _validation_from_webargs(error)
        return _render(400, detail, field_errors=field_errors, headers=headers)
    if status == 429:
        detail = f"Rate limit exceeded ({error.description}). Try again later."
        return _render(429, detail, headers=headers)
    detail = DETAILS.get(status) or error.description or "Error."
    return _render(status, detail, headers=headers)


FALLBACK_500 = ("<!doctype html><html lang=\"en\"><title>Something went wrong</title>"
                "<h1>Something went wrong</h1><p>An unexpected error occurred and has been "
                "logged. Please try again.</p></html>")


def handle_unexpected(error):
    log.exception("unhandled error (request %s)", g.get("request_id"))
    db.session.rollback()
    # The page shell must not touch rows of the failed transaction: render it signed-out.
    g.pop("web_principal", None)
    try:
        return _render(500, DETAILS[500])
    except Exception:
        log.exception("the error page itself failed (request %s)", g.get("request_id"))
        return current_app.response_class(FALLBACK_500, status=500, mimetype="text/html")


def register_error_handlers(app):
    """Register after api.init_app so ours replace flask-smorest's JSON-only handler."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
