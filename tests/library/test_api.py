"""The library's JSON API: uploads of every kind, downloads, visibility, sharing, loans and
the bad input a client or an attacker sends."""
import pytest

from app.core.files import StoredFile
from app.extensions import db
from app.library.models import Resource
from tests.conftest import api_login, bearer
from tests.library.conftest import pdf_bytes, png_bytes, upload, wav_bytes

URL = "/api/v1/resources"


@pytest.fixture()
def call(client, lib):
    tokens = {}

    def headers(role):
        if role not in tokens:
            tokens[role] = bearer(api_login(client, lib.users[role].email))
        return tokens[role]

    def request(role, method, url, headers_extra=None, **kwargs):
        return client.open(url, method=method, headers={**headers(role), **(headers_extra or {})},
                           **kwargs)

    return request


def create(call, role="teacher", data=None, file=None):
    body = {"title": "Scale demo", **(data or {})}
    if file is not None:
        body["file"] = file
    return call(role, "POST", URL, data=body, content_type="multipart/form-data")


def stored_count():
    return db.session.scalar(db.select(db.func.count()).select_from(StoredFile))


def test_upload_sniffs_the_type_and_downloads_the_same_bytes(call, lib):
    data = wav_bytes()
    response = create(call, file=upload(data, "take 1.wav"), data={"tags": "scales, warm-up"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["resource_type"] == "audio"
    assert body["tags"] == ["scales", "warm-up"]
    assert body["file_size"] == len(data) and body["content_type"].startswith("audio/")
    assert body["visibility"] == "private" and body["is_public"] is False
    assert body["shared_with"] == []
    download = call("teacher", "GET", body["download_url"])
    assert download.status_code == 200
    assert download.get_data() == data
    assert download.headers["Content-Disposition"].startswith("attachment")
    inline = call("teacher", "GET", body["download_url"] + "?inline=1")
    assert inline.headers["Content-Disposition"].startswith("inline")
    ranged = call("teacher", "GET", body["download_url"], headers_extra={"Range": "bytes=10-19"})
    assert ranged.status_code == 206 and ranged.get_data() == data[10:20]


def test_every_kind_is_accepted_and_typed(call):
    pdf = create(call, file=upload(pdf_bytes(), "scales.pdf"))
    image = create(call, file=upload(png_bytes(), "hand.png"))
    assert (pdf.status_code, pdf.json["resource_type"]) == (201, "pdf")
    assert (image.status_code, image.json["resource_type"]) == (201, "image")
    link = create(call, data={"resource_type": "link", "url": "https://imslp.org/wiki/Etude"})
    assert link.status_code == 201 and link.json["url"] == "https://imslp.org/wiki/Etude"
    assert link.json["download_url"] is None
    book = create(call, data={"resource_type": "physical", "copies": "3"})
    assert book.status_code == 201 and (book.json["copies"], book.json["available_copies"]) == (3, 3)


def test_repeated_tag_fields_are_accepted(call):
    response = call("teacher", "POST", URL, data={
        "title": "Etude", "resource_type": "link", "url": "https://example.org/e",
        "tags": ["jazz", "Swing, jazz"]}, content_type="multipart/form-data")
    assert response.status_code == 201
    assert response.json["tags"] == ["jazz", "Swing"]


@pytest.mark.parametrize("data, name, field", [
    (b"", "empty.wav", "file"),
    (b"MZ\x90\x00" + b"\x00" * 200, "score.pdf", "file"),
    (b"\x7fELF" + b"\x00" * 200, "tune.wav", "file"),
    (b"\x89PNG\r\n\x1a\n" + b"broken" * 20, "photo.png", "file"),
    (None, "scales.wav", "file"),  # a PDF named .wav: name and content disagree
])
def test_bad_files_are_refused_and_nothing_is_stored(call, data, name, field):
    data = pdf_bytes() if data is None else data
    response = create(call, file=upload(data, name))
    assert response.status_code == 400, response.json
    assert response.json["code"] == "VALIDATION_ERROR" and field in response.json["field_errors"]
    assert stored_count() == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Resource)) == 0


def test_a_path_like_name_is_reduced_to_its_base_name(call):
    response = create(call, file=upload(pdf_bytes(), "../../etc/passwd.pdf"))
    assert response.status_code == 201, response.json
    assert "/" not in response.json["file_name"] and ".." not in response.json["file_name"]
    stored = db.session.scalar(db.select(StoredFile))
    assert "passwd" not in stored.storage_key


def test_a_type_that_disagrees_with_the_content_is_refused(call):
    response = create(call, file=upload(pdf_bytes(), "scales.pdf"), data={"resource_type": "audio"})
    assert response.status_code == 400
    assert stored_count() == 0


def test_a_file_over_the_limit_is_413_with_the_error_body(call, app):
    app.config["MAX_UPLOAD_BYTES"], before = 1000, app.config["MAX_UPLOAD_BYTES"]
    try:
        response = create(call, file=upload(wav_bytes(), "long.wav"))
    finally:
        app.config["MAX_UPLOAD_BYTES"] = before
    assert response.status_code == 413
    assert response.json["code"] == "PAYLOAD_TOO_LARGE" and "request_id" in response.json
    assert stored_count() == 0


