"""Configuration, read from the environment.

Development is the default; `FLASK_ENV=production` (or `CADENZA_ENV=production`) selects
ProductionConfig, which refuses to start without a real SECRET_KEY.
"""
import os
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production-use"  # noqa: S105 - refused in production


def _domain_of(address):
    return parseaddr(address)[1].rpartition("@")[2] or "cadenza.local"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'cadenza.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Live updates (app/core/events.py): with REDIS_URL, events travel between processes on
    # this pub/sub channel. A stream sends a heartbeat after this many quiet seconds and ends
    # after STREAM_MAX_SECONDS (the client reconnects, its sign-in checked again).
    EVENTS_CHANNEL = os.environ.get("EVENTS_CHANNEL", "cadenza:events")
    STREAM_HEARTBEAT_SECONDS = float(os.environ.get("STREAM_HEARTBEAT_SECONDS", 15))
    STREAM_MAX_SECONDS = float(os.environ.get("STREAM_MAX_SECONDS", 300))

    # Uploads (app/core/files.py). One file at most MAX_UPLOAD_BYTES (video lessons), a photo
    # at most MAX_PHOTO_BYTES; a request body at most MAX_CONTENT_LENGTH (one file plus the
    # form around it), refused with 413 before it is read.
    MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", 100 * 1024 * 1024))
    MAX_PHOTO_BYTES = int(os.environ.get("MAX_PHOTO_BYTES", 15 * 1024 * 1024))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", MAX_UPLOAD_BYTES + 1024 * 1024))
    # Images with more pixels are refused before they are decoded (decompression bombs).
    MAX_IMAGE_PIXELS = int(os.environ.get("MAX_IMAGE_PIXELS", 50_000_000))
    # Where uploaded bytes live: this folder (outside static/) unless S3_BUCKET is set.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # S3-compatible object storage, shared by every web machine. S3_ENDPOINT_URL for services
    # other than AWS (MinIO, R2...); credentials fall back to boto3's usual chain (env, role).
    # Downloads are redirects to presigned URLs valid for S3_URL_SECONDS.
    S3_BUCKET = os.environ.get("S3_BUCKET") or None
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    S3_REGION = os.environ.get("S3_REGION") or None
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
    S3_URL_SECONDS = int(os.environ.get("S3_URL_SECONDS", 300))
    # Rendered invoice PDFs, kept by the digest of their content; empty value = no cache.
    PDF_CACHE_DIR = os.environ.get("PDF_CACHE_DIR", str(INSTANCE_DIR / "cache" / "pdf"))
    # Counts and lists kept in memory (app/core/versions.py) are used for at most this long.
    KEPT_SECONDS = float(os.environ.get("KEPT_SECONDS", 300))

    # Sessions: HttpOnly + SameSite=Lax everywhere, Secure in production.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    # A browser session or API sign-in unused this long ends (remember-me included).
    SESSION_IDLE_TIMEOUT = timedelta(days=int(os.environ.get("SESSION_IDLE_DAYS", 30)))
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    FORCE_HTTPS = False

    # API tokens
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", 15)))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", 14)))

    # Rate limits (SPEC §5); counters shared by every process: in Redis when REDIS_URL is
    # set, else in the database's store (app/core/ratelimit_storage.py).
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_API_AUTHENTICATED = "1000/hour"
    RATELIMIT_API_ANONYMOUS = "100/hour"
    RATELIMIT_LOGIN = "10/minute"  # failed sign-ins per email and client address
    RATELIMIT_LOGIN_ADDRESS = "50/10 minutes"  # failed sign-ins per client address, any email
    SIGN_IN_ALERT_AFTER = "10/hour"  # failed sign-ins on one account that email its owner
    # Password-reset emails asked for: per email and client address, and per address.
    RATELIMIT_PASSWORD_RESET = "5/hour"  # noqa: S105 - a rate, not a password
    RATELIMIT_PASSWORD_RESET_ADDRESS = "20/hour"  # noqa: S105 - a rate, not a password
    RATELIMIT_OAUTH = "300/minute"  # /oauth/token and /oauth/revoke per client address

    # OpenAPI (flask-smorest); the UIs are our own pages with local assets.
    API_TITLE = "Cadenza API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"

    # Mail: the outbox worker sends through SMTP when MAIL_SERVER is set, else prints.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Cadenza <no-reply@cadenza.local>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 20))  # seconds, per SMTP operation
    # Message-IDs are <outbox row id@this domain>: a resend after a crash keeps its id.
    MAIL_MESSAGE_ID_DOMAIN = os.environ.get("MAIL_MESSAGE_ID_DOMAIN") or _domain_of(MAIL_DEFAULT_SENDER)
    # How long a worker's claim on an email lasts; a dead worker's claim is taken over after
    # it. Keep it well above the time one SMTP conversation can take (several MAIL_TIMEOUTs).
    OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", 300))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    WEBHOOK_ALLOW_PRIVATE = _bool("WEBHOOK_ALLOW_PRIVATE", False)
    INVITATION_TTL = timedelta(days=7)
    PASSWORD_RESET_TTL = timedelta(hours=1)
    HUEY_IMMEDIATE = False


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key-0123456789abcdef"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SERVER_NAME = None
    HUEY_IMMEDIATE = True
    PUBLIC_BASE_URL = "http://localhost"
    # A stream read in-process (the test client, schemathesis) ends at once; the live tests
    # serve the app over HTTP with longer streams.
    STREAM_MAX_SECONDS = 0.2


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = _bool("FORCE_HTTPS", True)

    @classmethod
    def validate(cls, secret_key=None):
        """Refuse to run with no SECRET_KEY, the development one, or a short one."""
        secret_key = cls.SECRET_KEY if secret_key is None else secret_key
        if not secret_key or secret_key == DEV_SECRET_KEY or len(secret_key) < 16:
            raise RuntimeError("SECRET_KEY must be set to a long random value in production")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name=None):
    name = name or os.environ.get("CADENZA_ENV") or os.environ.get("FLASK_ENV") or "development"
    return CONFIGS[name]
