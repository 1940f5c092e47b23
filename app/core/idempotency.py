"""`Idempotency-Key` on every API POST that creates something (its documented success is
201): a client that retries with the same key gets the first answer again instead of a second
creation.

- A key is 1 to 255 characters and belongs to one caller (a user, or an API key) in one
  studio: another caller's same key is another key.
- The first request with a key that succeeds (2xx) stores its status, body and `Location` in
  the same transaction as what it created; a retry with the same method, path, query and body
  within 24 hours gets them back (header `Idempotent-Replayed: true`) and creates nothing.
- Only successes are stored. A refused request (4xx) or a failure (5xx) rolls back as a
  whole and created nothing, so a retry with the same key runs again: it may succeed once
  what refused it has changed (a slot freed, a family added).
- The same key with another body, path or method answers 409 CONFLICT; so does a retry that
  arrives while the first request with its key is still running (PostgreSQL: a transaction
  lock on the key, tried without waiting). Two identical requests at the same moment create
  once: the unique (studio, caller, key) index settles any race the lock does not see.
- Records older than 24 hours are ignored and purged hourly (`purge_expired`, app/jobs.py).
"""
import hashlib
import json
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import IdMixin, TenantMixin, TimestampMixin, db, utcnow
from app.core.errors import Conflict, ValidationFailed

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEPT_FOR = timedelta(hours=24)
REPLAYED_HEADERS = ("Location", "Content-Location")
MISMATCH = "This Idempotency-Key was used for a different request."
IN_FLIGHT = "A request with this Idempotency-Key is still being processed; retry it shortly."

DOCUMENTED = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH,
               "pattern": "^\\S(.*\\S)?$"},
    "description": "Makes a retry safe: the same key with the same request within 24 hours "
                   "answers the first success again (header `Idempotent-Replayed: true`) and "
                   "creates nothing. Keys belong to you (your user or API key) in this studio. "
                   "The same key with a different body or path, or while the first request "
                   "is still running, answers 409 `CONFLICT`. Only successes are kept: after "
                   "an error, the same key runs the request again.",
}
NOT_KEPT = ("Never replayed for an `Idempotency-Key` (what it shows is shown once): "
            "a retry makes a new one.")
CONFLICT_NOTE = ("The `Idempotency-Key` was used for a different request, or its first "
                 "request is still running.")


class IdempotencyRecord(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """The first successful answer to a POST sent with an `Idempotency-Key`."""

    key: Mapped[str] = mapped_column(sa.String(MAX_KEY_LENGTH))
    caller: Mapped[str] = mapped_column(sa.String(80), server_default="")
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(300))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[dict | None] = mapped_column(sa.JSON)
    response_headers: Mapped[dict | None] = mapped_column(sa.JSON)

    __table_args__ = (sa.UniqueConstraint("studio_id", "caller", "key"),)


def idempotent(view, principal):
    """Run `view()` once per key of the caller `principal`; without the header, just run it."""
    key = request.headers.get(HEADER)
    if key is None or principal is None or principal.studio is None:
        return view()
    if not key.strip() or len(key) > MAX_KEY_LENGTH or "\x00" in key:
        raise ValidationFailed(field_errors={HEADER: [f"Send 1 to {MAX_KEY_LENGTH} characters."]})
    caller = caller_of(principal)
    _lock_key(principal.studio.id, caller, key)
    digest = _request_hash()
    existing = _find(principal.studio.id, caller, key)
    if existing is not None:
        return _replay(existing, digest)
    response = view()
    if 200 <= response.status_code < 300:
        _store(principal, caller, key, digest, response)
    return response


def caller_of(principal):
    if principal.api_key_id is not None:
        return f"key:{principal.api_key_id}"
    return f"user:{principal.user.id}"


def purge_expired(now=None):
    """Delete the records past their 24 hours; returns how many (the caller commits)."""
    cutoff = (now or utcnow()) - KEPT_FOR
    result = db.session.execute(sa.delete(IdempotencyRecord).where(
        IdempotencyRecord.created_at < cutoff))
    return result.rowcount


def _lock_key(studio_id, caller, key):
    """PostgreSQL: hold a lock on this key for the transaction, or answer 409 when another
    request holds it (the first request with the key, still running). SQLite runs one writer
    at a time and needs none."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"idempotency\n{studio_id}\n{caller}\n{key}".encode()).digest()
    lock_id = int.from_bytes(digest[:8], "big", signed=True)
    if not db.session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(lock_id))):
        raise Conflict(IN_FLIGHT, field_errors={HEADER: [IN_FLIGHT]})


def _request_hash():
    """What makes two requests the same: method, path with query, and the body (JSON compared
    as data, a multipart form by its fields and files' contents, anything else by bytes)."""
    hasher = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    if request.is_json:
        body = request.get_json(silent=True)
        hasher.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields = sorted((name, value) for name, values in request.form.lists() for value in values)
        hasher.update(json.dumps(fields).encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            hasher.update(f"\n{name}\n{upload.filename}\n".encode())
            hasher.update(hashlib.sha256(upload.stream.read()).digest())
            upload.stream.seek(0)
    else:
        hasher.update(request.get_data(cache=True))
    return hasher.hexdigest()


def _find(studio_id, caller, key):
    record = db.session.scalar(sa.select(IdempotencyRecord).where(
        IdempotencyRecord.studio_id == studio_id, IdempotencyRecord.caller == caller,
        IdempotencyRecord.key == key))
    if record is not None and record.created_at < _expired_before():
        db.session.delete(record)
        db.session.flush()
        return None
    return record


def _expired_before() -> datetime:
    return utcnow() - KEPT_FOR


def _replay(record, digest):
    if record.request_hash != digest or record.response_status is None:
        raise Conflict(MISMATCH, field_errors={HEADER: ["Use a new key for a new request."]})
    if record.response_body is None:
        response = current_app.response_class(status=record.response_status)
    else:
        response = current_app.json.response(record.response_body)
        response.status_code = record.response_status
    for name, value in (record.response_headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _store(principal, caller, key, digest, response):
    """Keep the answer with what it created. A record that appeared meanwhile (a concurrent
    twin the key lock did not see) makes this request a 409, rolling back its creation."""
    body = response.get_json(silent=True) if response.is_json else None
    headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    db.session.add(IdempotencyRecord(
        studio_id=principal.studio.id, key=key, caller=caller,
        user_id=getattr(principal.user, "id", None),
        method=request.method, path=request.path[:300], request_hash=digest,
        response_status=response.status_code, response_body=body, response_headers=headers or None))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(IN_FLIGHT, field_errors={HEADER: [IN_FLIGHT]}) from None
