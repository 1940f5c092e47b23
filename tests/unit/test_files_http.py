"""Uploads and downloads over HTTP, through a small test-only blueprint on apps of their own
(the local folder and the S3 server): byte-for-byte round trips, Range requests, headers,
presigned URLs fetched with a real HTTP client, refusals and the request-size limit."""
import io
import uuid

import pytest
import requests
from flask import Blueprint, g, jsonify, request

from app import create_app
from app.accounts.models import Studio, User
from app.core import files
from app.core.errors import ValidationFailed
from app.core.storage import get_store
from app.core.tenancy import Principal
from app.extensions import db
from tests.conftest import IsolatedClient, make_s3_app
from tests.unit.test_files_services import EXE, MP3, PDF, SVG, bomb_png, jpeg_bytes, png_bytes

probe = Blueprint("files_probe", __name__, url_prefix="/_files")


@probe.before_request
def act_as_the_caller():
    user = db.session.get(User, uuid.UUID(request.headers["X-Test-User"]))
    studio = db.session.get(Studio, uuid.UUID(request.headers["X-Test-Studio"]))
    g.web_principal = Principal(user=user, studio=studio, role="admin")


@probe.post("/upload")
def upload_file():
    row, kind = files.store_upload(request.files.get("file"))
    return jsonify(id=str(row.id), kind=kind, key=row.storage_key)


@probe.post("/photo")
def upload_photo():
    original, thumb, width, height = files.store_image(request.files.get("photo"))
    return jsonify(id=str(original.id), thumb=str(thumb.id), width=width, height=height)


@probe.get("/<uuid:file_id>")
def download(file_id):
    row = db.get_or_404(files.StoredFile, file_id)
    return files.file_response(row, inline=request.args.get("inline") == "1",
                               download_name=request.args.get("name"))


@probe.post("/<uuid:file_id>/delete")
def delete(file_id):
    files.delete_file(db.get_or_404(files.StoredFile, file_id))
    if request.args.get("fail"):
        raise ValidationFailed("Changed my mind.")
    return jsonify(deleted=True)


def _with_probe(test_app):
    test_app.register_blueprint(probe)
    test_app.test_client_class = IsolatedClient
    return test_app


@pytest.fixture(scope="module")
def local_app(database_url, tmp_path_factory):
    return _with_probe(create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=False,
        UPLOAD_DIR=str(tmp_path_factory.mktemp("http-uploads"))))


@pytest.fixture(scope="module")
def remote_app(database_url, s3_server):
    return _with_probe(make_s3_app(database_url, s3_server, WTF_CSRF_ENABLED=False))


@pytest.fixture(params=["local", "s3"])
def any_app(request):
    return request.getfixturevalue("local_app" if request.param == "local" else "remote_app")


@pytest.fixture()
def caller(app, make):
    studio = make.studio()
    user = make.member(studio, "admin")
    db.session.commit()
    return {"X-Test-User": str(user.id), "X-Test-Studio": str(studio.id)}


@pytest.fixture(autouse=True)
def _empty_stores(request):
    yield
    for name in ("local_app", "remote_app"):
        if name in request.fixturenames:
            store_app = request.getfixturevalue(name)
            store = get_store(store_app)
            for key in store.keys():
                store.delete(key)


def send(client, headers, data, name, path="/_files/upload", field="file"):
    return client.post(path, headers=headers, content_type="multipart/form-data",
                       data={field: (io.BytesIO(data), name)})


def fetch(test_app, client, headers, file_id, **params):
    """GET the file: from the app itself (local) or, for S3, follow the 302 to the
    presigned URL with a real HTTP client."""
    response = client.get(f"/_files/{file_id}", headers=headers, query_string=params)
    if get_store(test_app).kind == "local":
        return response.status_code, response.headers, response.data
    assert response.status_code == 302, response.data
    assert "private" in response.headers["Cache-Control"]
    remote = requests.get(response.headers["Location"], timeout=10)
    return remote.status_code, remote.headers, remote.content


def test_round_trip_is_byte_for_byte(any_app, caller):
    data = MP3 + bytes(range(256)) * 40
    client = any_app.test_client()
    response = send(client, caller, data, "Étude in C.mp3")
    assert response.status_code == 200, response.json
    assert response.json["kind"] == "audio"
    assert get_store(any_app).read(response.json["key"]) == data
    status, headers, body = fetch(any_app, client, caller, response.json["id"])
    assert status == 200
    assert body == data
    assert headers["Content-Type"].startswith("audio/mpeg")
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%C3%89tude%20in%20C.mp3" in disposition


def test_inline_and_download_name(any_app, caller):
    client = any_app.test_client()
    file_id = send(client, caller, PDF, "score.pdf").json["id"]
    status, headers, body = fetch(any_app, client, caller, file_id, inline="1",
                                  name="../Bach Minuet.pdf")
    assert status == 200 and body == PDF
    assert headers["Content-Disposition"] == 'inline; filename="Bach Minuet.pdf"'
    assert headers["Content-Type"] == "application/pdf"


