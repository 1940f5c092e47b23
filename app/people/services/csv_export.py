"""CSV exports of students and families, produced row by row for streaming.

The student columns are the ones the importer reads, so an export can be imported again.
Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
"""
import csv
import io
import re

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.people.models import Family, FamilyGuardian, Student, TeacherProfile
from app.people.services.families import balances
from app.people.services.students import filter_students

CHUNK = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PHONE_OR_NUMBER = re.compile(r"^[+-]?[\d\s().-]+$")

STUDENT_COLUMNS = (
    "Student First Name", "Student Last Name", "Student Email", "Student Phone", "Birth Date",
    "Instrument", "Specialties", "Teacher", "Teacher Email", "Family", "Parent First Name",
    "Parent Last Name", "Parent Email", "Parent Phone", "Parent 2 First Name", "Parent 2 Last Name",
    "Parent 2 Email", "Parent 2 Phone", "Address", "Lesson Length", "Lesson Rate",
    "Emergency Contact", "Emergency Phone", "Status", "Notes",
)
FAMILY_COLUMNS = (
    "Family", "Phone", "Billing Email", "Address", "Primary Contact", "Guardians", "Guardian Emails",
    "Students", "Active Students", "Balance", "Notes",
)


def safe_cell(value):
    """Text for a CSV cell that spreadsheets will not evaluate as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not PHONE_OR_NUMBER.match(text):
        return "'" + text
    return text


def _line(values):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(v) for v in values])
    return buffer.getvalue()


def _chunks(stmt):
    offset = 0
    while True:
        rows = db.session.scalars(stmt.limit(CHUNK).offset(offset)).unique().all()
        if not rows:
            return
        yield rows
        offset += CHUNK


def _guardian_cells(guardian):
    if guardian is None:
        return ["", "", "", ""]
    first = guardian.user.first_name if guardian.user else guardian.first_name
    last = guardian.user.last_name if guardian.user else guardian.last_name
    return [first, last, guardian.contact_email, guardian.contact_phone]


def _student_row(student):
    teacher = student.primary_teacher
    family = student.family
    guardians = [*family.guardians[:2], None, None][:2]
    return [
        student.first_name, student.last_name, student.contact_email, student.phone,
        student.date_of_birth.isoformat() if student.date_of_birth else "",
        student.instrument, ", ".join(student.specialties or []),
        teacher.full_name if teacher else "", teacher.email if teacher else "", family.name,
        *_guardian_cells(guardians[0]), *_guardian_cells(guardians[1]), family.address,
        student.default_lesson_minutes,
        student.default_lesson_rate if student.default_lesson_rate is not None else "",
        student.emergency_contact_name, student.emergency_contact_phone,
        "Active" if student.is_active else "Archived", student.notes,
    ]


def export_students(studio, stmt=None, **filters):
    """The students CSV as lines (header first): the students of `stmt` (all of the studio's
    by default) that pass the student list `filters`. Built now, streamed later."""
    stmt = stmt if stmt is not None else select(Student).where(Student.studio_id == studio.id)
    stmt = filter_students(stmt, **filters).options(
        selectinload(Student.family).selectinload(Family.guardians).selectinload(FamilyGuardian.user),
        selectinload(Student.primary_teacher).joinedload(TeacherProfile.user),
        selectinload(Student.user),
    ).order_by(func.lower(Family.name), Family.id, func.lower(Student.first_name), Student.id)
    return _student_lines(stmt)


def _student_lines(stmt):
    yield _line(STUDENT_COLUMNS)
    for chunk in _chunks(stmt):
        for student in chunk:
            yield _line(_student_row(student))


def _family_row(family, balance):
    return [
        family.name, family.phone, family.billing_email, family.address,
        family.primary_contact.full_name if family.primary_contact else "",
        "; ".join(g.full_name for g in family.guardians),
        "; ".join(g.contact_email for g in family.guardians if g.contact_email),
        "; ".join(s.full_name for s in family.students),
        sum(1 for s in family.students if s.is_active), balance, family.notes,
    ]


def export_families(studio):
    """The families CSV as lines (header first), with balances and who belongs to each.

    The statement is built now, while the request's rows are live: the lines are produced
    later, while the response streams, when those rows may no longer be loadable."""
    stmt = select(Family).where(Family.studio_id == studio.id).options(
        selectinload(Family.guardians).selectinload(FamilyGuardian.user),
        selectinload(Family.students), selectinload(Family.primary_contact),
    ).order_by(func.lower(Family.name), Family.id)
    return _family_lines(stmt)


def _family_lines(stmt):
    yield _line(FAMILY_COLUMNS)
    for chunk in _chunks(stmt):
        amounts = balances(chunk)
        for family in chunk:
            yield _line(_family_row(family, amounts[family.id]))
