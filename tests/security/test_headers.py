"""Security headers, password hashing and production configuration."""
import pytest

import config
from app import create_app
from app.accounts.models import User
from app.accounts.passwords import hash_password, verify_password
from app.extensions import db
from tests.conftest import post_form, web_login

HTML_PAGES = ["/login", "/signup", "/", "/account/", "/settings/members", "/settings/studio"]


def csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.fixture()
def owner_client(client, studio_setup):
    web_login(client, studio_setup.users["owner"].email)
    return client


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_have_a_strict_csp_and_frame_protection(owner_client, path):
    response = owner_client.get(path, follow_redirects=True)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_have_no_inline_scripts_or_handlers(owner_client, path):
    html = owner_client.get(path, follow_redirects=True).get_data(as_text=True)

    assert "<script>" not in html
    for handler in ("onclick=", "onload=", "onsubmit=", "onchange=", "javascript:"):
        assert handler not in html.lower()


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_keep_scripts_self_only(client, path):
    csp = csp_directives(client.get(path))

    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_api_responses_have_security_headers(client):
    response = client.get("/api/v1/health")

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_error_pages_have_security_headers(client):
    response = client.get("/does-not-exist")

    assert response.status_code == 404
    assert csp_directives(response)["script-src"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_passwords_are_stored_as_argon2id(client, ctx):
    response = post_form(client, "/signup", {
        "studio_name": "Hash Check", "first_name": "Ada", "email": "ada@hash.test",
        "password": "a-long-enough-password", "timezone": "Europe/London"})
    assert response.status_code == 302

    user = db.session.scalar(db.select(User).where(User.email == "ada@hash.test"))
    assert user.password_hash.startswith("$argon2id$")
    assert "a-long-enough-password" not in user.password_hash


def test_production_hashes_use_full_strength_argon2id(app, monkeypatch):
    monkeypatch.setitem(app.config, "TESTING", False)
    with app.app_context():
        hashed = hash_password("a-long-enough-password")

        assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert verify_password(hashed, "a-long-enough-password")
        assert not verify_password(hashed, "a-long-enough-passwore")


def test_verify_password_tolerates_missing_or_broken_hashes(app):
    with app.app_context():
        assert verify_password(None, "anything") is False
        assert verify_password("not-a-hash", "anything") is False


@pytest.mark.parametrize("secret", [config.DEV_SECRET_KEY, "", "short-key"])
def test_production_refuses_a_default_or_weak_secret_key(monkeypatch, secret):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", secret)

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.ProductionConfig.validate()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_accepts_a_long_random_secret_key(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "9f8e7d6c5b4a39281706f5e4d3c2b1a0")

    config.ProductionConfig.validate()


def test_production_cookies_are_secure():
    production = config.ProductionConfig
    assert production.SESSION_COOKIE_SECURE is True
    assert production.REMEMBER_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.SESSION_COOKIE_SAMESITE == "Lax"


def test_production_checks_the_secret_key_actually_passed_to_the_app(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "9f8e7d6c5b4a39281706f5e4d3c2b1a0")

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY="short-key")
