"""Demo library for Harmony Music Studio: generated recordings, scores and pictures, links,
a sheet-music book with a copy lent out, and resources on a note of student@demo.test."""
import io
import math
import struct
import wave
from datetime import timedelta

from flask import current_app, g
from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.accounts.models import User
from app.core.tenancy import Principal
from app.core.timeutil import local_today
from app.extensions import db
from app.library import services
from app.people.models import Student
from app.teaching.models import LessonNote

NOTE_FREQUENCIES = (261.63, 293.66, 329.63, 349.23, 392.00, 440.00, 493.88, 523.25)


def scale_wav(frequencies=NOTE_FREQUENCIES, seconds_each=0.4, rate=16000):
    """A C major scale as a mono 16-bit WAV: real audio a browser plays."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = int(seconds_each * rate)
        for frequency in frequencies:
            out.writeframes(b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * i / rate)
                                      * min(1, (frames - i) / 800)))
                for i in range(frames)))
    return buffer.getvalue()


def text_pdf(title, lines):
    """A one-page PDF with a title and a few lines of text."""
    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    commands = [f"BT /F1 22 Tf 72 720 Td ({escape(title)}) Tj ET"]
    commands += [f"BT /F1 13 Tf 72 {680 - 22 * n} Td ({escape(line)}) Tj ET"
                 for n, line in enumerate(lines)]
    body = "\n".join(commands).encode("latin-1", "replace")
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
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def keyboard_png(width=480, height=160):
    """A drawing of a piano keyboard, as a PNG."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    key = width // 14
    for n in range(14):
        draw.rectangle([n * key, 0, (n + 1) * key - 1, height - 1], outline="black")
    for n in (0, 1, 3, 4, 5, 7, 8, 10, 11, 12):
        x = n * key + key * 2 // 3
        draw.rectangle([x, 0, x + key * 2 // 3, height * 3 // 5], fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _file(data, name):
    return FileStorage(io.BytesIO(data), filename=name)


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def seed_library(studio):
    """The demo library; files are stored like uploads (local folder or S3)."""
    teacher = _user("teacher@demo.test")
    admin = _user("admin@demo.test") or teacher
    student_user = _user("student@demo.test")
    student = db.session.scalar(select(Student).where(Student.studio_id == studio.id,
                                                      Student.user_id == student_user.id))
    with current_app.test_request_context("/"):
        g.web_principal = Principal(user=teacher, studio=studio, role="teacher")
        resources = _seed_resources(studio, teacher, admin, student)
    return resources


def _seed_resources(studio, teacher, admin, student):
    def add(**fields):
        return services.create_resource(studio, teacher, **fields)

    scale = add(title="C major scale, slow and even", upload=_file(scale_wav(), "c-major-scale.wav"),
                category="Scales", tags=["scales", "listening"],
                description="Play along: one note per beat at 75 bpm.")
    arpeggio = add(title="C major arpeggio", category="Scales", tags=["arpeggios"],
                   upload=_file(scale_wav((261.63, 329.63, 392.0, 523.25, 392.0, 329.63, 261.63)),
                                "arpeggio.wav"), visibility="studio")
    fingering = add(title="Scale fingering chart", category="Theory", tags=["scales", "fingering"],
                    upload=_file(text_pdf("Scale fingering chart", [
                        "C major: RH 1 2 3 1 2 3 4 5, LH 5 4 3 2 1 3 2 1",
                        "G major: RH 1 2 3 1 2 3 4 5, LH 5 4 3 2 1 3 2 1",
                        "F major: RH 1 2 3 4 1 2 3 4, LH 5 4 3 2 1 3 2 1"]), "fingering.pdf"),
                    visibility="studio")
    practice = add(title="Practice plan: first recital piece", category="Repertoire",
                   tags=["recital", "practice"],
                   upload=_file(text_pdf("Practice plan", [
                       "Monday: bars 1-8, hands separately", "Wednesday: bars 9-16",
                       "Friday: the whole piece, slowly"]), "practice-plan.pdf"))
    keyboard = add(title="Where the notes are on the keyboard", category="Theory",
                   tags=["beginners"], upload=_file(keyboard_png(), "keyboard.png"),
                   visibility="studio")
    add(title="Minuet in G (Petzold) on IMSLP", resource_type="link", category="Repertoire",
        url="https://imslp.org/wiki/Minuet_in_G_major,_BWV_Anh.114_(Petzold,_Christian)",
        tags=["baroque", "recital"], visibility="studio")
    add(title="Metronome practice tips", resource_type="link", category="Technique",
        url="https://www.youtube.com/results?search_query=metronome+practice+tips",
        tags=["rhythm"], visibility="studio")
    book = services.create_resource(studio, admin, title="Suzuki Piano School, Volume 1",
                                    resource_type="physical", copies=3, category="Method books",
                                    tags=["method"], visibility="studio")
    if student is not None:
        services.share_resource(studio, teacher, scale, [student], shareable={student.id})
        services.lend_copy(studio, admin, book, student,
                           due_date=local_today(studio) + timedelta(days=21))
        note = db.session.scalar(select(LessonNote).where(
            LessonNote.student_id == student.id, LessonNote.visible_to_student.is_(True),
            LessonNote.visible_to_parent.is_(True)).order_by(LessonNote.created_at.desc()).limit(1))
        if note is not None:
            services.set_note_resources(studio, teacher, note, [scale.id, practice.id],
                                        visible=services.visible_resources(
                                            Principal(user=teacher, studio=studio, role="teacher")))
    return [scale, arpeggio, fingering, practice, keyboard, book]
