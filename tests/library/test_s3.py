"""With S3_* settings, library files go to the S3-compatible store (moto's server here) and
downloads redirect to short-lived signed URLs; the bytes come back unchanged."""
import io

import requests

from app.core.files import StoredFile
from app.core.storage import get_store
from app.extensions import db
from tests.conftest import api_login, bearer, post_form, web_login
from tests.library.conftest import pdf_bytes, wav_bytes


def fetch(url):
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.content, response.headers


def test_api_upload_and_download_round_trip_on_s3(s3_app, lib):
    client = s3_app.test_client()
    headers = bearer(api_login(client, lib.users["teacher"].email))
    data = wav_bytes()
    created = client.post("/api/v1/resources", headers=headers, content_type="multipart/form-data",
                          data={"title": "Take", "file": (io.BytesIO(data), "take.wav")})
    assert created.status_code == 201, created.json
    stored = db.session.scalar(db.select(StoredFile))
    assert stored.storage_key in set(get_store(s3_app).keys())
    download = client.get(created.json["download_url"], headers=headers)
    assert download.status_code == 302
    body, response_headers = fetch(download.headers["Location"])
    assert body == data
    assert response_headers["Content-Disposition"].startswith("attachment")


def test_page_upload_and_inline_download_on_s3(s3_app, lib):
    client = s3_app.test_client()
    web_login(client, lib.users["admin"].email)
    data = pdf_bytes("On S3")
    response = post_form(client, "/resources/new", {
        "title": "Chart", "resource_type": "", "visibility": "studio", "description": "",
        "category": "", "tags": "", "url": "", "copies": "",
        "file": (io.BytesIO(data), "chart.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    rid = response.headers["Location"].rsplit("/", 1)[1]
    inline = client.get(f"/resources/{rid}/download?inline=1")
    assert inline.status_code == 302
    body, headers = fetch(inline.headers["Location"])
    assert body == data and headers["Content-Disposition"].startswith("inline")


def test_deleting_a_resource_removes_its_object(s3_app, lib):
    client = s3_app.test_client()
    headers = bearer(api_login(client, lib.users["teacher"].email))
    created = client.post("/api/v1/resources", headers=headers, content_type="multipart/form-data",
                          data={"title": "Take", "file": (io.BytesIO(wav_bytes()), "take.wav")})
    key = db.session.scalar(db.select(StoredFile.storage_key))
    assert client.delete(f"/api/v1/resources/{created.json['id']}", headers=headers).status_code == 204
    assert key not in set(get_store(s3_app).keys())
