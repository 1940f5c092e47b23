"""Where uploaded bytes live: a local folder, or an S3-compatible bucket shared by every web
machine (chosen per app: S3 when S3_BUCKET is set).

Keys are '<studio id>/<file id>', made by the files service from two UUIDs; a key of any other
shape is refused here, so no client-supplied text can reach a path or an object name.
"""
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from flask import current_app

KEY_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                    r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
COPY_CHUNK = 1024 * 1024


def check_key(key):
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def content_disposition(filename, *, inline=False):
    """`attachment; filename="..."; filename*=UTF-8''...` (RFC 6266): an ASCII fallback for old
    clients and the exact name for the rest."""
    kind = "inline" if inline else "attachment"
    fallback = filename.encode("ascii", "ignore").decode() or "download"
    fallback = re.sub(r'[\\"\x00-\x1f\x7f;]', "_", fallback)
    header = f'{kind}; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


class LocalStore:
    """Files under one folder, one sub-folder per studio."""

    kind = "local"

    def __init__(self, root):
        self.root = Path(root).resolve()

    def path(self, key):
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:  # belt and braces: KEY_RE already forbids it
            raise ValueError(f"key outside the store: {key!r}")
        return path

    def put(self, key, fileobj, content_type):
        """Write to a temporary file beside the target, then rename: a reader never sees half
        a file, and a crash leaves no file under the key."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                fileobj.seek(0)
                shutil.copyfileobj(fileobj, out, COPY_CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def delete(self, key):
        self.path(key).unlink(missing_ok=True)

    def exists(self, key):
        return self.path(key).is_file()

    def read(self, key):
        return self.path(key).read_bytes()

    def keys(self):
        """Every stored key (for checks and clean-up jobs)."""
        if not self.root.is_dir():
            return []
        return sorted(f"{path.parent.name}/{path.name}" for path in self.root.glob("*/*")
                      if path.is_file() and KEY_RE.fullmatch(f"{path.parent.name}/{path.name}"))


class S3Store:
    """Objects in an S3-compatible bucket; downloads go straight to it by presigned URL."""

    kind = "s3"

    def __init__(self, client, bucket, url_seconds):
        self.client = client
        self.bucket = bucket
        self.url_seconds = url_seconds

    def put(self, key, fileobj, content_type):
        fileobj.seek(0)
        self.client.upload_fileobj(fileobj, self.bucket, check_key(key),
                                   ExtraArgs={"ContentType": content_type})

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def exists(self, key):
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def read(self, key):
        return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()

    def keys(self):
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(found)

    def download_url(self, key, *, content_type, disposition):
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": check_key(key),
                    "ResponseContentType": content_type,
                    "ResponseContentDisposition": disposition},
            ExpiresIn=self.url_seconds,
        )


def _s3_client(config):
    import boto3
    from botocore.config import Config as BotoConfig

    options = {"signature_version": "s3v4", "retries": {"max_attempts": 3, "mode": "standard"}}
    if config.get("S3_ENDPOINT_URL"):
        # S3-compatible services (MinIO, Ceph, R2...) mostly want bucket-in-path URLs.
        options["s3"] = {"addressing_style": "path"}
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region_name=config.get("S3_REGION") or None,
        aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
        config=BotoConfig(**options),
    )


def get_store(app=None):
    """The store the app is configured for, built once per app and settings."""
    app = app or current_app._get_current_object()
    config = app.config
    if config.get("S3_BUCKET"):
        settings = ("s3", config["S3_BUCKET"], config.get("S3_ENDPOINT_URL"),
                    config.get("S3_REGION"), config.get("S3_ACCESS_KEY_ID"),
                    config.get("S3_SECRET_ACCESS_KEY"), int(config.get("S3_URL_SECONDS") or 300))
    else:
        settings = ("local", str(config.get("UPLOAD_DIR")))
    cached = app.extensions.get("cadenza_file_store")
    if cached and cached[0] == settings:
        return cached[1]
    if settings[0] == "s3":
        store = S3Store(_s3_client(config), settings[1], settings[6])
    else:
        store = LocalStore(settings[1])
    app.extensions["cadenza_file_store"] = (settings, store)
    return store
