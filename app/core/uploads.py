"""Checks on an uploaded file before anything is stored: its size, a safe name, and what its
bytes really are.

Only a short list of formats is accepted, each by its extension AND by its content (magic
numbers, the inner manifest of zip-based documents, Pillow for images); the two must agree.
Programs, scripts, HTML and SVG are refused whatever they are called.
"""
import hashlib
import io
import re
import struct
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from PIL import Image

FILE_KINDS = ("pdf", "audio", "video", "image", "document")
KIND_LABELS = {"pdf": "PDF", "audio": "audio", "video": "video", "image": "image",
               "document": "document"}

# extension -> (kind, content type, content family the bytes must show)
FORMATS = {
    "pdf": ("pdf", "application/pdf", "pdf"),
    "png": ("image", "image/png", "png"),
    "jpg": ("image", "image/jpeg", "jpeg"),
    "jpeg": ("image", "image/jpeg", "jpeg"),
    "gif": ("image", "image/gif", "gif"),
    "webp": ("image", "image/webp", "webp"),
    "mp3": ("audio", "audio/mpeg", "mp3"),
    "m4a": ("audio", "audio/mp4", "isobmff"),
    "aac": ("audio", "audio/aac", "aac"),
    "wav": ("audio", "audio/wav", "wav"),
    "ogg": ("audio", "audio/ogg", "ogg"),
    "opus": ("audio", "audio/ogg", "ogg"),
    "flac": ("audio", "audio/flac", "flac"),
    "mp4": ("video", "video/mp4", "isobmff"),
    "mov": ("video", "video/quicktime", "isobmff"),
    "webm": ("video", "video/webm", "webm"),
    "docx": ("document", "application/vnd.openxmlformats-officedocument."
                         "wordprocessingml.document", "docx"),
    "xlsx": ("document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "xlsx"),
    "pptx": ("document", "application/vnd.openxmlformats-officedocument."
                         "presentationml.presentation", "pptx"),
    "odt": ("document", "application/vnd.oasis.opendocument.text", "odt"),
    "doc": ("document", "application/msword", "ole"),
    "rtf": ("document", "application/rtf", "rtf"),
    "txt": ("document", "text/plain", "text"),
    "md": ("document", "text/markdown", "text"),
    "csv": ("document", "text/csv", "text"),
}

IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
HEAD_BYTES = 64 * 1024
MANIFEST_LIMIT = 1024 * 1024
ISO_VIDEO_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
                    b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"qt  ", b"MSNV", b"3gp4",
                    b"3gp5", b"3g2a", b"mmp4", b"f4v ", b"hvc1", b"av01"}
ISO_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"isom", b"iso2", b"mp41", b"mp42", b"dash",
                    b"F4A "}
QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
DANGEROUS_TEXT = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg",
                  b"<?xml", b"<iframe", b"<object", b"<embed", b"<meta", b"<link", b"<style")


class Refused(Exception):
    """The file cannot be accepted; the message is shown next to the field."""

    def __init__(self, message, *, too_large=False):
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass
class Received:
    """An upload copied to a temporary file, with what the checks learned of it."""

    file: object
    size: int
    sha256: str
    filename: str
    extension: str
    kind: str = ""
    content_type: str = ""

    def head(self, count=HEAD_BYTES):
        self.file.seek(0)
        return self.file.read(count)

    def close(self):
        self.file.close()


def format_bytes(count):
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} bytes"


