"""A studio whose teacher teaches the signed-in student; a colleague teaches another family's
child; a second studio with an admin of its own. Files are made here, small and real."""
import io
import struct
import wave
from dataclasses import dataclass

import pytest

from app.extensions import db


@dataclass
class LibraryWorld:
    studio: object
    other: object
    users: dict  # role -> user
    students: dict  # name -> student


@pytest.fixture()
def lib(make):
    """teacher teaches kid (family of parent; kid signs in as student) and sibling; colleague
    teaches stranger (family of parent2)."""
    studio = make.studio(name="Library Studio")
    other = make.studio(name="Elsewhere")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    colleague = make.teacher(studio, first_name="Clara", last_name="Weiss")
    users = {role: make.member(studio, role) for role in ("owner", "admin", "parent", "student")}
    users["parent2"] = make.member(studio, "parent")
    users["teacher"], users["colleague"] = teacher.user, colleague.user
    users["other"] = make.member(other, "admin")
    family = make.family(studio, guardians=[users["parent"]], name="Bennett Family")
    family2 = make.family(studio, guardians=[users["parent2"]], name="Okafor Family")
    kid = make.student(studio, family, first_name="Sam", last_name="Bennett", user=users["student"],
                       primary_teacher=teacher)
    sibling = make.student(studio, family, first_name="Lily", last_name="Bennett",
                           primary_teacher=teacher)
    stranger = make.student(studio, family2, first_name="Chidi", last_name="Okafor",
                            primary_teacher=colleague)
    db.session.commit()
    return LibraryWorld(studio, other, users,
                        {"kid": kid, "sibling": sibling, "stranger": stranger})


def wav_bytes(seconds=1.0, rate=8000):
    """A real mono 16-bit WAV file: a quiet sawtooth."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = int(seconds * rate)
        out.writeframes(b"".join(struct.pack("<h", (i % 100) * 100 - 5000) for i in range(frames)))
    return buffer.getvalue()


def pdf_bytes(text="Scales"):
    """A minimal, valid one-page PDF."""
    body = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png_bytes(size=(8, 8), color=(200, 30, 30)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(data, name):
    return (io.BytesIO(data), name)
