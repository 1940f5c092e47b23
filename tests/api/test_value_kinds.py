"""Values that were accepted but mean nothing: unknown time zones, script avatars, test
currencies, amounts in exponent form. Each is a 400 on its field."""
import pytest

from tests.conftest import api_login, bearer


@pytest.fixture()
def headers(client, studio_setup):
    return bearer(api_login(client, studio_setup.users["admin"].email))


def field_errors(response):
    assert response.status_code == 400, response.get_data(as_text=True)
    return response.json["field_errors"]


@pytest.mark.parametrize("zone", ["Mars/Phobos", "localtime", "Factory"])
def test_a_users_timezone_must_be_a_real_zone(client, headers, zone):
    response = client.patch("/api/v1/users/me", json={"preferences": {"timezone": zone}}, headers=headers)

    assert "preferences.timezone" in field_errors(response)


def test_a_users_timezone_may_be_a_real_zone_or_cleared(client, headers):
    set_zone = client.patch("/api/v1/users/me", json={"preferences": {"timezone": "Europe/Paris"}},
                            headers=headers)
    cleared = client.patch("/api/v1/users/me", json={"preferences": {"timezone": None}}, headers=headers)

    assert set_zone.json["preferences"]["timezone"] == "Europe/Paris"
    assert cleared.status_code == 200 and cleared.json["preferences"]["timezone"] is None


@pytest.mark.parametrize("avatar", ["javascript:alert(1)", "data:image/svg+xml,<svg onload=x>",
                                    "ftp://example.test/a.png", "//example.test/a.png"])
def test_an_avatar_must_be_a_web_address(client, headers, avatar):
    response = client.patch("/api/v1/users/me", json={"avatar": avatar}, headers=headers)

    assert "avatar" in field_errors(response)


def test_an_avatar_may_be_an_https_address_or_empty(client, headers):
    response = client.patch("/api/v1/users/me", json={"avatar": "https://example.test/me.png"},
                            headers=headers)
    cleared = client.patch("/api/v1/users/me", json={"avatar": ""}, headers=headers)

    assert response.json["avatar"] == "https://example.test/me.png"
    assert cleared.json["avatar"] == ""


@pytest.mark.parametrize("body", [
    {"timezone": "localtime"}, {"timezone": "Factory"}, {"timezone": "posixrules"},
    {"settings": {"timezone": "Factory"}},
])
def test_a_studio_timezone_must_be_a_place(client, headers, body):
    response = client.patch("/api/v1/studios/current", json=body, headers=headers)

    errors = field_errors(response)
    assert "timezone" in errors or "settings.timezone" in errors


@pytest.mark.parametrize("body", [{"currency": "XXX"}, {"currency": "XTS"}, {"currency": "XAU"},
                                  {"settings": {"currency": "XXX"}}])
def test_a_studio_currency_must_be_one_in_use(client, headers, body):
    response = client.patch("/api/v1/studios/current", json=body, headers=headers)

    errors = field_errors(response)
    assert "currency" in errors or "settings.currency" in errors


def test_a_studio_currency_in_use_is_kept_upper_case(client, headers):
    response = client.patch("/api/v1/studios/current", json={"currency": "eur"}, headers=headers)

    assert response.status_code == 200 and response.json["currency"] == "EUR"


def test_an_amount_in_exponent_form_is_refused(client, headers):
    response = client.patch("/api/v1/studios/current", json={"settings": {"late_fee": "1e2"}},
                            headers=headers)

    assert "settings.late_fee" in field_errors(response)


def test_the_kinds_are_documented(client):
    spec = client.get("/api/openapi.json").get_json()["components"]["schemas"]

    assert "IANA" in spec["StudioUpdate"]["properties"]["timezone"]["description"]
    assert "ISO 4217" in spec["StudioUpdate"]["properties"]["currency"]["description"]
    assert "https://" in spec["UserUpdate"]["properties"]["avatar"]["description"]