def safe_filename(name, *, fallback="file"):
    """A base name fit for a Content-Disposition header: no folders, no control characters,
    no leading dots, at most 200 characters (extension kept). `../../etc/passwd` -> `passwd`."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name or fallback


def extension_of(filename):
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def receive(upload, *, max_bytes):
    """Copy the upload to a temporary file, counting and hashing as it goes; stop as soon as
    it passes `max_bytes` rather than reading the rest."""
    if upload is None or not getattr(upload, "filename", None):
        raise Refused("Choose a file to upload.")
    filename = safe_filename(upload.filename)
    temp = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    digest = hashlib.sha256()
    size = 0
    stream = upload.stream
    try:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise Refused(f"This file is larger than the {format_bytes(max_bytes)} limit.",
                              too_large=True)
            digest.update(chunk)
            temp.write(chunk)
    except BaseException:
        temp.close()
        raise
    if size == 0:
        temp.close()
        raise Refused("This file is empty.")
    temp.seek(0)
    return Received(temp, size, digest.hexdigest(), filename, extension_of(filename))


def accepted_extensions(kinds):
    return sorted(ext for ext, (kind, _type, _family) in FORMATS.items() if kind in kinds)


def describe_kinds(kinds):
    labels = [KIND_LABELS[kind] for kind in FILE_KINDS if kind in kinds]
    text = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
    return f"{text} file" if labels else "file"


def check_content(received, kinds):
    """Set received.kind and content_type, or refuse the file."""
    head = received.head()
    danger = dangerous(head)
    if danger:
        raise Refused(f"{danger} cannot be uploaded.")
    ext = received.extension
    if ext not in FORMATS or FORMATS[ext][0] not in kinds:
        allowed = ", ".join(f".{e}" for e in accepted_extensions(kinds))
        raise Refused(f"Upload a {describe_kinds(kinds)} ({allowed}).")
    kind, content_type, family = FORMATS[ext]
    if not matches(family, head, received):
        raise Refused(f"The content of this file is not a .{ext} file: "
                      "check that it is not damaged or renamed.")
    if kind == "image":
        verify_image(received.file, IMAGE_FORMATS[family])
    received.kind, received.content_type = kind, content_type
    return kind


def dangerous(head):
    """What the bytes are, if they are a program, a script or a web page; else ''."""
    if head[:2] == b"MZ":
        return "A Windows program"
    if head[:4] == b"\x7fELF":
        return "A program"
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                    b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "A program"
    text = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"#!"):
        return "A script"
    if text.startswith(DANGEROUS_TEXT) or b"<script" in text or b"<svg" in text:
        return "A web page or SVG image"
    return ""


def matches(family, head, received):
    check = CHECKS[family]
    return check(head, received)


def _mp3(head, _received):
    if head[:3] == b"ID3":
        return True
    return len(head) > 2 and head[0] == 0xFF and (head[1] & 0xE6) == 0xE2  # MPEG layer III


def _aac(head, _received):
    if head[:4] == b"ADIF":
        return True
    return len(head) > 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0  # ADTS


def _isobmff(head, received):
    box_type, brand = head[4:8], head[8:12]
    if box_type == b"ftyp":
        brands = ISO_AUDIO_BRANDS if received.extension == "m4a" else ISO_VIDEO_BRANDS
        compatible = {head[i:i + 4] for i in range(16, min(len(head), 64), 4)}
        return brand in brands or bool(compatible & brands)
    # Old QuickTime files start with an atom and no ftyp.
    return received.extension == "mov" and box_type in QUICKTIME_ATOMS


def _webm(head, _received):
    return head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:64]


def _zip_manifest(received, name):
    received.file.seek(0)
    try:
        with zipfile.ZipFile(received.file) as archive:
            info = archive.getinfo(name)
            if info.file_size > MANIFEST_LIMIT:
                return None
            with archive.open(info) as member:
                return member.read(MANIFEST_LIMIT)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, NotImplementedError,
            EOFError, RuntimeError):
        return None


def _ooxml(family):
    def check(head, received):
        if head[:4] != b"PK\x03\x04":
            return False
        manifest = _zip_manifest(received, "[Content_Types].xml")
        return bool(manifest) and OOXML_MAIN[family].encode() in manifest
    return check


def _odt(head, received):
    if head[:4] != b"PK\x03\x04":
        return False
    return _zip_manifest(received, "mimetype") == b"application/vnd.oasis.opendocument.text"


def _text(head, received):
    """Plain text: no NUL bytes, no control characters but tab/newlines/form feed, and
    readable as UTF-8 (or Windows-1252, what spreadsheets often export)."""
    received.file.seek(0)
    bad = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
    tail = b""
    while chunk := received.file.read(1024 * 1024):
        if bad.search(chunk):
            return False
        tail = (tail + chunk)[-4:]
    data_head = head.removeprefix(b"\xef\xbb\xbf")
    try:
        data_head.decode("utf-8")
        return True
    except UnicodeDecodeError as error:
        if error.start >= len(data_head) - 3 and len(head) == HEAD_BYTES:
            return True  # a character cut by the end of the sample
    try:
        data_head.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


CHECKS = {
    "pdf": lambda head, _r: b"%PDF-" in head[:1024],
    "png": lambda head, _r: head[:8] == b"\x89PNG\r\n\x1a\n",
    "jpeg": lambda head, _r: head[:3] == b"\xff\xd8\xff",
    "gif": lambda head, _r: head[:6] in (b"GIF87a", b"GIF89a"),
    "webp": lambda head, _r: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "mp3": _mp3,
    "aac": _aac,
    "wav": lambda head, _r: head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE",
    "ogg": lambda head, _r: head[:4] == b"OggS",
    "flac": lambda head, _r: head[:4] == b"fLaC" or (head[:3] == b"ID3" and b"fLaC" in head),
    "isobmff": _isobmff,
    "webm": _webm,
    "docx": _ooxml("docx"),
    "xlsx": _ooxml("xlsx"),
    "pptx": _ooxml("pptx"),
    "odt": _odt,
    "ole": lambda head, _r: head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "rtf": lambda head, _r: head[:5] == b"{\\rtf",
    "text": _text,
}


def max_image_pixels():
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get("MAX_IMAGE_PIXELS", 50_000_000))
    return 50_000_000


class _Borrowed:
    """A view of the upload's temporary file that Pillow may close without closing it."""

    def __init__(self, fileobj):
        self._fileobj = fileobj

    def read(self, *args):
        return self._fileobj.read(*args)

    def seek(self, *args):
        return self._fileobj.seek(*args)

    def tell(self):
        return self._fileobj.tell()

    def close(self):
        pass


def open_image(fileobj, expected_format):
    """Open, check dimensions and decode the whole image once; refuse what Pillow cannot read
    completely (truncated, corrupt) and images with too many pixels (decompression bombs)."""
    limit = max_image_pixels()
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(_Borrowed(fileobj), formats=[expected_format])
            width, height = image.size
            if width * height > limit or width < 1 or height < 1:
                raise Refused(too_many_pixels(limit, (width, height)))
            image.load()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(too_many_pixels(limit)) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise Refused("This image is damaged or incomplete and cannot be read.") from None
    return image


def too_many_pixels(limit, size=None):
    found = f" ({size[0]} × {size[1]} pixels)" if size else ""
    return f"This image is too large{found}: at most {limit / 1_000_000:g} megapixels."


def verify_image(fileobj, expected_format):
    open_image(fileobj, expected_format).close()  # first: refuses bombs before verify reads
    fileobj.seek(0)
    try:
        with Image.open(_Borrowed(fileobj), formats=[expected_format]) as probe:
            probe.verify()  # checksums (PNG CRCs) that a decode skips
    except Exception:  # noqa: BLE001 - any failure of a hostile file means: damaged
        raise Refused("This image is damaged or incomplete and cannot be read.") from None
    fileobj.seek(0)


def encoded(image, image_format, **options):
    out = io.BytesIO()
    image.save(out, image_format, **options)
    out.seek(0)
    return out
