"""The library's pages: upload (type sniffed), the resource page with its player, sharing,
loans, search, and resources reaching families on notes and in the portal."""
import io
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.core.files import StoredFile
from app.extensions import db
from app.library import services
from app.library.models import NoteResource, Resource
from tests.conftest import csrf_token, post_form, web_login
from tests.library.conftest import pdf_bytes, png_bytes, wav_bytes


def login(app, user):
    client = app.test_client()
    web_login(client, user.email)
    return client


def upload_page(client, data, name, **fields):
    form = {"title": "Recording", "resource_type": "", "visibility": "private", "description": "",
            "category": "", "tags": "", "url": "", "copies": "", **fields}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return post_form(client, "/resources/new", form, content_type="multipart/form-data")


def resource_id(response):
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[1]


def test_a_teacher_uploads_a_recording_and_the_page_plays_it(app, lib):
    client = login(app, lib.users["teacher"])
    data = wav_bytes()
    response = upload_page(client, data, "lesson.wav", tags="scales, listening")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    rid = resource_id(response)
    page = client.get(f"/resources/{rid}").get_data(as_text=True)
    assert "<audio" in page and f"/resources/{rid}/download?inline=1" in page
    download = client.get(f"/resources/{rid}/download")
    assert download.get_data() == data
    assert download.headers["Content-Disposition"].startswith("attachment")
    ranged = client.get(f"/resources/{rid}/download?inline=1", headers={"Range": "bytes=0-43"})
    assert ranged.status_code == 206 and ranged.get_data() == data[:44]
    resource = db.session.get(Resource, uuid.UUID(rid))
    assert resource.resource_type == "audio" and resource.tags == ["scales", "listening"]


def test_pdf_and_image_pages_offer_a_preview(app, lib):
    client = login(app, lib.users["admin"])
    pdf = resource_id(upload_page(client, pdf_bytes(), "chart.pdf", title="Chart"))
    image = resource_id(upload_page(client, png_bytes(), "hand.png", title="Hand"))
    assert "Open in the browser" in client.get(f"/resources/{pdf}").get_data(as_text=True)
    inline = client.get(f"/resources/{pdf}/download?inline=1")
    assert inline.headers["Content-Disposition"].startswith("inline")
    assert inline.mimetype == "application/pdf"
    assert "<img" in client.get(f"/resources/{image}").get_data(as_text=True)


@pytest.mark.parametrize("data, name", [
    (b"", "empty.pdf"),
    (b"MZ\x90\x00" + b"\x00" * 100, "setup.pdf"),
    (b"\x89PNG\r\n\x1a\nnot really", "fake.png"),
])
def test_a_bad_file_is_shown_next_to_the_field(app, lib, data, name):
    client = login(app, lib.users["teacher"])
    response = upload_page(client, data, name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == 0


def test_a_link_and_a_book_need_their_own_fields(app, lib):
    client = login(app, lib.users["teacher"])
    bad = upload_page(client, None, "", resource_type="link", url="javascript:alert(1)")
    assert bad.status_code == 422 and 'id="url-error"' in bad.get_data(as_text=True)
    book = upload_page(client, None, "", resource_type="physical", copies="2", title="Suzuki 1")
    assert book.status_code == 302


def test_sharing_from_the_page_reaches_the_family(app, lib):
    teacher = login(app, lib.users["teacher"])
    rid = resource_id(upload_page(teacher, wav_bytes(), "take.wav", title="Take one"))
    student = login(app, lib.users["student"])
    assert student.get(f"/resources/{rid}").status_code == 404
    assert student.get(f"/resources/{rid}/download").status_code == 404
    page = teacher.get(f"/resources/{rid}").get_data(as_text=True)
    assert "Sam Bennett" in page and "Chidi Okafor" not in page  # only the teacher's students
    shared = post_form(teacher, f"/resources/{rid}/share", {"students": [str(lib.students["kid"].id)]},
                       token_path=f"/resources/{rid}")
    assert shared.status_code == 302
    assert student.get(f"/resources/{rid}").status_code == 200
    assert "Take one" in student.get("/resources").get_data(as_text=True)
    parent = login(app, lib.users["parent"])
    assert "Take one" in parent.get("/").get_data(as_text=True)  # the portal's "Your resources"
    assert login(app, lib.users["parent2"]).get(f"/resources/{rid}").status_code == 404


def test_sharing_with_a_student_one_does_not_teach_is_refused(app, lib):
    teacher = login(app, lib.users["teacher"])
    rid = resource_id(upload_page(teacher, pdf_bytes(), "a.pdf"))
    response = post_form(teacher, f"/resources/{rid}/share",
                         {"students": [str(lib.students["stranger"].id)]}, token_path=f"/resources/{rid}")
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)


