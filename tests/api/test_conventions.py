"""API conventions every endpoint inherits: one error body, limits, request ids, docs."""
import json
import re

import pytest

from app import create_app
from app.core.errors import CODES
from app.extensions import db
from tests.conftest import api_login, bearer

ERROR_KEYS = {"detail", "code", "field_errors", "request_id"}
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/users/me"
STUDIOS = "/api/v1/studios"


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.json
    assert set(body) == ERROR_KEYS
    assert body["code"] == (code or CODES[status])
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["field_errors"], dict)
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


@pytest.fixture()
def admin(studio_setup):
    return studio_setup.users["admin"]


@pytest.fixture()
def headers(client, admin):
    return bearer(api_login(client, admin.email))


# ------------------------------------------------------------------ one error body

@pytest.mark.parametrize("payload", ["{not json", "[1, 2", "", "null", '"a string"', "[]", "42"])
def test_malformed_or_non_object_json_is_a_validation_error(client, payload):
    response = client.post(LOGIN, data=payload, content_type="application/json")

    assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("payload", ["", " ", "\n\t ", "\r\n"])
def test_a_patch_whose_body_is_empty_or_only_whitespace_is_a_validation_error(client, headers, payload):
    """Whitespace is not JSON: it must not pass for "no change" (`{}` is that)."""
    response = client.patch(ME, headers=headers, data=payload, content_type="application/json")

    assert_error(response, 400, "VALIDATION_ERROR")


def test_wrong_types_are_field_errors(client):
    response = client.post(LOGIN, json={"email": 12, "password": ["x"]})

    body = assert_error(response, 400)
    assert set(body["field_errors"]) == {"email", "password"}


def test_unknown_fields_are_rejected(client, headers):
    response = client.patch(ME, headers=headers, json={"first_name": "Ok", "favourite_colour": "blue"})

    body = assert_error(response, 400)
    assert list(body["field_errors"]) == ["favourite_colour"]


def test_nested_unknown_fields_are_rejected_with_a_dotted_name(client, headers):
    response = client.patch("/api/v1/studios/current", headers=headers,
                            json={"settings": {"colour": "red"}})

    body = assert_error(response, 400)
    assert list(body["field_errors"]) == ["settings.colour"]


@pytest.mark.parametrize("body", [
    {"first_name": "Ada\x00"}, {"preferences": {"timezone": "Europe/\x00Paris"}},
    {"preferences": {"notification_channels": ["email\x00"]}},
])
def test_nul_bytes_in_strings_are_rejected(client, headers, admin, body):
    response = client.patch(ME, headers=headers, json=body)

    body = assert_error(response, 400)
    assert body["field_errors"]
    db.session.expire_all()
    assert "\x00" not in admin.first_name


def test_nul_bytes_in_a_query_parameter_are_rejected(client, headers):
    response = client.get(f"{STUDIOS}?search=Harmony%00", headers=headers)

    body = assert_error(response, 400)
    assert list(body["field_errors"]) == ["search"]


def test_nul_bytes_in_login_fields_are_rejected(client):
    assert_error(client.post(LOGIN, json={"email": "a\x00@example.test", "password": "x"}), 400)


@pytest.fixture()
def small_body_app(database_url):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, MAX_CONTENT_LENGTH=1024)


def test_body_over_max_content_length_is_payload_too_large(small_body_app):
    client = small_body_app.test_client()
    payload = json.dumps({"email": "a@example.test", "password": "x" * 2000})

    response = client.post(LOGIN, data=payload, content_type="application/json")

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_unknown_api_url_is_a_json_not_found(client):
    for path in ("/api/v1/nothing-here", "/api/v2/studios", "/api/", "/api"):
        assert_error(client.get(path), 404, "NOT_FOUND")


def test_unknown_html_url_is_an_html_page(client):
    response = client.get("/nothing-here")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete(LOGIN)

    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in response.headers["Allow"]


@pytest.fixture()
def crashing_app(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)

    @app.route("/api/v1/crash")
    def crash():
        raise RuntimeError("boom: a secret detail that must not leak")

    @app.route("/crash")
    def crash_page():
        raise RuntimeError("boom")

    return app


def test_unexpected_exception_is_a_json_internal_error(crashing_app):
    response = crashing_app.test_client().get("/api/v1/crash")

    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "secret" not in response.get_data(as_text=True)
    assert body["request_id"]


def test_unexpected_exception_on_a_page_is_an_html_error_page(crashing_app):
    response = crashing_app.test_client().get("/crash")

    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "boom" not in response.get_data(as_text=True)


# ------------------------------------------------------------------ pagination

