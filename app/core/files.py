"""Files the studio uploads (resource files, item photos), stored outside static/.

One `StoredFile` row per stored object: its key in the store (named by id, never by the
client's name), size, content type and digest. The rows are how a studio's storage use is
counted against its quota, whichever domain owns the file.
"""
import hashlib
import io
import logging
import uuid

import sqlalchemy as sa
from flask import current_app, redirect, send_file
from PIL import Image, ImageOps
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core import storage, uploads
from app.core.db import IdMixin, TenantMixin, TimestampMixin, db, lock
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.storage import get_store
from app.core.tenancy import current_principal, current_studio
from app.core.uploads import FILE_KINDS

log = logging.getLogger(__name__)

__all__ = ["FILE_KINDS", "PayloadTooLarge", "QuotaExceeded", "StorageUnavailable", "StoredFile",
           "delete_file", "file_response", "storage_quota", "storage_usage", "store_image",
           "store_upload"]


class StoredFile(IdMixin, TimestampMixin, TenantMixin, db.Model):
    # "<studio>/<id>" in the store (local folder or S3 bucket); never the client's name.
    storage_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # The client's name, reduced to a safe base name: used only in Content-Disposition.
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    __table_args__ = (
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    def __repr__(self):
        return f"<StoredFile {self.storage_key} {self.content_type} {self.size_bytes}>"


# ----------------------------------------------------------------------------- services

class PayloadTooLarge(DomainError):
    status, code = 413, "PAYLOAD_TOO_LARGE"


class QuotaExceeded(PayloadTooLarge):
    """The studio's storage quota would be passed by this upload."""


class StorageUnavailable(DomainError):
    """The store could not take the bytes (disk full, object storage unreachable)."""

    status, code = 503, "SERVICE_UNAVAILABLE"


# session.info: [(store, key, transaction)] written, or whose rows were deleted, in this
# transaction (the innermost savepoint at the time)
WRITTEN = "cadenza_files_written"
DELETED = "cadenza_files_deleted"


def _refuse(error, field):
    field_errors = {field: [error.message]}
    if error.too_large:
        raise PayloadTooLarge(error.message, field_errors=field_errors)
    raise ValidationFailed(error.message, field_errors=field_errors)


def _receive(upload, field, max_bytes):
    try:
        return uploads.receive(upload, max_bytes=max_bytes)
    except uploads.Refused as error:
        _refuse(error, field)


def storage_usage(studio_id):
    """Bytes in the studio's StoredFile rows (what counts against its quota)."""
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(StoredFile.size_bytes), 0))
        .where(StoredFile.studio_id == studio_id))
    return int(total or 0)


def storage_quota(studio):
    return int(studio.storage_quota_mb) * 1024 * 1024


def _check_quota(studio, adding, field):
    # Uploads to one studio wait for each other here (a row lock on PostgreSQL), so two
    # at once cannot both pass the check with room for only one.
    lock(type(studio), studio)
    quota = storage_quota(studio)
    used = storage_usage(studio.id)
    if used + adding > quota:
        left = max(quota - used, 0)
        detail = (f"The studio's storage is full: {uploads.format_bytes(left)} left of "
                  f"{uploads.format_bytes(quota)}, and this file needs "
                  f"{uploads.format_bytes(adding)}. Delete files that are no longer needed, "
                  "or ask the studio owner for more space.")
        raise QuotaExceeded(detail, field_errors={field: [detail]})


def _current_user_id():
    principal = current_principal()
    user = getattr(principal, "user", None)
    return getattr(user, "id", None)


def _put(studio, fileobj, *, size, sha256, filename, content_type):
    """Store the bytes under a new key, then add their row. Bytes written in a transaction
    that rolls back are removed again (see _forget_or_remove)."""
    store = get_store()
    key = f"{studio.id}/{uuid.uuid4()}"
    try:
        store.put(key, fileobj, content_type)
    except Exception as error:
        if isinstance(error, ValueError):
            raise
        log.exception("could not store %s", key)
        raise StorageUnavailable("The file could not be saved just now. Please try again in "
                                 "a few minutes.") from error
    _remember(db.session(), WRITTEN, store, key)
    row = StoredFile(studio_id=studio.id, storage_key=key, filename=filename,
                     content_type=content_type, size_bytes=size, sha256=sha256,
                     uploaded_by_id=_current_user_id())
    db.session.add(row)
    db.session.flush()
    return row


def store_upload(upload, *, kinds=FILE_KINDS, field="file"):
    """Check an uploaded file (werkzeug FileStorage) and store it for the current studio.

    Refusals are a 400 VALIDATION_ERROR on `field` (no file, empty, a name or content that is
    not one of `kinds`, a program or web page, a damaged image), a 413 on `field` when larger
    than MAX_UPLOAD_BYTES, QuotaExceeded (413) when the studio's storage is full. Nothing is
    stored when the file is refused. Returns (StoredFile row, kind)."""
    kinds = tuple(kinds)
    studio = current_studio()
    received = _receive(upload, field, int(current_app.config["MAX_UPLOAD_BYTES"]))
    try:
        try:
            kind = uploads.check_content(received, kinds)
        except uploads.Refused as error:
            _refuse(error, field)
        _check_quota(studio, received.size, field)
        row = _put(studio, received.file, size=received.size, sha256=received.sha256,
                   filename=received.filename, content_type=received.content_type)
    finally:
        received.close()
    return row, kind


