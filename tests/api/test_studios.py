"""Studios over the API: listing, the current studio, X-Studio-ID, settings and their rules."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Membership, Studio
from app.core.audit import AuditLog
from app.extensions import db
from tests.conftest import api_login, bearer

STUDIOS = "/api/v1/studios"
CURRENT = "/api/v1/studios/current"
UNKNOWN_ID = "3f0c9a52-6a59-4bd6-9d5e-0a4a8c1e2b7d"


@pytest.fixture()
def setup(studio_setup, make):
    """studio_setup, plus a third studio where the admin is a teacher."""
    third = make.studio(name="Allegro Annex")
    db.session.add(Membership(studio_id=third.id, user_id=studio_setup.users["admin"].id, role="teacher"))
    db.session.commit()
    studio_setup.third = third
    return studio_setup


def token(client, setup, role):
    return api_login(client, setup.users[role].email)


def reload(studio):
    db.session.expire_all()
    return db.session.get(Studio, studio.id)


def test_list_studios_shows_only_the_callers_studios(client, setup):
    response = client.get(STUDIOS, headers=bearer(token(client, setup, "admin")))

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert body["next"] is None and body["previous"] is None
    assert [s["name"] for s in body["results"]] == ["Allegro Annex", "Harmony Test Studio"]
    assert [s["role"] for s in body["results"]] == ["teacher", "admin"]


def test_list_studios_paginates_and_links_pages(client, setup):
    headers = bearer(token(client, setup, "admin"))

    first = client.get(f"{STUDIOS}?page_size=1", headers=headers).json
    second = client.get(first["next"], headers=headers).json

    assert first["count"] == 2 and len(first["results"]) == 1
    assert first["next"].endswith("page_size=1&page=2")
    assert second["next"] is None and second["previous"].endswith("page=1")
    assert second["results"][0]["id"] != first["results"][0]["id"]


def test_list_studios_hides_deactivated_memberships(client, setup):
    membership = db.session.scalar(select(Membership).where(Membership.studio_id == setup.third.id))
    membership.is_active = False
    db.session.commit()

    response = client.get(STUDIOS, headers=bearer(token(client, setup, "admin")))

    assert [s["name"] for s in response.json["results"]] == ["Harmony Test Studio"]


def test_list_studios_searches_and_orders(client, setup):
    headers = bearer(token(client, setup, "admin"))

    searched = client.get(f"{STUDIOS}?search=annex", headers=headers).json
    descending = client.get(f"{STUDIOS}?ordering=-name", headers=headers).json
    bad = client.get(f"{STUDIOS}?ordering=password", headers=headers)

    assert [s["name"] for s in searched["results"]] == ["Allegro Annex"]
    assert [s["name"] for s in descending["results"]] == ["Harmony Test Studio", "Allegro Annex"]
    assert bad.status_code == 400 and "ordering" in bad.json["field_errors"]


def test_current_studio_is_the_first_membership(client, setup):
    response = client.get(CURRENT, headers=bearer(token(client, setup, "admin")))

    assert response.status_code == 200
    body = response.json
    assert body["id"] == str(setup.studio.id)
    assert body["role"] == "admin"
    assert {"name", "timezone", "currency", "locale", "tax_rate", "settings"} <= set(body)
    assert body["tax_rate"] == "0.00"
    assert body["settings"]["late_fee"] == "0.00"


def test_studio_header_selects_another_studio_of_the_user(client, setup):
    headers = bearer(token(client, setup, "admin"), studio=setup.third)

    response = client.get(CURRENT, headers=headers)

    assert response.status_code == 200
    assert response.json["id"] == str(setup.third.id)
    assert response.json["role"] == "teacher"
    assert client.get("/api/v1/users/me", headers=headers).json["role"] == "teacher"
    # As a teacher there, the admin may not change that studio's settings.
    assert client.patch(CURRENT, headers=headers, json={"name": "Mine"}).status_code == 403


@pytest.mark.parametrize("studio_id", ["other", UNKNOWN_ID, "not-a-uuid", "1 OR 1=1", "", " "])
def test_studio_header_of_a_foreign_or_malformed_studio_is_not_found(client, setup, studio_id):
    studio_id = str(setup.other.id) if studio_id == "other" else studio_id
    headers = bearer(token(client, setup, "admin"), studio=studio_id)

    response = client.get(CURRENT, headers=headers)

    assert response.status_code == 404
    assert response.json["code"] == "NOT_FOUND"
    assert client.get("/api/v1/users/me", headers=headers).status_code == 404


def test_studio_header_of_a_deactivated_membership_is_not_found(client, setup):
    membership = db.session.scalar(select(Membership).where(Membership.studio_id == setup.third.id))
    membership.is_active = False
    db.session.commit()

    headers = bearer(token(client, setup, "admin"), studio=setup.third)

    assert client.get(CURRENT, headers=headers).status_code == 404


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_manager_patches_top_level_keys(client, setup, role):
    response = client.patch(CURRENT, headers=bearer(token(client, setup, role)), json={
        "name": "Harmony Strings", "timezone": "Europe/Paris", "currency": "eur",
        "locale": "fr-FR", "tax_rate": "8.25",
    })

    assert response.status_code == 200, response.json
    body = response.json
    assert (body["name"], body["timezone"], body["currency"], body["locale"], body["tax_rate"]) == (
        "Harmony Strings", "Europe/Paris", "EUR", "fr_FR", "8.25")
    studio = reload(setup.studio)
    assert studio.tax_rate == Decimal("8.25")
    assert studio.currency == "EUR"


def test_patch_accepts_the_references_nested_settings(client, setup):
    response = client.patch(CURRENT, headers=bearer(token(client, setup, "admin")), json={
        "name": "Updated Studio Name",
        "settings": {"timezone": "America/Chicago", "currency": "CAD", "invoice_due_days": 30,
                     "late_fee": "15", "billing_mode": "in_advance", "makeup_credits_enabled": False},
    })

    assert response.status_code == 200, response.json
    body = response.json
    assert (body["name"], body["timezone"], body["currency"]) == (
        "Updated Studio Name", "America/Chicago", "CAD")
    assert body["settings"]["invoice_due_days"] == 30
    assert body["settings"]["late_fee"] == "15.00"
    assert body["settings"]["billing_mode"] == "in_advance"
    assert body["settings"]["makeup_credits_enabled"] is False


def test_patch_writes_an_audit_log_row(client, setup):
    admin = setup.users["admin"]

    client.patch(CURRENT, headers=bearer(token(client, setup, "admin")),
                 json={"tax_rate": "8.25", "name": "Harmony Test Studio"})

    rows = db.session.scalars(select(AuditLog).where(AuditLog.studio_id == setup.studio.id)).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.action, row.actor_id, row.target_id) == ("studio.updated", admin.id, setup.studio.id)
    assert row.details == {"tax_rate": "8.25"}  # unchanged fields are not logged


@pytest.mark.parametrize("role", ["teacher", "parent", "student"])
@pytest.mark.parametrize("body", [{"name": "Taken over"}, {"tax_rate": "not money", "bogus": 1}, None])
def test_patch_by_non_managers_is_forbidden_whatever_the_body(client, setup, role, body):
    headers = bearer(token(client, setup, role))
    if body is None:
        response = client.patch(CURRENT, headers={**headers, "Content-Type": "application/json"},
                                data="{not json")
    else:
        response = client.patch(CURRENT, headers=headers, json=body)

    assert response.status_code == 403
    assert response.json["code"] == "FORBIDDEN"
    assert reload(setup.studio).name == "Harmony Test Studio"


def test_patch_of_another_studio_is_impossible(client, setup):
    client.patch(CURRENT, headers=bearer(token(client, setup, "other_admin")), json={"name": "Mine now"})

    assert reload(setup.studio).name == "Harmony Test Studio"
    assert reload(setup.other).name == "Mine now"


@pytest.mark.parametrize(("body", "field"), [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"settings": {"timezone": "EST5EDT-not"}}, "settings.timezone"),
    ({"currency": "XYZ"}, "currency"),
    ({"currency": "US"}, "currency"),
    ({"locale": "zz_ZZ"}, "locale"),
    ({"locale": "not a locale"}, "locale"),
    ({"tax_rate": "8.255"}, "tax_rate"),
    ({"tax_rate": "100.01"}, "tax_rate"),
    ({"tax_rate": "-1"}, "tax_rate"),
    ({"tax_rate": "NaN"}, "tax_rate"),
    ({"tax_rate": 8.5}, None),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"settings": {"invoice_due_days": 2.5}}, "settings.invoice_due_days"),
    ({"settings": {"invoice_prefix": "INV 2025"}}, "invoice_prefix"),
    ({"settings": {"billing_mode": "whenever"}}, "settings.billing_mode"),
    ({"settings": {"late_fee": "-5"}}, "late_fee"),
    ({"settings": {"next_invoice_number": 1}}, "settings.next_invoice_number"),
])
def test_patch_with_invalid_values_is_a_field_error(client, setup, body, field):
    response = client.patch(CURRENT, headers=bearer(token(client, setup, "admin")), json=body)

    if field is None:  # a JSON number is accepted as an amount
        assert response.status_code == 200
        assert response.json["tax_rate"] == "8.50"
        return
    assert response.status_code == 400, response.json
    assert response.json["code"] == "VALIDATION_ERROR"
    assert field in response.json["field_errors"], response.json
    studio = reload(setup.studio)
    assert (studio.timezone, studio.currency, studio.tax_rate) == ("America/New_York", "USD", Decimal("0"))


def test_studios_require_authentication(client):
    assert client.get(STUDIOS).status_code == 401
    assert client.get(CURRENT).status_code == 401
    assert client.patch(CURRENT, json={"name": "x"}).status_code == 401


def test_the_studio_details_are_settings_read_and_changed_over_the_api(client, setup):
    headers = bearer(token(client, setup, "admin"))
    details = {"address_line1": "12 Elm Street", "city": "Springfield", "region": "IL",
               "postal_code": "62701", "country": "United States", "tax_id": "US-99-1234567",
               "payment_instructions": "Bank transfer: IBAN DE89 3704 0044 0532 0130 00"}

    response = client.patch(CURRENT, json={"settings": details}, headers=headers)

    assert response.status_code == 200
    settings = response.json["settings"]
    assert {key: settings[key] for key in details} == details
    assert settings["address_line2"] == "" and settings["has_logo"] is False
    assert reload(setup.studio).payment_instructions == details["payment_instructions"]
    assert client.get(CURRENT, headers=headers).json["settings"]["tax_id"] == "US-99-1234567"


def test_a_too_long_tax_id_is_refused_with_the_field_named(client, setup):
    response = client.patch(CURRENT, json={"settings": {"tax_id": "X" * 41}},
                            headers=bearer(token(client, setup, "admin")))

    assert response.status_code == 400
    assert "settings.tax_id" in response.json["field_errors"]
