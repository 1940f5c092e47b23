"""Optimistic concurrency for API writes: `If-Match` on PATCH, PUT and DELETE.

The ETag of an object is the one its GET answers with (app/core/api.revalidated: a digest of
the JSON body, a strong ETag). A client sends it back in `If-Match` when it changes or deletes
the object; if the object has changed since (its GET would answer another ETag), the write
answers 412 PRECONDITION_FAILED and changes nothing. `If-Match: *` only asks that the object
exists. Without `If-Match` a write goes ahead as before (the header is optional).

To be race-free the comparison happens under a lock: the rows the URL names (loaded by the
view's loader, found in the session by the ids in the URL) are locked FOR UPDATE, and only
then is the current representation rendered, by running the URL's own GET in this request and
transaction. A second client holding the same ETag waits for the first one's commit, then
sees the new representation and gets 412. The answer to a PATCH or PUT sent with `If-Match`
carries the new ETag.
"""
import hashlib
import uuid

import sqlalchemy as sa
from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from app.core.db import db, lock
from app.core.errors import DomainError, PreconditionFailed

METHODS = ("PATCH", "PUT", "DELETE")
STALE = "The object has changed since you read it: GET it again, then retry with its new ETag."

DOCUMENTED = {
    "in": "header", "name": "If-Match", "required": False,
    "schema": {"type": "string"},
    "description": "The `ETag` of the object as you last read it (from its GET or your last "
                   "write). If it has changed since, the request answers 412 "
                   "`PRECONDITION_FAILED` and changes nothing. `*` only requires that it "
                   "exists. Strong comparison: a weak ETag (`W/\"…\"`) never matches.",
}
PRECONDITION_FAILED_NOTE = ("`If-Match` does not match the object's current ETag: someone "
                            "changed it since you read it. Nothing was changed.")
ETAG_HEADER = {"ETag": {"description": "The representation's ETag (on a PATCH or PUT, when it "
                                       "was sent with `If-Match`): send it in `If-Match` to "
                                       "change or delete the object only if it is unchanged.",
                        "schema": {"type": "string"}}}


def rendering():
    """Is this request running its GET to learn the current ETag (the write rules skip it)?"""
    return bool(g.get("rendering_representation"))


def conditional(run):
    """Run a write (`run()` gives its response) under the `If-Match` the client sent. The
    answer to a conditional PATCH or PUT carries the new ETag, for the client's next write
    (rendering it costs one more GET, so writes without `If-Match` are spared it)."""
    if not request.if_match:
        return run()
    _check(request.if_match)
    response = run()
    if request.method in ("PATCH", "PUT") and response.status_code == 200:
        etag = _current_etag(keep_request_state=True)
        if etag is not None:
            response.set_etag(etag)
    return response


def etag_of(response):
    """The strong ETag of a GET's answer: the digest of a JSON body, else the one it carries."""
    if response.mimetype == "application/json" and not response.is_streamed:
        response.add_etag()
    etag, weak = response.get_etag()
    return None if weak else etag


def _check(if_match):
    _lock_subjects()
    current = _current_etag()
    if if_match.star_tag:
        return  # the loader (or the GET) already answered 404 for an object that is gone
    if current is None or not if_match.contains(current):
        raise PreconditionFailed(STALE)


def _lock_subjects():
    """Lock the rows the URL names, so the representation compared is the one this write
    changes. A URL naming none (/users/me, /studios/current) is locked by its path instead,
    PostgreSQL only (SQLite runs one writer at a time)."""
    ids = [value for value in (request.view_args or {}).values() if isinstance(value, uuid.UUID)]
    db.session.flush()
    subjects = [obj for obj in list(db.session.identity_map.values())
                if sa.inspect(obj).identity in {(pk,) for pk in ids} and hasattr(type(obj), "id")]
    subjects.sort(key=lambda obj: ids.index(obj.id))
    for obj in subjects:
        lock(type(obj), obj)
    if not subjects and db.session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(f"if-match\n{request.host}\n{request.path}".encode()).digest()
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(
            int.from_bytes(digest[:8], "big", signed=True))))
    db.session.expire_all()  # what else the GET shows is read afresh, after the lock


def _current_etag(*, keep_request_state=False):
    """The ETag this URL's GET would answer now, in this transaction; None if it has no GET or
    answers something else. After a write (`keep_request_state`), a GET that refuses (the
    object is no longer visible to the caller) must not fail the write: no ETag then."""
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    get = getattr(view_class, "get", None)
    if get is None:
        return None
    failed_before = g.get("domain_error_raised")
    g.rendering_representation = True
    try:
        response = current_app.make_response(get(view_class(), **dict(request.view_args or {})))
    except (DomainError, HTTPException):
        if not keep_request_state:
            raise
        g.domain_error_raised = failed_before
        return None
    finally:
        g.pop("rendering_representation", None)
    try:
        return etag_of(response) if response.status_code == 200 else None
    finally:
        response.close()
