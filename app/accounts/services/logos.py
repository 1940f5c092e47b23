"""The studio's logo: an uploaded image checked by its content and re-encoded, so what is
kept and served is pixels only (no metadata, no script hidden in a file that merely claims to
be an image)."""
import hashlib
import io

from PIL import Image, UnidentifiedImageError

from app.core import audit
from app.core.errors import ValidationFailed
from app.extensions import db

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 5000 * 5000  # decoding is what costs memory, whatever the file's size
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
LOGO_BOX = (600, 600)  # larger logos are scaled down: invoices print them a few cm wide
LOGO_CONTENT_TYPE = "image/png"


def _refuse(message):
    raise ValidationFailed(field_errors={"logo": [message]})


def clean_logo(data):
    """PNG bytes of the uploaded image, at most LOGO_BOX; refuses anything but a PNG, JPEG or
    WebP image of at most 1 MB."""
    if not data:
        _refuse("Choose an image file.")
    if len(data) > MAX_LOGO_BYTES:
        _refuse("The logo may be at most 1 MB.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            probe.verify()
        if kind not in LOGO_FORMATS:
            _refuse("Upload a PNG, JPEG or WebP image.")
        if width * height > MAX_LOGO_PIXELS:
            _refuse("The logo may be at most 5000 × 5000 pixels.")
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _refuse("That file is not an image we can read. Upload a PNG, JPEG or WebP image.")
    image.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def set_studio_logo(studio, actor, data):
    """Replace the studio's logo by the uploaded image (re-encoded as PNG)."""
    studio.logo = clean_logo(data)
    studio.logo_digest = hashlib.sha256(studio.logo).hexdigest()[:16]
    audit.record(studio, actor, "studio.logo_changed", studio)
    db.session.flush()
    return studio


def remove_studio_logo(studio, actor):
    if studio.logo_digest is not None:
        studio.logo, studio.logo_digest = None, None
        audit.record(studio, actor, "studio.logo_removed", studio)
        db.session.flush()
    return studio
