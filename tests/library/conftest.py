"""A studio whose teacher teaches the signed-in student; a colleague teaches another family's
child; a second studio with an admin of its own. Files are made here, small and real."""
import io
from dataclasses import dataclass

import pytest

from app.extensions import db
from app.library.demo import NOTE_FREQUENCIES, scale_wav, text_pdf
from tests.uploads import png_bytes  # noqa: F401  (the library's tests import it from here)


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
    """A real mono 16-bit WAV lasting `seconds`: the demo's C major scale."""
    return scale_wav(seconds_each=seconds / len(NOTE_FREQUENCIES), rate=rate)


def pdf_bytes(text="Scales"):
    """A real one-page PDF titled `text`."""
    return text_pdf(text, [])


def upload(data, name):
    return (io.BytesIO(data), name)
