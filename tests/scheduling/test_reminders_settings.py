"""The reminder lead time: a studio setting in the settings page and the API (0-168 hours,
0 sends none), refused next to its field when out of range."""
import pytest

from app.accounts.models import Studio
from app.extensions import db
from tests.conftest import api_login, bearer, post_form, web_login

SETTINGS = "/settings/studio"
CURRENT = "/api/v1/studios/current"


def studio_form(**changes):
    return {
        "name": "Harmony Test Studio", "timezone": "America/New_York", "currency": "USD",
        "locale": "en_US", "tax_rate": "0.00", "invoice_prefix": "INV", "invoice_due_days": "14",
        "late_fee": "0.00", "billing_mode": "after_attended", "cancellation_notice_hours": "24",
        "makeup_credit_expiry_days": "60", "lesson_buffer_minutes": "0", **changes,
    }


def lead_hours(studio_setup):
    db.session.expire_all()
    return db.session.get(Studio, studio_setup.studio.id).reminder_lead_hours


@pytest.fixture()
def admin_client(client, studio_setup):
    web_login(client, studio_setup.users["admin"].email)
    return client


def test_the_settings_page_shows_the_lead_time_with_its_hint(admin_client):
    html = admin_client.get(SETTINGS).get_data(as_text=True)
    assert 'name="reminder_lead_hours"' in html and 'value="24"' in html
    assert 'min="0"' in html and 'max="168"' in html
    assert "0 for none" in html


@pytest.mark.parametrize("hours", ["0", "48", "168"])
def test_the_lead_time_is_saved(admin_client, studio_setup, hours):
    response = post_form(admin_client, SETTINGS, studio_form(reminder_lead_hours=hours))
    assert response.status_code == 302
    assert lead_hours(studio_setup) == int(hours)


@pytest.mark.parametrize(("hours", "message"), [
    ("169", "between 0 and 168"),
    ("-1", "between 0 and 168"),
    ("two", "Not a valid integer value."),
    ("", "Enter a whole number from 0 to 168."),
])
def test_a_bad_lead_time_is_refused_next_to_the_field(admin_client, studio_setup, hours, message):
    response = post_form(admin_client, SETTINGS, studio_form(reminder_lead_hours=hours))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split('id="reminder_lead_hours-error"', 1)[1].split("</small>", 1)[0]
    assert message in error
    assert 'aria-describedby="reminder_lead_hours-hint reminder_lead_hours-error"' in html
    assert lead_hours(studio_setup) == 24


def test_a_form_without_the_field_keeps_the_lead_time(admin_client, studio_setup):
    studio_setup.studio.reminder_lead_hours = 6
    db.session.commit()
    assert post_form(admin_client, SETTINGS, studio_form()).status_code == 302
    assert lead_hours(studio_setup) == 6


def _admin(client, studio_setup):
    return bearer(api_login(client, studio_setup.users["admin"].email))


def test_the_api_shows_and_changes_the_lead_time(client, studio_setup):
    headers = _admin(client, studio_setup)
    assert client.get(CURRENT, headers=headers).json["settings"]["reminder_lead_hours"] == 24

    response = client.patch(CURRENT, headers=headers, json={"settings": {"reminder_lead_hours": 0}})

    assert response.status_code == 200, response.json
    assert response.json["settings"]["reminder_lead_hours"] == 0
    assert lead_hours(studio_setup) == 0


@pytest.mark.parametrize("hours", [169, -1, "12", 1.5, True, None])
def test_the_api_refuses_a_bad_lead_time(client, studio_setup, hours):
    response = client.patch(CURRENT, headers=_admin(client, studio_setup),
                            json={"settings": {"reminder_lead_hours": hours}})

    assert response.status_code == 400, response.json
    assert "settings.reminder_lead_hours" in response.json["field_errors"]
    assert lead_hours(studio_setup) == 24


def test_only_owners_and_admins_change_the_lead_time(client, studio_setup):
    for role in ("teacher", "parent"):
        headers = bearer(api_login(client, studio_setup.users[role].email))
        response = client.patch(CURRENT, headers=headers, json={"settings": {"reminder_lead_hours": 1}})
        assert response.status_code == 403
    assert lead_hours(studio_setup) == 24


def test_the_lead_time_is_documented(client):
    schema = client.get("/api/openapi.json").json["components"]["schemas"]
    described = [s["properties"]["reminder_lead_hours"] for s in schema.values()
                 if "reminder_lead_hours" in s.get("properties", {})]
    assert described and all(p["minimum"] == 0 and p["maximum"] == 168 for p in described)
    assert "0 sends none" in described[0]["description"]
