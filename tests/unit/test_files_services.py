"""store_upload / store_image / delete_file / quota on the local store, called directly in a
request context: every refusal leaves no row and no file behind."""
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.core import files
from app.core.errors import DomainError, ValidationFailed
from app.core.files import QuotaExceeded, StoredFile
from app.core.storage import get_store
from app.extensions import db
from tests.uploads import acting, png_bytes

# ------------------------------------------------------------------ sample files


def jpeg_bytes(size=(60, 40), exif=None):
    out = io.BytesIO()
    image = Image.new("RGB", size, (10, 120, 200))
    image.paste((250, 250, 0), (0, 0, size[0] // 2, size[1]))  # left half yellow
    image.save(out, "JPEG", quality=90, **({"exif": exif} if exif else {}))
    return out.getvalue()


def gif_bytes():
    out = io.BytesIO()
    Image.new("P", (16, 16), 3).save(out, "GIF")
    return out.getvalue()


def webp_bytes():
    out = io.BytesIO()
    Image.new("RGBA", (32, 32), (0, 200, 0, 128)).save(out, "WEBP")
    return out.getvalue()


def bomb_png(side=10_000):
    """A small file that decodes to side² pixels (100 megapixels by default)."""
    out = io.BytesIO()
    Image.new("1", (side, side), 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def huge_header_png(width=100_000, height=100_000):
    """Only a header claiming 10 gigapixels, with a valid CRC."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = zlib.compress(b"\x00" * 64)
    idat_chunk = b"IDAT" + idat
    body += struct.pack(">I", len(idat)) + idat_chunk + struct.pack(">I", zlib.crc32(idat_chunk))
    return b"\x89PNG\r\n\x1a\n" + body


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(400)
WAV = b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + struct.pack(
    "<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8) + b"data" + struct.pack("<I", 0)
OGG = b"OggS\x00\x02" + bytes(200)
FLAC = b"fLaC\x00\x00\x00\x22" + bytes(200)
M4A = struct.pack(">I", 24) + b"ftypM4A \x00\x00\x00\x00M4A mp42" + bytes(100)
AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(200)  # ADTS header
MP4 = struct.pack(">I", 24) + b"ftypisom\x00\x00\x02\x00isomavc1" + bytes(100)
MOV = struct.pack(">I", 20) + b"ftypqt  \x00\x00\x02\x00qt  " + bytes(100)
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + bytes(100)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200) + b"This program"
ELF = b"\x7fELF\x02\x01\x01" + bytes(100)
SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
       b"<script>alert(1)</script></svg>")
TEXT = "Scales: C major, G major — practise slowly.\n".encode()
CSV = b"name,instrument\nAda,piano\nLin,violin\n"
RTF = rb"{\rtf1\ansi Hello}"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def ooxml_bytes(main="application/vnd.openxmlformats-officedocument.wordprocessingml."
                     "document.main+xml", part="word/document.xml"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Override PartName="/' + part + '" ContentType="'
            + main + '"/></Types>'))
        archive.writestr(part, "<document/>")
    return out.getvalue()


def odt_bytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def plain_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return out.getvalue()


def upload(data, filename, content_type="application/octet-stream"):
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


# ------------------------------------------------------------------ helpers


def stored_keys():
    return set(get_store().keys())


def row_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile))


@pytest.fixture()
def member(make):
    studio = make.studio()
    user = make.member(studio, "admin")
    db.session.commit()
    with acting(user, studio):
        yield type("Member", (), {"user": user, "studio": studio})


@pytest.fixture()
def nothing_stored():
    """Assert, after the block, that no row and no stored object appeared."""
    before_keys, before_rows = stored_keys(), row_count()

    def check():
        assert stored_keys() == before_keys
        assert row_count() == before_rows
    return check


# ------------------------------------------------------------------ accepted formats

ACCEPTED = [
    ("score.pdf", PDF, "pdf", "application/pdf"),
    ("photo.png", None, "image", "image/png"),
    ("photo.JPG", None, "image", "image/jpeg"),
    ("anim.gif", None, "image", "image/gif"),
    ("pic.webp", None, "image", "image/webp"),
    ("take1.mp3", MP3, "audio", "audio/mpeg"),
    ("take1.wav", WAV, "audio", "audio/wav"),
    ("take1.ogg", OGG, "audio", "audio/ogg"),
    ("take1.opus", OGG, "audio", "audio/ogg"),
    ("take1.flac", FLAC, "audio", "audio/flac"),
    ("take1.m4a", M4A, "audio", "audio/mp4"),
    ("take1.aac", AAC, "audio", "audio/aac"),
    ("lesson.mp4", MP4, "video", "video/mp4"),
    ("lesson.mov", MOV, "video", "video/quicktime"),
    ("lesson.webm", WEBM, "video", "video/webm"),
    ("notes.txt", TEXT, "document", "text/plain"),
    ("notes.md", TEXT, "document", "text/markdown"),
    ("roster.csv", CSV, "document", "text/csv"),
    ("letter.rtf", RTF, "document", "application/rtf"),
    ("old.doc", DOC, "document", "application/msword"),
    ("essay.odt", None, "document", "application/vnd.oasis.opendocument.text"),
    ("essay.docx", None, "document",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("sheet.xlsx", None, "document",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("slides.pptx", None, "document",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
]
GENERATED = {"photo.png": png_bytes, "photo.JPG": jpeg_bytes, "anim.gif": gif_bytes,
             "pic.webp": webp_bytes, "essay.odt": odt_bytes, "essay.docx": ooxml_bytes,
             "slides.pptx": lambda: ooxml_bytes(
                 "application/vnd.openxmlformats-officedocument.presentationml.presentation."
                 "main+xml", "ppt/presentation.xml"),
             "sheet.xlsx": lambda: ooxml_bytes(
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                 "xl/workbook.xml")}


@pytest.mark.parametrize(("name", "data", "kind", "content_type"), ACCEPTED,
                         ids=[case[0] for case in ACCEPTED])
def test_accepted_formats_are_stored_with_their_kind(member, name, data, kind, content_type):
    data = data if data is not None else GENERATED[name]()
    row, got_kind = files.store_upload(upload(data, name))
    assert got_kind == kind
    assert row.content_type == content_type
    assert row.size_bytes == len(data)
    assert row.filename == name
    assert row.studio_id == member.studio.id
    assert row.uploaded_by_id == member.user.id
    assert row.storage_key.startswith(f"{member.studio.id}/")
    assert get_store().read(row.storage_key) == data
    db.session.commit()
    assert db.session.get(StoredFile, row.id) is not None


def test_stored_under_a_key_of_ids_in_the_upload_dir(member):
    row, _ = files.store_upload(upload(PDF, "../../etc/passwd.pdf"))
    path = Path(current_app.config["UPLOAD_DIR"]) / row.storage_key
    assert path.read_bytes() == PDF
    assert row.filename == "passwd.pdf"
    assert "passwd" not in row.storage_key
    assert not list(path.parent.glob(".upload-*"))  # the temporary file was renamed


@pytest.mark.parametrize(("raw", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("/abs/path/score.pdf", "score.pdf"),
    ("...hidden.pdf", "hidden.pdf"),
    ("a\x00b\r\nc.pdf", "abc.pdf"),
    ("   ", "file"),
    ("Étude n°1.pdf", "Étude n°1.pdf"),
])
def test_safe_filename(raw, safe):
    from app.core.uploads import safe_filename

    assert safe_filename(raw) == safe


# ------------------------------------------------------------------ refusals


def refusal(member, data, name, *, field="file", kinds=files.FILE_KINDS):
    with pytest.raises(DomainError) as caught:
        files.store_upload(upload(data, name) if data is not None else None,
                           field=field, kinds=kinds)
    error = caught.value
    assert list(error.field_errors) == [field], error.field_errors
    assert error.field_errors[field][0]
    return error


REFUSED = [
    ("nothing sent", None, "x.pdf", "Choose a file"),
    ("empty", b"", "empty.pdf", "empty"),
    ("no extension", PDF, "score", "Upload a"),
    ("unknown extension", PDF, "score.xyz", "Upload a"),
    ("pdf named mp3", PDF, "song.mp3", "not a .mp3"),
    ("png named pdf", None, "score.pdf", "not a .pdf"),
    ("exe renamed pdf", EXE, "score.pdf", "Windows program"),
    ("exe", EXE, "setup.exe", "Windows program"),
    ("elf renamed mp4", ELF, "clip.mp4", "program"),
    ("script renamed txt", SCRIPT, "notes.txt", "script"),
    ("html renamed txt", HTML, "notes.txt", "web page"),
    ("html", HTML, "page.html", "web page"),
    ("svg", SVG, "logo.svg", "web page or SVG"),
    ("svg renamed png", SVG, "logo.png", "web page or SVG"),
    ("zip renamed docx", None, "essay.docx", "not a .docx"),
    ("docx renamed xlsx", None, "sheet.xlsx", "not a .xlsx"),
    ("macro document as docx", None, "essay.docx", "not a .docx"),
    ("binary renamed txt", b"\x00\x01\x02garbage\x00", "notes.txt", "not a .txt"),
    ("truncated png", None, "cut.png", "damaged"),
    ("corrupt jpeg", b"\xff\xd8\xff\xe0" + bytes(50), "broken.jpg", "damaged"),
    ("decompression bomb", None, "bomb.png", "too large"),
    ("huge header", None, "huge.png", ""),
]
REFUSED_DATA = {
    "png named pdf": png_bytes, "zip renamed docx": plain_zip,
    "docx renamed xlsx": ooxml_bytes,
    "macro document as docx": lambda: ooxml_bytes(
        "application/vnd.ms-word.document.macroEnabled.main+xml"),
    "truncated png": lambda: png_bytes((300, 300), mode="RGB", color=None)[:400],
    "decompression bomb": bomb_png, "huge header": huge_header_png,
}


@pytest.mark.parametrize(("case", "data", "name", "message"), REFUSED,
                         ids=[case[0] for case in REFUSED])
def test_refusals_store_nothing(member, nothing_stored, case, data, name, message):
    if case in REFUSED_DATA:
        data = REFUSED_DATA[case]()
    error = refusal(member, data, name)
    assert isinstance(error, ValidationFailed)
    assert error.status == 400 and error.code == "VALIDATION_ERROR"
    assert message.lower() in error.field_errors["file"][0].lower()
    nothing_stored()


def test_truncated_png_is_refused_even_with_a_valid_start(member, nothing_stored):
    full = png_bytes((500, 500), color=None)
    for cut in (len(full) // 2, len(full) - 20):
        refusal(member, full[:cut], "cut.png")
    nothing_stored()


def test_kinds_limit_what_is_accepted(member, nothing_stored):
    error = refusal(member, PDF, "score.pdf", kinds=("image",), field="photo")
    assert ".png" in error.field_errors["photo"][0]
    assert ".pdf" not in error.field_errors["photo"][0]
    nothing_stored()


def test_over_the_size_limit_is_413_and_stores_nothing(member, nothing_stored, app):
    app.config["MAX_UPLOAD_BYTES"], before = 1000, app.config["MAX_UPLOAD_BYTES"]
    try:
        with pytest.raises(files.PayloadTooLarge) as caught:
            files.store_upload(upload(MP3 + bytes(2000), "long.mp3"))
    finally:
        app.config["MAX_UPLOAD_BYTES"] = before
    assert caught.value.status == 413 and caught.value.code == "PAYLOAD_TOO_LARGE"
    assert "1000 bytes" in caught.value.field_errors["file"][0]
    nothing_stored()


def test_exactly_at_the_limit_is_accepted(member, app):
    data = PDF + bytes(1000 - len(PDF))
    app.config["MAX_UPLOAD_BYTES"], before = 1000, app.config["MAX_UPLOAD_BYTES"]
    try:
        row, _ = files.store_upload(upload(data, "score.pdf"))
    finally:
        app.config["MAX_UPLOAD_BYTES"] = before
    assert row.size_bytes == 1000


# ------------------------------------------------------------------ quota


def test_quota_exceeded_is_413_with_what_is_left(member, nothing_stored):
    member.studio.storage_quota_mb = 1
    db.session.commit()
    data = PDF + bytes(600 * 1024)
    files.store_upload(upload(data, "first.pdf"))
    db.session.commit()
    assert files.storage_usage(member.studio.id) == len(data)
    assert files.storage_quota(member.studio) == 1024 * 1024
    nothing_stored_now = (stored_keys(), row_count())
    with pytest.raises(QuotaExceeded) as caught:
        files.store_upload(upload(data, "second.pdf"))
    error = caught.value
    assert error.status == 413 and error.code == "PAYLOAD_TOO_LARGE"
    assert "storage is full" in error.detail
    assert "423.9 KB left of 1.0 MB" in error.detail
    assert error.field_errors == {"file": [error.detail]}
    db.session.rollback()
    assert (stored_keys(), row_count()) == nothing_stored_now


def test_usage_counts_only_the_studio(member, make):
    other = make.studio()
    db.session.commit()
    files.store_upload(upload(PDF, "a.pdf"))
    db.session.commit()
    assert files.storage_usage(member.studio.id) == len(PDF)
    assert files.storage_usage(other.id) == 0


# ------------------------------------------------------------------ delete


def test_delete_removes_bytes_only_after_commit(member):
    row, _ = files.store_upload(upload(PDF, "a.pdf"))
    db.session.commit()
    key = row.storage_key
    files.delete_file(row)
    assert db.session.get(StoredFile, row.id) is None  # the row is gone now
    assert get_store().exists(key)  # the bytes wait for the commit
    db.session.commit()
    assert not get_store().exists(key)


def test_delete_rolled_back_keeps_row_and_bytes(member):
    row, _ = files.store_upload(upload(PDF, "a.pdf"))
    db.session.commit()
    row_id, key = row.id, row.storage_key
    files.delete_file(row)
    db.session.rollback()
    assert db.session.get(StoredFile, row_id) is not None
    assert get_store().exists(key)
    db.session.commit()  # a later commit does not remove them either
    assert get_store().exists(key)


def test_upload_rolled_back_removes_its_bytes(member):
    before = stored_keys()
    row, _ = files.store_upload(upload(PDF, "a.pdf"))
    assert get_store().exists(row.storage_key)
    db.session.rollback()
    assert stored_keys() == before


# ------------------------------------------------------------------ images


def exif_with_orientation(orientation=6):
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "Test Camera Maker"
    exif[0x0131] = "Secret Software"
    return exif.tobytes()


def test_store_image_reencodes_rotates_and_strips_metadata(member):
    data = jpeg_bytes((60, 40), exif=exif_with_orientation(6))
    assert b"Test Camera Maker" in data
    original, thumb, width, height = files.store_image(upload(data, "IMG_0001.JPG"))
    assert (width, height) == (40, 60)  # upright: the orientation was applied
    stored = get_store().read(original.storage_key)
    assert b"Test Camera Maker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (40, 60)
        assert not image.getexif()
        # yellow was the left half; after a 90° clockwise turn it is the top half
        r, gr, b = image.getpixel((20, 5))
        assert r > 200 and gr > 200 and b < 80
    assert original.content_type == "image/jpeg" and original.filename == "IMG_0001.jpg"
    assert thumb.filename == "IMG_0001-thumbnail.jpg"
    assert original.size_bytes == len(stored)


def test_store_image_scales_to_fit_and_makes_a_thumbnail(member):
    data = png_bytes((3000, 1500), color=(0, 0, 255))
    original, thumb, width, height = files.store_image(upload(data, "wide.png"),
                                                       max_side=1000, thumb_side=100)
    assert (width, height) == (1000, 500)
    with Image.open(io.BytesIO(get_store().read(thumb.storage_key))) as image:
        assert image.size == (100, 50)
    assert original.content_type == "image/png"
    assert thumb.content_type == "image/jpeg"


def test_store_image_keeps_transparency(member):
    original, thumb, *_ = files.store_image(upload(webp_bytes(), "leaf.webp"))
    assert original.content_type == "image/webp"
    assert thumb.content_type == "image/png"
    with Image.open(io.BytesIO(get_store().read(thumb.storage_key))) as image:
        assert image.mode == "RGBA"


def test_store_image_gif_becomes_png(member):
    original, *_ = files.store_image(upload(gif_bytes(), "tiny.gif"))
    assert original.content_type == "image/png" and original.filename == "tiny.png"


@pytest.mark.parametrize(("name", "data"), [
    ("score.pdf", PDF), ("fake.jpg", PDF), ("bomb.png", None), ("cut.png", None),
    ("logo.svg", SVG), ("empty.png", b""),
])
def test_store_image_refusals_store_nothing(member, nothing_stored, name, data):
    if data is None:
        data = bomb_png() if name == "bomb.png" else png_bytes((400, 400), color=None)[:300]
    with pytest.raises(ValidationFailed) as caught:
        files.store_image(upload(data, name))
    assert list(caught.value.field_errors) == ["photo"]
    nothing_stored()


def test_store_image_photo_limit(member, nothing_stored, app):
    app.config["MAX_PHOTO_BYTES"], before = 500, app.config["MAX_PHOTO_BYTES"]
    try:
        with pytest.raises(files.PayloadTooLarge):
            files.store_image(upload(png_bytes((200, 200), color=None), "big.png"))
    finally:
        app.config["MAX_PHOTO_BYTES"] = before
    nothing_stored()


def test_store_image_counts_both_files_against_the_quota(member, nothing_stored):
    member.studio.storage_quota_mb = 0
    db.session.commit()
    with pytest.raises(QuotaExceeded) as caught:
        files.store_image(upload(png_bytes(), "p.png"))
    assert list(caught.value.field_errors) == ["photo"]
    db.session.rollback()
    nothing_stored()


def test_a_store_that_fails_is_503_and_leaves_no_row(member, nothing_stored, app, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the upload folder should be")
    app.config["UPLOAD_DIR"], before = str(blocker), app.config["UPLOAD_DIR"]
    try:
        with pytest.raises(files.StorageUnavailable) as caught:
            files.store_upload(upload(PDF, "a.pdf"))
    finally:
        app.config["UPLOAD_DIR"] = before
    assert caught.value.status == 503
    nothing_stored()


def test_savepoint_rollback_takes_back_only_its_own_files(member):
    kept, _ = files.store_upload(upload(PDF, "kept.pdf"))
    with pytest.raises(ValidationFailed):
        with db.session.begin_nested():
            undone, _ = files.store_upload(upload(PDF, "undone.pdf"))
            undone_key = undone.storage_key
            files.delete_file(kept)
            raise ValidationFailed("no")
    assert not get_store().exists(undone_key)  # written in the savepoint: removed
    db.session.commit()
    assert get_store().exists(kept.storage_key)  # its deletion was rolled back
    assert db.session.get(StoredFile, kept.id) is not None
