"""`Idempotency-Key` for POSTs that create money records (POST /invoices, POST /payments).

The first request with a key stores its response (status and body) in the same transaction
as what it created; a retry with the same key and the same body gets that response again
(header `Idempotent-Replayed: true`) and creates nothing. The same key with another body or
on another route is a 409. Requests that fail (4xx/5xx) roll back, record included, so they
may be retried with the same key. On PostgreSQL the record is inserted before the work: a
concurrent retry waits on the unique index and then replays the first response.
"""
import hashlib
import json
from functools import wraps

from flask import g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.billing.models import IdempotencyRecord
from app.core.errors import Conflict, ValidationFailed
from app.core.tenancy import current_principal
from app.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _request_hash():
    body = request.get_json(silent=True)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")) if body is not None \
        else request.get_data(as_text=True)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def _find(studio_id, key):
    return db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.studio_id == studio_id, IdempotencyRecord.key == key))


def _replay(record, digest):
    if record.request_hash != digest or record.response_status is None:
        raise Conflict("This Idempotency-Key was used for a different request.",
                       field_errors={HEADER: ["Use a new key for a new request."]})
    response = jsonify(record.response_body)
    response.status_code = record.response_status
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _claim(principal, key, digest):
    """Insert the record before the work; (record, None) when the key is new, else
    (None, the first request's record). A concurrent request with the same key waits on the
    unique index until the first one commits, then fails here and replays its response.
    Nothing but reads happened before, so rolling the session back loses nothing."""
    record = IdempotencyRecord(studio_id=principal.studio.id, key=key, method=request.method,
                               path=request.path[:300], request_hash=digest,
                               user_id=principal.user.id)
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None, _find(principal.studio.id, key)
    return record, None


def idempotent(view):
    """Decorate an API view (above @blp.arguments/@blp.response, below @requires)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or "\x00" in key:
            raise ValidationFailed(field_errors={HEADER: [
                f"Send 1 to {MAX_KEY_LENGTH} characters."]})
        principal = current_principal()
        digest = _request_hash()
        existing = _find(principal.studio.id, key)
        if existing is not None:
            return _replay(existing, digest)
        record, existing = _claim(principal, key, digest)
        if existing is not None:
            return _replay(existing, digest)
        g.idempotency_record = record
        response = view(*args, **kwargs)
        if response.status_code < 400:
            record.response_status = response.status_code
            record.response_body = response.get_json()
            db.session.flush()
        return response

    return wrapper
