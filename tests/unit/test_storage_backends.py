"""The two stores behind app/core/files.py: keys, atomic local writes, the S3 store against a
real S3 server (moto in server mode), and the choice of store per app."""
import io
import uuid

import pytest
import requests

from app.core import storage
from app.core.storage import LocalStore, S3Store, content_disposition, get_store


def new_key():
    return f"{uuid.uuid4()}/{uuid.uuid4()}"


A = "0f0e1d2c-3b4a-4596-8877-665544332211"
B = "a1b2c3d4-e5f6-4789-8abc-def012345678"


@pytest.mark.parametrize("key", [
    "../etc/passwd", "a/b", "/abs", f"{A}/../../x", A, f"{A}/{B}/extra", f"{A.upper()}/{B}",
    f"{A}/{B}\n", f"{A}\\{B}", "", None,
])
def test_only_keys_made_of_two_ids_are_accepted(tmp_path, key):
    with pytest.raises(ValueError):
        LocalStore(tmp_path).path(key)


def test_local_put_is_atomic_and_round_trips(tmp_path):
    store = LocalStore(tmp_path)
    key = new_key()
    store.put(key, io.BytesIO(b"hello"), "text/plain")
    assert store.read(key) == b"hello"
    assert store.exists(key) and store.keys() == [key]
    assert not list(tmp_path.rglob(".upload-*"))
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting twice is fine


class Exploding(io.BytesIO):
    def read(self, *args):
        raise OSError("client went away")


def test_local_put_that_fails_leaves_nothing(tmp_path):
    store = LocalStore(tmp_path)
    key = new_key()
    with pytest.raises(OSError):
        store.put(key, Exploding(b"x"), "text/plain")
    assert not store.exists(key)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(("name", "inline", "header"), [
    ("score.pdf", False, 'attachment; filename="score.pdf"'),
    ("score.pdf", True, 'inline; filename="score.pdf"'),
    ("Étude.pdf", False,
     "attachment; filename=\"tude.pdf\"; filename*=UTF-8''%C3%89tude.pdf"),
    ('a"b;c.pdf', False,
     "attachment; filename=\"a_b_c.pdf\"; filename*=UTF-8''a%22b%3Bc.pdf"),
])
def test_content_disposition(name, inline, header):
    assert content_disposition(name, inline=inline) == header


def test_the_store_is_chosen_per_app(app, s3_app):
    assert isinstance(get_store(app), LocalStore)
    assert isinstance(get_store(s3_app), S3Store)
    assert get_store(app) is get_store(app)  # built once
    assert get_store(s3_app).bucket == s3_app.config["S3_BUCKET"]


def test_s3_round_trip_and_presigned_download(s3_app):
    store = get_store(s3_app)
    key = new_key()
    data = bytes(range(256)) * 100
    store.put(key, io.BytesIO(data), "audio/mpeg")
    assert store.exists(key) and store.read(key) == data
    head = store.client.head_object(Bucket=store.bucket, Key=key)
    assert head["ContentType"] == "audio/mpeg"
    url = store.download_url(key, content_type="audio/mpeg",
                             disposition=content_disposition("take.mp3"))
    response = requests.get(url, timeout=10)
    assert response.status_code == 200 and response.content == data
    assert response.headers["Content-Disposition"] == 'attachment; filename="take.mp3"'
    assert response.headers["Content-Type"] == "audio/mpeg"
    store.delete(key)
    assert not store.exists(key)
    assert requests.get(url, timeout=10).status_code in (403, 404)  # gone


def test_s3_presigned_url_lifetime_follows_the_setting(s3_app):
    store = get_store(s3_app)
    key = new_key()
    store.put(key, io.BytesIO(b"x"), "text/plain")
    assert f"X-Amz-Expires={s3_app.config['S3_URL_SECONDS']}&" in store.download_url(
        key, content_type="text/plain", disposition="attachment")
    short = S3Store(store.client, store.bucket, url_seconds=7)
    url = short.download_url(key, content_type="text/plain", disposition="attachment")
    assert "X-Amz-Expires=7&" in url
    assert requests.get(url, timeout=10).content == b"x"


def test_s3_keys_are_checked_too(s3_app):
    with pytest.raises(ValueError):
        get_store(s3_app).put("../x", io.BytesIO(b"x"), "text/plain")


def test_key_pattern_matches_what_files_make():
    assert storage.KEY_RE.fullmatch(new_key())
    assert storage.KEY_RE.fullmatch(f"{A}/{B}")
