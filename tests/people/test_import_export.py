"""CSV import (preview, commit, bad files) and CSV export."""

import csv
import io
import os

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.people import services
from app.people.models import Family, FamilyGuardian, ImportBatch, Student
from app.people.services import csv_import
from app.people.services.csv_read import canonical_key, read_csv
from tests.conftest import csrf_token, web_login


def to_csv(rows, delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode()


def count(model, studio):
    return db.session.scalar(select(func.count()).select_from(model).where(model.studio_id == studio.id))


@pytest.fixture()
def studio(make):
    return make.studio(locale="en_US")


@pytest.fixture()
def admin(make, studio):
    return make.member(studio, "admin")


@pytest.fixture()
def teacher(make, studio):
    return make.teacher(studio, email="theo@example.test", first_name="Theo", last_name="Marsh")


MMS_HEADER = [
    "Student First Name",
    "Student Last Name",
    "Student Email",
    "Student Phone",
    "Birthday",
    "Instrument",
    "Teacher",
    "Parent 1 First Name",
    "Parent 1 Last Name",
    "Parent 1 Email",
    "Parent 1 Phone",
    "Parent 2 Name",
    "Parent 2 E-mail",
    "Address",
    "Status",
]


def row(
    first,
    last="Smith",
    email="",
    parent_email="john@example.test",
    teacher="Theo Marsh",
    birthday="",
    instrument="Piano",
    parent2="",
    parent2_email="",
    status="Active",
):
    return [
        first,
        last,
        email,
        "",
        birthday,
        instrument,
        teacher,
        "John",
        last,
        parent_email,
        "555-0100",
        parent2,
        parent2_email,
        "1 Main St",
        status,
    ]


@pytest.mark.parametrize(
    "header,key",
    [
        ("Student First Name", "first_name"),
        ("first name", "first_name"),
        ("FIRSTNAME", "first_name"),
        ("Student's Last Name", "last_name"),
        ("Surname", "last_name"),
        ("E-mail", "email"),
        ("Student Email Address", "email"),
        ("DOB", "birth_date"),
        ("Date of Birth", "birth_date"),
        ("Birthdate", "birth_date"),
        ("Parent 1 Email", "parent_email"),
        ("Guardian E-mail", "parent_email"),
        ("Mother's First Name", "parent_first_name"),
        ("Parent2 Email", "parent2_email"),
        ("Second Parent Phone", "parent2_phone"),
        ("Instructor", "teacher"),
        ("Teacher Email", "teacher_email"),
        ("  Family   Name ", "family"),
        ("Favourite colour", None),
    ],
)
def test_header_matching(header, key):
    assert canonical_key(header) == key


def test_preview_groups_siblings_and_describes_each_row(studio, admin, teacher):
    data = to_csv(
        [
            MMS_HEADER,
            row("Emma", birthday="03/04/2012", parent2="Jane Smith", parent2_email="jane@example.test"),
            row("Jack", email="john@example.test", birthday="2014-07-01", teacher="theo@example.test"),
            row("Olga", last="Ivanova", parent_email="olga.mum@example.test", teacher="Nobody"),
            row("", last="Nameless"),
            row("Bad", email="not-an-email"),
            row("Old", birthday="31/31/2010"),
        ]
    )
    batch = services.preview_import(studio, admin, data, "mms.csv")
    by_row = {r["row"]: r for r in batch.preview}
    assert [by_row[n]["status"] for n in range(2, 8)] == [
        "create",
        "create",
        "create",
        "reject",
        "reject",
        "reject",
    ]
    assert by_row[2]["family"] == by_row[3]["family"] == "Smith Family"
    assert by_row[2]["actions"] == ["New student", 'New family "Smith Family"']
    assert by_row[2]["teacher"] == by_row[3]["teacher"] == "Theo Marsh"
    assert by_row[4]["warnings"] == ['No teacher matches "Nobody"; the student will have no teacher.']
    assert by_row[5]["reasons"] == ["Student first name: Enter the student's first name."]
    assert "not-an-email" in by_row[6]["reasons"][0]
    assert by_row[7]["reasons"] == ['Birth date "31/31/2010" is not a date; use YYYY-MM-DD.']
    assert batch.summary["create"] == 3 and batch.summary["reject"] == 3 and batch.summary["families"] == 2
    assert count(Student, studio) == 0, "a preview writes no people"


def test_commit_creates_families_guardians_and_students(make, studio, admin, teacher):
    parent = make.member(studio, "parent", email="john@example.test")
    data = to_csv(
        [
            MMS_HEADER,
            row("Emma", birthday="03/04/2012", parent2="Jane Smith", parent2_email="jane@example.test"),
            row("Jack", email="john@example.test"),
            row("Ivy", status="Inactive"),
        ]
    )
    batch = services.preview_import(studio, admin, data, "mms.csv")
    services.commit_import(studio, admin, batch)
    family = db.session.scalars(select(Family).where(Family.studio_id == studio.id)).one()
    assert sorted(s.first_name for s in family.students) == ["Emma", "Ivy", "Jack"]
    emma = next(s for s in family.students if s.first_name == "Emma")
    assert emma.date_of_birth.isoformat() == "2012-03-04" and emma.primary_teacher_id == teacher.id
    assert emma.instrument == "Piano", "kept as typed"
    jack = next(s for s in family.students if s.first_name == "Jack")
    assert jack.email is None, "the parent's address stays on the parent"
    ivy = next(s for s in family.students if s.first_name == "Ivy")
    assert not ivy.is_active and ivy.archived_at is not None
    guardians = {g.email: g for g in family.guardians}
    assert guardians["john@example.test"].user_id == parent.id
    assert (
        guardians["jane@example.test"].user_id is None
        and guardians["jane@example.test"].full_name == "Jane Smith"
    )
    assert family.primary_contact_id == parent.id and family.billing_email == "john@example.test"
    assert batch.status == "committed" and batch.summary["create"] == 3
    with pytest.raises(Conflict):
        services.commit_import(studio, admin, batch)


def test_existing_people_are_matched_not_duplicated(make, studio, admin, teacher):
    family = make.family(studio, name="Smith Family")
    make.guardian(family, email="john@example.test", first_name="John")
    make.student(studio, family=family, first_name="Emma", last_name="Smith")
    make.student(studio, first_name="Olga", last_name="Ivanova", email="olga@example.test")
    data = to_csv(
        [
            MMS_HEADER,
            row("Emma"),
            row("Noah"),
            row("Olga", last="Ivanova", email="olga@example.test", parent_email=""),
            row("Pia", email="olga@example.test", parent_email=""),
            row("Noah"),
        ]
    )
    batch = services.preview_import(studio, admin, data)
    outcomes = [(r["status"], r["reasons"]) for r in batch.preview]
    assert outcomes[0] == ("match", ["Already in the Smith Family family."])
    assert outcomes[1][0] == "create"
    assert outcomes[2] == ("match", ["Already in the studio (same email)."])
    assert outcomes[3][0] == "reject" and "belongs to another student, Olga Ivanova" in outcomes[3][1][0]
    assert outcomes[4] == ("match", ["Same student as row 3."])
    services.commit_import(studio, admin, batch)
    assert count(Student, studio) == 3 and count(Family, studio) == 2


def test_family_column_and_parent_names_group_rows(studio, admin):
    data = to_csv(
        [
            ["Name", "Family", "Parent"],
            ["Ana Lima", "The Limas", ""],
            ["Rui Lima", "the limas", ""],
            ["Kai Ito", "", "Mei Ito"],
            ["Sora Ito", "", "Mei Ito"],
            ["Solo Adult", "", ""],
        ]
    )
    batch = services.preview_import(studio, admin, data)
    assert [r["family"] for r in batch.preview] == [
        "The Limas",
        "The Limas",
        "Ito Family",
        "Ito Family",
        "Adult Family",
    ]
    services.commit_import(studio, admin, batch)
    assert count(Family, studio) == 3 and count(Student, studio) == 5


def test_semicolons_bom_and_day_first_dates(make, admin):
    studio = make.studio(locale="fr_FR")
    admin = make.member(studio, "admin")
    text = "\ufeffPrénom;Nom;Date de naissance;Email\nÉlodie;Dupré;04/03/2012;elodie@example.test\n"
    text = (
        text.replace("Prénom", "First name").replace("Nom", "Last name").replace("Date de naissance", "DOB")
    )
    batch = services.preview_import(studio, admin, text.encode("utf-8"))
    services.commit_import(studio, admin, batch)
    student = db.session.scalars(select(Student).where(Student.studio_id == studio.id)).one()
    assert student.first_name == "Élodie" and student.date_of_birth.isoformat() == "2012-03-04"


@pytest.mark.parametrize(
    "data,message",
    [
        ("First Name,Last Name\nJosé,Núñez\n".encode("latin-1"), "not UTF-8 text"),
        ("First Name\nAna\n".encode("utf-16"), "UTF-16"),
        (b"", "The file is empty."),
        (b"Surname,Phone\nLima,555\n", "needs a column with the student's first name"),
        (b"First Name\n", "has a header row but no students"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel workbook"),
        (bytes(range(256)) * 40, "binary data"),
    ],
)
def test_unusable_files_get_a_clear_message(studio, admin, data, message):
    with pytest.raises(ValidationFailed) as error:
        services.preview_import(studio, admin, data)
    assert message in error.value.detail
    assert error.value.field_errors["file"] == [error.value.detail]
    assert count(ImportBatch, studio) == 0


def test_size_and_row_limits(studio, admin):
    with pytest.raises(ValidationFailed) as error:
        services.preview_import(studio, admin, os.urandom(10 * 1024 * 1024))
    assert error.value.detail.startswith("The file is 10.0 MB; the limit is 5 MB.")
    many = b"First Name\n" + b"Ann\n" * 10_001
    with pytest.raises(ValidationFailed) as error:
        read_csv(many)
    assert "more than 10,000 rows" in error.value.detail


def big_file(rows):
    lines = [
        [
            "Student First Name",
            "Student Last Name",
            "Student Email",
            "Parent Email",
            "Parent Name",
            "Instrument",
            "Teacher",
            "Date of Birth",
        ]
    ]
    for n in range(rows):
        family = n // 2
        lines.append(
            [
                f"Kid{n}",
                f"Fam{family}",
                f"kid{n}@example.test",
                f"parent{family}@example.test",
                f"Pat Fam{family}",
                "piano",
                "Theo Marsh",
                "2012-05-31",
            ]
        )
    return to_csv(lines)


def test_a_3000_row_file_imports_whole(studio, admin, teacher):
    """Its speed is measured by `make bench` (bulk import), not here."""
    data = big_file(3000)
    batch = services.preview_import(studio, admin, data, "big.csv")
    services.commit_import(studio, admin, batch)
    db.session.flush()
    assert count(Student, studio) == 3000 and count(Family, studio) == 1500
    assert count(FamilyGuardian, studio) == 1500
    again = services.preview_import(studio, admin, data, "big.csv")
    assert again.summary["match"] == 3000 and again.summary["create"] == 0


def test_a_failure_during_commit_leaves_nothing_half_imported(client, make, monkeypatch):
    studio = make.studio()
    admin = make.member(studio, "admin")
    batch = services.preview_import(studio, admin, big_file(600), "big.csv")
    db.session.commit()
    calls = {"n": 0}
    original = csv_import._write_family

    def failing(*args):
        calls["n"] += 1
        if calls["n"] == 200:
            raise RuntimeError("disk full")
        return original(*args)

    monkeypatch.setattr(csv_import, "_write_family", failing)
    web_login(client, admin.email)
    token = csrf_token(client, f"/people/import/{batch.id}")
    response = client.post(f"/people/import/{batch.id}/commit", data={"csrf_token": token})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Failed" in job_page and "nothing after the last step was saved" in job_page
    db.session.expire_all()
    assert count(Student, studio) == 0 and count(Family, studio) == 0
    assert db.session.get(ImportBatch, batch.id).status == "previewed"


def test_export_students_round_trips_through_import(make, studio, admin, teacher):
    family = make.family(studio, name="Bennett Family", address="12 Orchard Lane")
    make.guardian(family, email="paula@example.test", first_name="Paula", last_name="Bennett")
    make.student(
        studio,
        family=family,
        first_name="Sam",
        last_name="Bennett",
        primary_teacher=teacher,
        email="sam@example.test",
        default_lesson_rate=45,
    )
    make.student(studio, family=family, first_name="Lily", last_name="Bennett", is_active=False)
    exported = "".join(services.export_students(studio))
    lines = list(csv.DictReader(io.StringIO(exported)))
    assert [line["Student First Name"] for line in lines] == ["Lily", "Sam"]
    assert lines[1]["Teacher Email"] == "theo@example.test" and lines[1]["Lesson Rate"] == "45.00"
    assert lines[0]["Status"] == "Archived" and lines[1]["Parent Email"] == "paula@example.test"
    other = make.studio()
    other_admin = make.member(other, "admin")
    batch = services.preview_import(other, other_admin, exported.encode())
    assert batch.summary["create"] == 2 and batch.summary["families"] == 1
    same = services.preview_import(studio, admin, exported.encode())
    assert same.summary["match"] == 2


def test_export_neutralises_spreadsheet_formulas(make, studio):
    make.student(studio, first_name='=HYPERLINK("http://evil")', last_name="@SUM(A1)", phone="+1 555 0100")
    exported = "".join(services.export_students(studio))
    line = list(csv.DictReader(io.StringIO(exported)))[0]
    assert line["Student First Name"].startswith("'=") and line["Student Last Name"].startswith("'@")
    assert line["Student Phone"] == "+1 555 0100"


def test_export_families_has_balances_and_members(make, studio):
    family = make.family(studio, name="Okafor Family")
    make.guardian(family, email="ngozi@example.test", first_name="Ngozi", last_name="Okafor")
    make.student(studio, family=family, first_name="Chidi", last_name="Okafor")
    exported = "".join(services.export_families(studio))
    line = list(csv.DictReader(io.StringIO(exported)))[0]
    assert line["Family"] == "Okafor Family" and line["Balance"] == "0.00"
    assert line["Guardians"] == "Ngozi Okafor" and line["Students"] == "Chidi Okafor"


# ------------------------------------------------------------------ the pages


def test_upload_preview_and_commit_pages(client, make):
    studio = make.studio()
    admin = make.member(studio, "admin")
    db.session.commit()
    web_login(client, admin.email)
    token = csrf_token(client, "/people/import")
    data = to_csv(
        [["First Name", "Last Name", "Parent Email"], ["Ana", "Lima", "mum@example.test"], ["", "Nobody", ""]]
    )
    response = client.post(
        "/people/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "kids.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "Check the import" in page and "Rejected" in page
    partial = client.get(preview_url + "?show=create", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True) and "Ana Lima" in partial.get_data(as_text=True)
    commit_url = preview_url + "/commit"
    started = client.post(commit_url, data={"csrf_token": token})
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    job_page = client.get(started.headers["Location"]).get_data(as_text=True)
    # The page polls until the job is done; it survives a reload (same URL, same outcome).
    assert "Import of families and students" in job_page and "Done" in job_page
    assert "Imported 1 student and 1 new family." in job_page
    assert client.get(started.headers["Location"]).get_data(as_text=True).count("Imported 1 student") == 1
    assert "Import complete" in client.get(preview_url).get_data(as_text=True)
    again = client.post(commit_url, data={"csrf_token": token}, follow_redirects=True)
    assert "This file has already been imported." in again.get_data(as_text=True)


def test_upload_page_shows_file_errors_next_to_the_field(client, make):
    studio = make.studio()
    admin = make.member(studio, "admin")
    db.session.commit()
    web_login(client, admin.email)
    token = csrf_token(client, "/people/import")
    response = client.post(
        "/people/import",
        data={"csrf_token": token, "file": (io.BytesIO(os.urandom(10 * 1024 * 1024)), "garbage.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert 'id="file-error"' in response.get_data(as_text=True)
    assert "the limit is 5 MB" in response.get_data(as_text=True)


def test_export_endpoints_stream_csv_attachments(client, make):
    studio = make.studio()
    admin = make.member(studio, "admin")
    make.student(studio, first_name="Ana")
    db.session.commit()
    web_login(client, admin.email)
    for path, header in (
        ("/people/export/students.csv", "Student First Name"),
        ("/people/export/families.csv", "Family,Phone"),
    ):
        response = client.get(path)
        body = response.get_data(as_text=True)
        response.close()
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        assert body.startswith(header)


def test_exports_stream_after_the_request_has_committed(app):
    """With no context held by the test (as under a WSGI server), the CSV lines are produced
    after the request committed; they must not touch rows loaded by the request."""
    from flask.testing import FlaskClient

    from tests.factories import Maker

    with app.test_request_context():
        make = Maker()
        studio = make.studio()
        admin_email = make.member(studio, "admin").email
        make.student(studio, first_name="Ana", last_name="Lima")
        db.session.commit()
    client = FlaskClient(app, use_cookies=True)
    web_login(client, admin_email)
    for path in ("/people/export/students.csv", "/people/export/families.csv"):
        response = client.get(path)
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code == 200, body[:300]
        assert "Lima" in body