def test_local_download_headers_and_conditional_get(local_app, caller):
    client = local_app.test_client()
    file_id = send(client, caller, PDF, "score.pdf").json["id"]
    response = client.get(f"/_files/{file_id}", headers=caller)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"].startswith("private")
    assert response.headers["Accept-Ranges"] == "bytes"
    etag = response.headers["ETag"]
    again = client.get(f"/_files/{file_id}", headers={**caller, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_range_requests_give_206(local_app, caller):
    data = MP3 + bytes(i % 251 for i in range(10_000))
    client = local_app.test_client()
    file_id = send(client, caller, data, "take.mp3").json["id"]
    response = client.get(f"/_files/{file_id}", headers={**caller, "Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.data == data[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = client.get(f"/_files/{file_id}", headers={**caller, "Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.data == data[-50:]
    beyond = client.get(f"/_files/{file_id}",
                        headers={**caller, "Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416


def test_s3_presigned_url_honours_range(remote_app, caller):
    data = MP3 + bytes(i % 251 for i in range(5000))
    client = remote_app.test_client()
    file_id = send(client, caller, data, "take.mp3").json["id"]
    location = client.get(f"/_files/{file_id}", headers=caller).headers["Location"]
    assert "X-Amz-Expires=300" in location
    assert "response-content-disposition=attachment" in location
    part = requests.get(location, headers={"Range": "bytes=10-19"}, timeout=10)
    assert part.status_code == 206 and part.content == data[10:20]


@pytest.mark.parametrize(("data", "name"), [
    (b"", "empty.pdf"), (PDF, "song.mp3"), (EXE, "score.pdf"), (SVG, "logo.svg"),
    (None, "bomb.png"), (None, "cut.png"),
])
def test_refusals_over_http_store_nothing(any_app, caller, data, name):
    if data is None:
        data = bomb_png() if name == "bomb.png" else png_bytes((300, 300), color=None)[:300]
    client = any_app.test_client()
    before = get_store(any_app).keys()
    response = send(client, caller, data, name)
    assert response.status_code == 400
    assert "text/html" in response.content_type  # a page: the message is shown on it
    assert get_store(any_app).keys() == before
    with any_app.app_context():
        assert db.session.query(files.StoredFile).count() == 0


def test_delete_after_commit_and_after_rollback(any_app, caller):
    client = any_app.test_client()
    uploaded = send(client, caller, PDF, "score.pdf").json
    store = get_store(any_app)
    refused = client.post(f"/_files/{uploaded['id']}/delete?fail=1", headers=caller)
    assert refused.status_code == 400
    assert store.exists(uploaded["key"])  # rolled back: row and bytes kept
    assert fetch(any_app, client, caller, uploaded["id"])[2] == PDF
    done = client.post(f"/_files/{uploaded['id']}/delete", headers=caller)
    assert done.status_code == 200
    assert not store.exists(uploaded["key"])
    assert client.get(f"/_files/{uploaded['id']}", headers=caller).status_code == 404


def test_photo_upload_over_http(any_app, caller):
    client = any_app.test_client()
    response = send(client, caller, jpeg_bytes((80, 50)), "p.jpg", "/_files/photo", "photo")
    assert response.status_code == 200, response.data
    assert (response.json["width"], response.json["height"]) == (80, 50)
    status, headers, body = fetch(any_app, client, caller, response.json["thumb"])
    assert status == 200 and body[:3] == b"\xff\xd8\xff"


def test_quota_over_http_is_413(any_app, caller):
    with any_app.app_context():
        studio = db.session.get(Studio, uuid.UUID(caller["X-Test-Studio"]))
        studio.storage_quota_mb = 0
        db.session.commit()
    before = get_store(any_app).keys()
    response = send(any_app.test_client(), caller, PDF, "score.pdf")
    assert response.status_code == 413
    assert "storage is full" in response.get_data(as_text=True)
    assert get_store(any_app).keys() == before


# ------------------------------------------------------------------ request body limit


@pytest.fixture(scope="module")
def small_app(database_url, tmp_path_factory):
    return _with_probe(create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, MAX_CONTENT_LENGTH=4096,
        UPLOAD_DIR=str(tmp_path_factory.mktemp("small-uploads"))))


def test_oversized_api_request_is_413_json(small_app):
    response = small_app.test_client().post(
        "/api/v1/auth/login", data=b"x" * 10_000, content_type="application/json")
    assert response.status_code == 413
    assert response.json["code"] == "PAYLOAD_TOO_LARGE"
    assert set(response.json) >= {"detail", "code", "field_errors", "request_id"}


def test_oversized_page_request_is_413_page(small_app):
    response = small_app.test_client().post(
        "/login", data={"email": "a@b.test", "password": "x" * 10_000})
    assert response.status_code == 413
    assert "text/html" in response.content_type
    assert "too large" in response.get_data(as_text=True)


def test_default_request_limit_covers_the_largest_upload(app):
    assert app.config["MAX_UPLOAD_BYTES"] == 100 * 1024 * 1024
    assert app.config["MAX_PHOTO_BYTES"] == 15 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] > app.config["MAX_UPLOAD_BYTES"]
