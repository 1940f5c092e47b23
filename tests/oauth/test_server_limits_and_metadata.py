"""What an app learns without asking anyone: the server's metadata (RFC 8414), and the budget
of /oauth/token and /oauth/revoke per client address."""
import pytest

from app.core.permissions import SCOPES
from tests.oauth.conftest import basic_auth

APP_SERVER, NEIGHBOUR = "203.0.113.50", "198.51.100.9"


def test_the_metadata_names_the_endpoints_and_what_they_support(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://studio.example.test")
    answer = client.get("/.well-known/oauth-authorization-server")
    assert answer.status_code == 200
    meta = answer.get_json()
    assert meta["issuer"] == "https://studio.example.test"
    assert meta["authorization_endpoint"] == "https://studio.example.test/oauth/authorize"
    assert meta["token_endpoint"] == "https://studio.example.test/oauth/token"
    assert meta["revocation_endpoint"] == "https://studio.example.test/oauth/revoke"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["response_types_supported"] == ["code"]
    assert set(meta["grant_types_supported"]) == {"authorization_code", "refresh_token"}
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post", "none"}
    assert meta["scopes_supported"] == list(SCOPES)
    assert "billing:read" in meta["scopes_supported"]


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke"])
def test_an_address_over_its_budget_gets_oauths_429_and_others_do_not(app, client, studio_app,
                                                                      path, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_OAUTH", "3/minute")
    data = {"grant_type": "refresh_token", "refresh_token": "not-a-token", "token": "not-a-token"}
    for _ in range(3):
        answer = client.post(path, data=data, headers=basic_auth(studio_app),
                             environ_base={"REMOTE_ADDR": APP_SERVER})
        assert answer.status_code in (200, 400)
    refused = client.post(path, data=data, headers=basic_auth(studio_app),
                          environ_base={"REMOTE_ADDR": APP_SERVER})
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "temporarily_unavailable"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Cache-Control"] == "no-store"
    other = client.post(path, data=data, headers=basic_auth(studio_app),
                        environ_base={"REMOTE_ADDR": NEIGHBOUR})
    assert other.status_code in (200, 400)
