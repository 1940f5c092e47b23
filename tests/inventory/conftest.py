"""A lending studio: admin, teacher, two families (one child signs in), items borrowable
and not, and a second studio's item."""
import io
from dataclasses import dataclass

import pytest
from PIL import Image

from app.extensions import db
from app.inventory import services


@dataclass
class Lending:
    emails: dict  # who -> email
    ids: dict  # record name -> id (str)


@pytest.fixture()
def lending_world(make):
    studio = make.studio(name="Lending Studio")
    other = make.studio(name="Elsewhere")
    admin = make.member(studio, "admin")
    teacher = make.teacher(studio, first_name="Tia", last_name="Tutor")
    parent_x = make.member(studio, "parent")
    parent_y = make.member(studio, "parent")
    student_x_user = make.member(studio, "student")
    other_admin = make.member(other, "admin")
    family_x = make.family(studio, guardians=[parent_x], name="Xu Family")
    family_y = make.family(studio, guardians=[parent_y], name="Yates Family")
    kid_x = make.student(studio, family_x, first_name="Xena", last_name="Xu", user=student_x_user)
    sibling_x = make.student(studio, family_x, first_name="Xavi", last_name="Xu")
    kid_y = make.student(studio, family_y, first_name="Yuri", last_name="Yates")
    violin = services.create_item(studio, admin, name="Violin 3/4", category="instrument",
                                  quantity=2, serial_number="VN-34-001", location="Cabinet A",
                                  rental_fee="15.00")
    cello = services.create_item(studio, admin, name="Cello 1/2", category="instrument", quantity=1)
    book = services.create_item(studio, admin, name="Suzuki Violin Book 1", category="book",
                                quantity=5)
    tuner = services.create_item(studio, admin, name="Studio tuner", category="equipment",
                                 quantity=1, is_borrowable=False)
    foreign = services.create_item(other, other_admin, name="Foreign harp", quantity=1)
    loan_y = services.request_checkout(studio, parent_y, book, kid_y)
    services.approve_checkout(studio, admin, loan_y, hand_out=True)
    db.session.commit()
    emails = {"admin": admin.email, "teacher": teacher.user.email, "parent_x": parent_x.email,
              "parent_y": parent_y.email, "student_x": student_x_user.email,
              "other_admin": other_admin.email}
    ids = {name: str(obj.id) for name, obj in dict(
        studio=studio, kid_x=kid_x, sibling_x=sibling_x, kid_y=kid_y, violin=violin, cello=cello,
        book=book, tuner=tuner, foreign=foreign, loan_y=loan_y, family_x=family_x,
        family_y=family_y).items()}
    return Lending(emails, ids)


def jpeg_with_exif(size=(800, 600), color=(180, 90, 40)):
    """A real JPEG carrying EXIF: a camera make and model, and GPS coordinates."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneCam"  # Make
    exif[0x0110] = "Model 7"  # Model
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 7.0), 3: "E", 4: (4.0, 53.0, 2.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_bytes(size=(300, 200)):
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "PNG")
    return out.getvalue()
