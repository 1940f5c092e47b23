"""The webhooks API: making an endpoint (its secret answered once), reading, changing,
disabling and deleting it, its delivery log, a test event, redelivering, rolling the secret."""
import pytest

from app.extensions import db
from app.webhooks import services
from tests.conftest import api_login, bearer


@pytest.fixture()
def admin_headers(client, studio_setup):
    return bearer(api_login(client, studio_setup.users["admin"].email))


def _make(client, headers, **fields):
    body = {"url": "https://example.com/hooks", "events": ["lesson.created", "invoice.paid"],
            **fields}
    return client.post("/api/v1/webhooks", json=body, headers=headers)


def test_an_endpoint_is_made_with_its_secret_answered_once(client, admin_headers):
    made = _make(client, admin_headers, description="Accounting")
    assert made.status_code == 201
    body = made.json
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["events"] == ["lesson.created", "invoice.paid"] and body["is_active"] is True
    one = client.get(f"/api/v1/webhooks/{body['id']}", headers=admin_headers)
    assert one.status_code == 200 and "secret" not in one.json
    listed = client.get("/api/v1/webhooks", headers=admin_headers).json
    assert listed["count"] == 1 and "secret" not in listed["results"][0]


@pytest.mark.parametrize("url, message", [
    ("http://127.0.0.1:8080/", "loopback"), ("http://192.168.0.10/", "private"),
    ("http://169.254.169.254/", "link-local"), ("http://localhost/", "localhost"),
    ("ftp://example.com/", "https://"),
])
def test_an_inside_url_is_a_400_on_the_url_field(client, admin_headers, url, message):
    refused = _make(client, admin_headers, url=url)
    assert refused.status_code == 400 and refused.json["code"] == "VALIDATION_ERROR"
    assert message in refused.json["field_errors"]["url"][0]


def test_unknown_events_and_empty_lists_are_refused(client, admin_headers):
    assert _make(client, admin_headers, events=["lesson.exploded"]).status_code == 400
    assert _make(client, admin_headers, events=[]).status_code == 400
    assert _make(client, admin_headers, secret="mine").status_code == 400  # unknown field


def test_patch_changes_and_disables_and_enables(client, admin_headers):
    made = _make(client, admin_headers).json
    path = f"/api/v1/webhooks/{made['id']}"
    changed = client.patch(path, json={"events": ["payment.recorded"], "is_active": False},
                           headers=admin_headers)
    assert changed.status_code == 200
    assert changed.json["events"] == ["payment.recorded"] and changed.json["is_active"] is False
    assert changed.json["disabled_reason"] == "Disabled by hand."
    again = client.patch(path, json={"is_active": True}, headers=admin_headers).json
    assert again["is_active"] is True and again["disabled_reason"] == ""
    assert client.patch(path, json={"url": "http://10.0.0.1/"}, headers=admin_headers).status_code == 400
    assert client.patch(path, json={}, headers=admin_headers).status_code == 200


def test_test_event_log_and_redeliver(client, admin_headers, studio_setup):
    made = _make(client, admin_headers).json
    tested = client.post(f"/api/v1/webhooks/{made['id']}/test", headers=admin_headers)
    assert tested.status_code == 201
    assert tested.json["event"] == "webhook.test" and tested.json["status"] == "pending"
    log = client.get(f"/api/v1/webhooks/{made['id']}/deliveries", headers=admin_headers).json
    assert log["count"] == 1
    entry = log["results"][0]
    assert set(entry) >= {"status", "response_code", "response_time_ms", "response_excerpt",
                          "attempts", "next_attempt_at", "error"}
    again = client.post(f"/api/v1/webhooks/{made['id']}/deliveries/{entry['id']}/redeliver",
                        headers=admin_headers)
    assert again.status_code == 201 and again.json["redelivery_of"] == entry["id"]
    assert again.json["event_id"] == entry["event_id"]
    pending = client.get(f"/api/v1/webhooks/{made['id']}/deliveries?status=pending&event=webhook.test",
                         headers=admin_headers).json
    assert pending["count"] == 2


def test_rolling_the_secret_answers_the_new_one(client, admin_headers):
    made = _make(client, admin_headers).json
    rolled = client.post(f"/api/v1/webhooks/{made['id']}/secret", headers=admin_headers)
    assert rolled.status_code == 200 and rolled.json["secret"] != made["secret"]


def test_delete_removes_the_endpoint_and_its_log(client, admin_headers):
    made = _make(client, admin_headers).json
    client.post(f"/api/v1/webhooks/{made['id']}/test", headers=admin_headers)
    assert client.delete(f"/api/v1/webhooks/{made['id']}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/v1/webhooks/{made['id']}", headers=admin_headers).status_code == 404


def test_a_studio_has_at_most_twenty_endpoints(client, admin_headers, studio_setup):
    for _ in range(20):
        assert _make(client, admin_headers).status_code == 201
    assert _make(client, admin_headers).status_code == 409


def test_another_studios_endpoint_is_404(client, studio_setup):
    other = services.create_endpoint(studio_setup.other, studio_setup.users["other_admin"],
                                     url="https://example.org/", events=["invoice.paid"])
    db.session.commit()
    headers = bearer(api_login(client, studio_setup.users["admin"].email))
    assert client.get(f"/api/v1/webhooks/{other.id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/webhooks/{other.id}/test", headers=headers).status_code == 404


def test_a_teacher_is_refused(client, studio_setup):
    headers = bearer(api_login(client, studio_setup.users["teacher"].email))
    assert client.get("/api/v1/webhooks", headers=headers).status_code == 403
    assert _make(client, headers).status_code == 403


def test_a_deleted_endpoints_log_goes_with_it(client, admin_headers):
    from sqlalchemy import func, select

    from app.webhooks.models import WebhookAttempt, WebhookDelivery

    made = _make(client, admin_headers).json
    client.post(f"/api/v1/webhooks/{made['id']}/test", headers=admin_headers)
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
    assert client.delete(f"/api/v1/webhooks/{made['id']}", headers=admin_headers).status_code == 204
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 0


def test_a_sync_learns_of_deleted_endpoints_and_deliveries(client, admin_headers):
    import uuid
    from datetime import timedelta

    from sqlalchemy import update

    from app.core.db import utcnow
    from app.webhooks.models import WebhookDelivery

    since = (utcnow() - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    kept, gone = _make(client, admin_headers).json, _make(client, admin_headers).json
    client.post(f"/api/v1/webhooks/{gone['id']}/test", headers=admin_headers)
    old = client.post(f"/api/v1/webhooks/{kept['id']}/test", headers=admin_headers).json
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == uuid.UUID(old["id"])).values(
        status="succeeded", created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    assert client.delete(f"/api/v1/webhooks/{gone['id']}", headers=admin_headers).status_code == 204
    services.purge_old()
    db.session.commit()

    query = {"updated_since": since, "include_deleted": "true"}
    endpoints = client.get("/api/v1/webhooks", query_string=query, headers=admin_headers).json
    assert [row["id"] for row in endpoints["results"]] == [kept["id"]]
    assert endpoints["deleted"] == [gone["id"]]
    log = client.get(f"/api/v1/webhooks/{kept['id']}/deliveries", query_string=query,
                     headers=admin_headers).json
    # Tombstones name rows of the studio's table, not of one list: those of the deleted
    # endpoint's log are there too, and a client ignores ids it never had.
    assert log["results"] == [] and old["id"] in log["deleted"]