PHOTO_OUTPUT = {  # source format -> (format, extension, content type) the photo is stored in
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "PNG": ("PNG", "png", "image/png"),
    "GIF": ("PNG", "png", "image/png"),
    "WEBP": ("WEBP", "webp", "image/webp"),
}
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85, "method": 4},
}


def _clean_pixels(image):
    """The pixels alone, upright and in sRGB: orientation applied, then EXIF, GPS, ICC, XMP,
    comments and every other piece of metadata left behind."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else ("L" if image.mode in ("1", "L") else "RGB")
    icc = image.info.get("icc_profile")
    converted = None
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            from PIL import ImageCms

            converted = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"),
                outputMode=mode)
        except Exception:  # noqa: BLE001 - a broken profile: keep the pixels as they are
            converted = None
    image = converted if converted is not None else image.convert(mode)
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _encode(image, image_format):
    out = io.BytesIO()
    image.save(out, image_format, **SAVE_OPTIONS[image_format])
    data = out.getvalue()
    out.seek(0)
    return out, len(data), hashlib.sha256(data).hexdigest()


def store_image(upload, *, field="photo", max_side=2048, thumb_side=320):
    """An image (JPEG, PNG, WebP, GIF) re-encoded without its metadata (orientation applied
    first), scaled to fit `max_side`, plus a thumbnail fitting `thumb_side`. Same refusals as
    store_upload (the size limit is MAX_PHOTO_BYTES). Returns (original, thumbnail, width,
    height), the width and height being those of the stored original."""
    studio = current_studio()
    received = _receive(upload, field, int(current_app.config["MAX_PHOTO_BYTES"]))
    try:
        try:
            uploads.check_content(received, ("image",))
            family = uploads.FORMATS[received.extension][2]
            source = uploads.open_image(received.file, uploads.IMAGE_FORMATS[family])
        except uploads.Refused as error:
            _refuse(error, field)
        source_format = source.format
        image = _clean_pixels(source)
        source.close()
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        width, height = image.size
        image_format, extension, content_type = PHOTO_OUTPUT[source_format]
        original, original_size, original_sha = _encode(image, image_format)
        thumb = image.copy()
        thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
        thumb_format = "PNG" if thumb.mode == "RGBA" else "JPEG"
        thumb_out, thumb_size, thumb_sha = _encode(thumb, thumb_format)
        stem = received.filename.rpartition(".")[0] or "photo"
        _check_quota(studio, original_size + thumb_size, field)
        original_row = _put(studio, original, size=original_size, sha256=original_sha,
                            filename=f"{stem}.{extension}", content_type=content_type)
        thumb_ext, thumb_type = ("png", "image/png") if thumb_format == "PNG" else (
            "jpg", "image/jpeg")
        thumb_row = _put(studio, thumb_out, size=thumb_size, sha256=thumb_sha,
                         filename=f"{stem}-thumbnail.{thumb_ext}", content_type=thumb_type)
    finally:
        received.close()
    return original_row, thumb_row, width, height


def delete_file(stored_file):
    """Delete the row now; its bytes go once the transaction commits, so a request that
    rolls back still has them."""
    store = get_store()
    db.session.delete(stored_file)
    db.session.flush()
    _remember(db.session(), DELETED, store, stored_file.storage_key)


def file_response(stored_file, *, inline=False, download_name=None):
    """The response serving a stored file: the bytes themselves from the local store
    (conditional GET and Range requests: seeking in audio and video works), or a redirect
    to a short-lived presigned URL on S3."""
    store = get_store()
    name = storage.content_disposition(
        uploads.safe_filename(download_name or stored_file.filename, fallback="download"),
        inline=inline)
    if isinstance(store, storage.S3Store):
        response = redirect(store.download_url(
            stored_file.storage_key, content_type=stored_file.content_type, disposition=name),
            code=302)
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    path = store.path(stored_file.storage_key)
    if not path.is_file():
        raise NotFound("This file is no longer available.")
    response = send_file(path, mimetype=stored_file.content_type, conditional=True,
                         etag=stored_file.sha256, last_modified=stored_file.created_at,
                         max_age=None)
    response.headers["Content-Disposition"] = name
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Revalidated on every use (the ETag makes that cheap): access can be taken away.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _remove(entries):
    for store, key in entries:
        try:
            store.delete(key)
        except Exception:  # noqa: BLE001 - an orphaned object costs space, not correctness
            log.exception("could not remove stored file %s", key)


def _remember(session, name, store, key):
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(name, []).append((store, key, transaction))


def _within(transaction, ended):
    """Was `transaction` (where a file was written or deleted) `ended` or inside it?"""
    if transaction is None:
        return ended.parent is None
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@sa.event.listens_for(Session, "after_commit")
def _remove_deleted(session):
    session.info.pop(WRITTEN, None)
    _remove((store, key) for store, key, _ in session.info.pop(DELETED, None) or [])


def _split(session, name, ended):
    """Take from session.info[name] the entries made within `ended`; keep the others."""
    taken, kept = [], []
    for entry in session.info.pop(name, None) or []:
        (taken if _within(entry[2], ended) else kept).append(entry)
    if kept:
        session.info[name] = kept
    return [(store, key) for store, key, _ in taken]


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_or_remove(session, previous_transaction):
    """A rollback (of the whole transaction or of a savepoint) takes back what happened in
    it: files written there are removed, deletions there are forgotten."""
    _split(session, DELETED, previous_transaction)
    _remove(_split(session, WRITTEN, previous_transaction))