def test_the_studio_quota_is_413(call, lib):
    lib.studio.storage_quota_mb = 0
    db.session.commit()
    response = create(call, file=upload(wav_bytes(), "take.wav"))
    assert response.status_code == 413 and response.json["code"] == "PAYLOAD_TOO_LARGE"
    assert stored_count() == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/a", "", "not a url"])
def test_a_link_must_be_http(call, url):
    response = create(call, data={"resource_type": "link", "url": url})
    assert response.status_code == 400 and "url" in response.json["field_errors"]


def test_a_file_type_without_a_file_is_refused(call):
    response = create(call, data={"resource_type": "pdf"})
    assert response.status_code == 400 and "file" in response.json["field_errors"]


def test_private_resources_are_hidden_from_families_until_shared(call, lib):
    resource = create(call, file=upload(wav_bytes(), "take.wav")).json
    item, download = f"{URL}/{resource['id']}", resource["download_url"]
    for role in ("student", "parent", "parent2", "other"):
        assert call(role, "GET", item).status_code == 404
        assert call(role, "GET", download).status_code == 404
    assert call("colleague", "GET", item).status_code == 200  # staff share the library

    shared = call("teacher", "POST", f"{item}/share", json={"students": [str(lib.students["kid"].id)]})
    assert shared.status_code == 200 and shared.json["visibility"] == "shared"
    assert shared.json["shared_with"] == [str(lib.students["kid"].id)]
    assert call("student", "GET", item).status_code == 200
    assert "shared_with" not in call("student", "GET", item).json
    assert call("parent", "GET", download).get_data() == wav_bytes()
    assert call("parent2", "GET", item).status_code == 404
    assert call("other", "GET", item).status_code == 404

    listed = call("student", "GET", URL).json
    assert [r["id"] for r in listed["results"]] == [resource["id"]]

    unshared = call("teacher", "POST", f"{item}/share", json={"students": []})
    assert unshared.json["visibility"] == "private"
    assert call("student", "GET", item).status_code == 404


def test_studio_wide_resources_reach_every_family(call):
    resource = create(call, file=upload(pdf_bytes(), "a.pdf"), data={"is_public": "true"}).json
    assert resource["visibility"] == "studio" and resource["is_public"] is True
    for role in ("student", "parent", "parent2"):
        assert call(role, "GET", f"{URL}/{resource['id']}").status_code == 200
    assert call("other", "GET", f"{URL}/{resource['id']}").status_code == 404


def test_a_teacher_shares_only_with_their_own_students(call, lib):
    resource = create(call, role="colleague", file=upload(pdf_bytes(), "a.pdf")).json
    item = f"{URL}/{resource['id']}"
    refused = call("teacher", "POST", f"{item}/share", json={"students": [str(lib.students["stranger"].id)]})
    assert refused.status_code == 400 and "students" in refused.json["field_errors"]
    mine = call("teacher", "POST", f"{item}/share", json={"students": [str(lib.students["kid"].id)]})
    assert mine.status_code == 200
    # The colleague's own share survives the teacher's changes.
    call("colleague", "POST", f"{item}/share", json={"students": [str(lib.students["stranger"].id)]})
    call("teacher", "POST", f"{item}/share", json={"students": []})
    assert call("admin", "GET", item).json["shared_with"] == [str(lib.students["stranger"].id)]
    # Visibility is for who may change the resource.
    visibility = call("teacher", "POST", f"{item}/share", json={"students": [], "visibility": "studio"})
    assert visibility.status_code == 403


def test_teachers_change_their_own_uploads_admins_any(call):
    resource = create(call, role="colleague", file=upload(pdf_bytes(), "a.pdf")).json
    item = f"{URL}/{resource['id']}"
    assert call("teacher", "PATCH", item, json={"title": "Mine now"}).status_code == 403
    assert call("teacher", "DELETE", item).status_code == 403
    changed = call("admin", "PATCH", item, json={"title": "Études", "tags": ["théorie"], "is_public": True})
    assert changed.status_code == 200
    assert (changed.json["title"], changed.json["visibility"]) == ("Études", "studio")
    assert call("student", "PATCH", item, json={"title": "x"}).status_code == 403
    assert call("colleague", "DELETE", item).status_code == 204
    assert call("admin", "GET", item).status_code == 404
    assert stored_count() == 0


def test_patch_refuses_fields_of_another_kind(call):
    resource = create(call, file=upload(pdf_bytes(), "a.pdf")).json
    item = f"{URL}/{resource['id']}"
    assert call("teacher", "PATCH", item, json={"copies": 2}).status_code == 400
    assert call("teacher", "PATCH", item, json={"url": "https://x.org"}).status_code == 400
    assert call("teacher", "PATCH", item, json={"surprise": 1}).status_code == 400