@pytest.mark.parametrize("query", [
    "page_size=101", "page_size=0", "page=0", "page=-1", "page=abc", "page_size=2.5",
    "page=99999999999999999999999", "created_after=yesterday",
])
def test_bad_paging_parameters_are_validation_errors(client, headers, query):
    response = client.get(f"{STUDIOS}?{query}", headers=headers)

    body = assert_error(response, 400)
    assert body["field_errors"]


def test_huge_page_within_bounds_is_empty_never_an_error(client, headers):
    response = client.get(f"{STUDIOS}?page=1000000&page_size=100", headers=headers)

    assert response.status_code == 200
    assert response.json["results"] == []
    assert response.json["count"] == 1
    assert response.json["next"] is None
    assert "page=999999&" in response.json["previous"]


def test_page_size_of_100_is_allowed(client, headers):
    assert client.get(f"{STUDIOS}?page_size=100", headers=headers).status_code == 200


# ------------------------------------------------------------------ request ids

def test_every_response_has_a_generated_request_id(client, headers):
    ids = set()
    for response in (client.get(STUDIOS, headers=headers), client.get("/api/v1/nope"),
                     client.get("/login"), client.get("/static/css/app.css"),
                     client.post(LOGIN, json={})):
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
        ids.add(response.headers["X-Request-ID"])
    assert len(ids) == 5


def test_a_sane_client_request_id_is_echoed(client):
    response = client.post(LOGIN, json={}, headers={"X-Request-ID": "client-42:retry.1"})

    assert response.headers["X-Request-ID"] == "client-42:retry.1"
    assert response.json["request_id"] == "client-42:retry.1"


@pytest.mark.parametrize("garbage", ["has spaces", "x" * 129, "<script>", "a\tb", "ünïcode"])
def test_a_garbage_client_request_id_is_replaced(client, garbage):
    response = client.get("/api/v1/health", headers={"X-Request-ID": garbage})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


# ------------------------------------------------------------------ rate limits

def test_api_responses_carry_rate_limit_headers(client, headers):
    authenticated = client.get(STUDIOS, headers=headers)
    anonymous = client.get(STUDIOS)

    assert authenticated.headers["X-RateLimit-Limit"] == "1000"
    assert anonymous.status_code == 401
    assert anonymous.headers["X-RateLimit-Limit"] == "100"
    for response in (authenticated, anonymous):
        assert int(response.headers["X-RateLimit-Remaining"]) < int(response.headers["X-RateLimit-Limit"])
        assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_rate_limit_remaining_goes_down_with_each_request(client, headers):
    first = client.get(STUDIOS, headers=headers)
    second = client.get(ME, headers=headers)

    assert int(second.headers["X-RateLimit-Remaining"]) == int(first.headers["X-RateLimit-Remaining"]) - 1


def test_exhausted_anonymous_budget_is_rate_limited(app, client, headers, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API_ANONYMOUS", "3/hour")
    for _ in range(3):
        assert client.get(STUDIOS).status_code == 401

    response = client.get(STUDIOS)

    assert_error(response, 429, "RATE_LIMITED")
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-RateLimit-Remaining"] == "0"
    # Authenticated callers have a budget of their own.
    assert client.get(STUDIOS, headers=headers).status_code == 200


def test_html_pages_do_not_spend_the_api_budget(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API_ANONYMOUS", "2/hour")
    for _ in range(5):
        assert client.get("/login").status_code == 200

    assert client.get(STUDIOS).status_code == 401


# ------------------------------------------------------------------ URLs, health, docs

@pytest.mark.parametrize("path", [STUDIOS, f"{STUDIOS}/", ME, f"{ME}/", "/api/v1/studios/current/"])
def test_urls_answer_with_and_without_trailing_slash(client, headers, path):
    response = client.get(path, headers=headers)

    assert response.status_code == 200
    assert "Location" not in response.headers


def test_health_answers_without_auth(client):
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def _flask_rule_to_openapi(rule):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_spec_is_openapi_3_and_lists_every_api_route(app, client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert {"bearerAuth", "apiKey"} <= set(spec["components"]["securitySchemes"])
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = _flask_rule_to_openapi(rule.rule)
        assert path in spec["paths"], f"{path} is not documented"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path].get(method.lower())
            assert operation, f"{method} {path} is not documented"
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation["responses"]


def test_openapi_documents_the_error_body(client):
    spec = client.get("/api/openapi.json").json

    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == ERROR_KEYS
    assert error["properties"]["code"]["type"] == "string"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_local_assets_only(client, path):
    response = client.get(path)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert not re.search(r"https?://", html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in html  # no inline script: the strict CSP would block it
    script_src = response.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in script_src