def test_lending_and_returning_a_copy(app, lib):
    admin = login(app, lib.users["admin"])
    rid = resource_id(upload_page(admin, None, "", resource_type="physical", copies="1", title="Book"))
    lend = post_form(admin, f"/resources/{rid}/lend", {"student": str(lib.students["kid"].id)},
                     token_path=f"/resources/{rid}")
    assert lend.status_code == 302
    again = post_form(admin, f"/resources/{rid}/lend", {"student": str(lib.students["sibling"].id)},
                      token_path=f"/resources/{rid}")
    assert again.status_code == 422 and "Every copy" in again.get_data(as_text=True)
    loans = admin.get("/resource-checkouts").get_data(as_text=True)
    assert "Sam Bennett" in loans
    loan_id = re.search(r"/resource-checkouts/([0-9a-f-]{36})/return", loans).group(1)
    returned = post_form(admin, f"/resource-checkouts/{loan_id}/return", {}, token_path="/resource-checkouts")
    assert returned.status_code == 302
    twice = post_form(admin, f"/resource-checkouts/{loan_id}/return", {}, token_path="/resource-checkouts")
    assert twice.status_code == 302
    with admin.session_transaction() as session:
        assert any("already been returned" in message for _, message in session["_flashes"])


def test_search_is_accent_insensitive_and_filters_by_type(app, lib):
    client = login(app, lib.users["teacher"])
    upload_page(client, pdf_bytes(), "e.pdf", title="Étude de Chopin", tags="romantic")
    upload_page(client, None, "", resource_type="link", url="https://imslp.org", title="IMSLP")
    assert "Étude de Chopin" in client.get("/resources?q=etude").get_data(as_text=True)
    assert "IMSLP" not in client.get("/resources?q=etude").get_data(as_text=True)
    by_type = client.get("/resources?type=link").get_data(as_text=True)
    assert "IMSLP" in by_type and "Étude" not in by_type
    partial = client.get("/resources?tag=romantic", headers={"HX-Request": "true"})
    assert partial.get_data(as_text=True).lstrip().startswith("<div id=\"resource-results\"")


def test_a_note_shows_its_resources_to_the_family(app, lib, make):
    past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    teacher_profile = lib.students["kid"].primary_teacher
    lesson = make.lesson(lib.studio, teacher_profile, [lib.students["kid"]], start=past, status="completed")
    db.session.commit()
    teacher = login(app, lib.users["teacher"])
    rid = resource_id(upload_page(teacher, wav_bytes(), "take.wav", title="Homework recording"))
    form = {"summary": "Scales", "student": str(lib.students["kid"].id), "visible_to_parent": "y",
            "visible_to_student": "y", "resources": [rid]}
    saved = post_form(teacher, f"/lessons/{lesson.id}/note", form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    assert db.session.scalar(db.select(db.func.count()).select_from(NoteResource)) == 1
    for role in ("parent", "student"):
        notes = login(app, lib.users[role]).get("/notes").get_data(as_text=True)
        assert "Homework recording" in notes
    # Attaching shared the private recording with the note's student.
    resource = db.session.get(Resource, uuid.UUID(rid))
    db.session.refresh(resource)
    assert resource.visibility == "shared"
    assert services.shared_student_ids(resource) == [lib.students["kid"].id]


def test_settings_show_storage_use(app, lib):
    admin = login(app, lib.users["admin"])
    upload_page(admin, wav_bytes(), "take.wav")
    page = admin.get("/settings/studio").get_data(as_text=True)
    assert "File storage" in page and "5.0 GB" in page


def test_csrf_is_required(app, lib):
    client = login(app, lib.users["teacher"])
    csrf_token(client, "/resources/new")
    response = client.post("/resources/new", data={"title": "x", "resource_type": "link",
                                                   "url": "https://e.org"})
    assert response.status_code in (400, 302)
    assert db.session.scalar(db.select(db.func.count()).select_from(Resource)) == 0


def test_an_empty_library_says_what_to_do_for_each_role(app, lib):
    staff = login(app, lib.users["teacher"]).get("/resources").get_data(as_text=True)
    assert "The library is empty" in staff and 'href="/resources/new"' in staff
    family = login(app, lib.users["parent"]).get("/resources").get_data(as_text=True)
    assert "Nothing has been shared with you yet." in family
    assert 'href="/resources/new"' not in family
    filtered = login(app, lib.users["admin"]).get("/resources?q=nothing").get_data(as_text=True)
    assert "No resources match these filters." in filtered and 'href="/resources"' in filtered


def test_a_link_in_the_list_opens_its_site_in_a_new_tab(app, lib):
    services.create_resource(lib.studio, lib.users["admin"], title="Bach on IMSLP",
                             resource_type="link", url="https://imslp.org/wiki/Bach",
                             visibility="studio")
    db.session.commit()
    page = login(app, lib.users["student"]).get("/resources").get_data(as_text=True)
    assert re.search(r'<a href="https://imslp.org/wiki/Bach" rel="noopener noreferrer" '
                     r'target="_blank">imslp.org<span class="visually-hidden"> \(opens in a new '
                     r'tab\)</span></a>', page)