def test_search_ignores_accents_and_filters_combine(call):
    create(call, file=upload(pdf_bytes(), "a.pdf"), data={"title": "Étude in C", "category": "Repertoire",
                                                         "tags": "chopin"})
    create(call, data={"title": "Scales", "resource_type": "link", "url": "https://e.org",
                       "description": "Major scales, daily", "tags": "technique"})
    def titles(query):
        return [r["title"] for r in call("teacher", "GET", f"{URL}?{query}").json["results"]]
    assert titles("search=etude") == ["Étude in C"]
    assert titles("search=DAILY") == ["Scales"]
    assert titles("tags=chopin") == ["Étude in C"]
    assert titles("resource_type=link") == ["Scales"]
    assert titles("category=repertoire") == ["Étude in C"]
    assert titles("visibility=studio") == []
    page = call("teacher", "GET", f"{URL}?page_size=1&ordering=title").json
    assert page["count"] == 2 and page["next"] and page["results"][0]["title"] == "Scales"
    assert call("teacher", "GET", f"{URL}?resource_type=nope").status_code == 400


def test_a_tag_filter_matches_whole_tags_whatever_their_case_and_accents(call):
    create(call, data={"title": "Blue Bossa", "resource_type": "link", "url": "https://e.org/1",
                       "tags": "Jazz, Latin"})
    create(call, data={"title": "Jazzy warm-ups", "resource_type": "link",
                       "url": "https://e.org/2", "tags": "jazzy, Études"})
    create(call, data={"title": "100% scales", "resource_type": "link", "url": "https://e.org/3",
                       "tags": "100%"})

    def titles(query):
        return sorted(r["title"] for r in call("teacher", "GET", f"{URL}?{query}").json["results"])
    assert titles("tags=jazz") == ["Blue Bossa"]
    assert titles("tags=JAZZY") == ["Jazzy warm-ups"]
    assert titles("tags=etudes") == ["Jazzy warm-ups"]
    assert titles("tags=jazz,latin") == ["Blue Bossa"]
    assert titles("tags=jazz,etudes") == []
    assert titles("tags=100%25") == ["100% scales"]
    assert titles("tags=1%25") == []


def test_physical_copies_are_lent_and_returned(call, lib):
    book = create(call, data={"resource_type": "physical", "copies": "1", "title": "Suzuki 1"}).json
    checkout_url = f"{URL}/{book['id']}/checkout"
    kid, stranger = str(lib.students["kid"].id), str(lib.students["stranger"].id)
    lent = call("teacher", "POST", checkout_url, json={"student": kid, "due_date": "2099-01-31"})
    assert lent.status_code == 201, lent.json
    assert lent.json["status"] == "checked_out" and lent.json["due_date"] == "2099-01-31"
    assert call("teacher", "GET", f"{URL}/{book['id']}").json["available_copies"] == 0
    none_left = call("admin", "POST", checkout_url, json={"student": stranger})
    assert none_left.status_code == 409 and none_left.json["code"] == "CONFLICT"

    loans = call("parent", "GET", "/api/v1/resource-checkouts").json
    assert [loan["id"] for loan in loans["results"]] == [lent.json["id"]]
    assert call("parent2", "GET", "/api/v1/resource-checkouts").json["count"] == 0
    assert call("admin", "GET", f"/api/v1/resource-checkouts?student={stranger}").json["count"] == 0
    returned_url = f"/api/v1/resource-checkouts/{lent.json['id']}/return"
    assert call("parent", "POST", returned_url).status_code == 403
    returned = call("teacher", "POST", returned_url)
    assert returned.status_code == 200 and returned.json["status"] == "returned"
    again = call("teacher", "POST", returned_url)
    assert again.status_code == 409
    assert call("teacher", "GET", f"{URL}/{book['id']}").json["available_copies"] == 1
    assert call("admin", "GET", "/api/v1/resource-checkouts?status=returned").json["count"] == 1


def test_only_physical_items_are_lent(call, lib):
    resource = create(call, file=upload(pdf_bytes(), "a.pdf")).json
    response = call("teacher", "POST", f"{URL}/{resource['id']}/checkout",
                    json={"student": str(lib.students["kid"].id)})
    assert response.status_code == 400


def test_copies_never_fall_below_the_loans(call, lib):
    book = create(call, data={"resource_type": "physical", "copies": "2"}).json
    for _ in range(2):
        call("teacher", "POST", f"{URL}/{book['id']}/checkout", json={"student": str(lib.students["kid"].id)})
    assert call("teacher", "PATCH", f"{URL}/{book['id']}", json={"copies": 1}).status_code == 400
    more = call("teacher", "PATCH", f"{URL}/{book['id']}", json={"copies": 5})
    assert (more.json["copies"], more.json["available_copies"]) == (5, 3)
    assert call("teacher", "DELETE", f"{URL}/{book['id']}").status_code == 409


def test_another_studios_ids_are_404(call):
    resource = create(call, file=upload(pdf_bytes(), "a.pdf"), data={"is_public": "true"}).json
    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/download"),
                           ("POST", "/share"), ("POST", "/checkout")):
        kwargs = {"json": {}} if method in ("PATCH", "POST") else {}
        response = call("other", method, f"{URL}/{resource['id']}{suffix}", **kwargs)
        assert response.status_code == 404, (method, suffix)
