"""/api/v1/notifications and the email choices on /api/v1/users/me: shapes as in the
reference ("Notifications"), the caller's own notifications only, and flat query counts."""
import uuid
from datetime import timedelta

import pytest

from app.extensions import db
from app.messaging import services
from app.messaging.models import Notification
from tests.conftest import api_login, bearer
from tests.query_counts import assert_flat

ITEM_KEYS = {"id", "title", "message", "notification_type", "is_read", "link", "created_at"}


@pytest.fixture()
def setup(make):
    studio = make.studio(name="Bell Studio")
    other = make.studio(name="Elsewhere")
    parent = make.member(studio, "parent")
    admin = make.member(studio, "admin")
    other_admin = make.member(other, "admin")
    db.session.commit()
    return type("Setup", (), {"studio": studio, "other": other, "parent": parent,
                              "admin": admin, "other_admin": other_admin})


def _headers(client, user):
    return bearer(api_login(client, user.email))


def _notify(studio, user, n=1, **fields):
    made = []
    for i in range(n):
        made += services.notify(studio, [user], fields.get("kind", "invoice_sent"),
                                fields.get("title", f"Invoice {i}"), "Due soon.",
                                f"/invoices/{uuid.uuid4()}", email=False)
    db.session.commit()
    return made


def test_list_has_the_reference_shape_and_the_unread_count(client, setup):
    older, newer = _notify(setup.studio, setup.parent, 2)
    older.created_at -= timedelta(hours=1)
    services.mark_read(setup.parent, older)
    _notify(setup.studio, setup.admin)  # someone else's
    _notify(setup.other, setup.parent)  # another studio's
    db.session.commit()

    body = client.get("/api/v1/notifications", headers=_headers(client, setup.parent)).json

    assert set(body) == {"count", "unread_count", "next", "previous", "results"}
    assert body["count"] == 2 and body["unread_count"] == 1
    assert [item["id"] for item in body["results"]] == [str(newer.id), str(older.id)]
    item = body["results"][0]
    assert set(item) == ITEM_KEYS
    assert item["notification_type"] == "invoice_sent" and item["is_read"] is False
    assert item["link"].startswith("/invoices/") and item["created_at"].endswith("Z")


def test_is_read_filters_and_unread_count_stays_the_whole_inbox(client, setup):
    first, _second, _third = _notify(setup.studio, setup.parent, 3)
    services.mark_read(setup.parent, first)
    db.session.commit()
    headers = _headers(client, setup.parent)

    unread = client.get("/api/v1/notifications?is_read=false", headers=headers).json
    read = client.get("/api/v1/notifications?is_read=true", headers=headers).json

    assert (unread["count"], unread["unread_count"]) == (2, 2)
    assert (read["count"], read["unread_count"]) == (1, 2)
    assert read["results"][0]["id"] == str(first.id)
    assert client.get("/api/v1/notifications?is_read=1", headers=headers).status_code == 400


def test_list_paginates_like_every_list(client, setup):
    _notify(setup.studio, setup.parent, 3)
    body = client.get("/api/v1/notifications?page_size=2", headers=_headers(client, setup.parent)).json
    assert body["count"] == 3 and len(body["results"]) == 2
    assert "page=2" in body["next"] and body["previous"] is None


def test_mark_one_read_answers_the_notification(client, setup):
    notification, = _notify(setup.studio, setup.parent)
    headers = _headers(client, setup.parent)

    response = client.post(f"/api/v1/notifications/{notification.id}/read", headers=headers)
    again = client.post(f"/api/v1/notifications/{notification.id}/read/", headers=headers)

    assert response.status_code == 200 and again.status_code == 200
    assert set(response.json) == ITEM_KEYS and response.json["is_read"] is True
    assert client.get("/api/v1/notifications", headers=headers).json["unread_count"] == 0


def test_nobody_marks_another_members_or_another_studios_notification(client, setup):
    admins, = _notify(setup.studio, setup.admin)
    theirs, = _notify(setup.other, setup.other_admin)

    for user, notification in ((setup.parent, admins), (setup.other_admin, admins),
                               (setup.admin, theirs)):
        response = client.post(f"/api/v1/notifications/{notification.id}/read",
                                headers=_headers(client, user))
        assert response.status_code == 404, response.json
        assert response.json["code"] == "NOT_FOUND"
    db.session.expire_all()
    assert not db.session.get(Notification, admins.id).is_read
    assert not db.session.get(Notification, theirs.id).is_read


def test_read_all_marks_the_callers_notifications_of_the_studio(client, setup):
    _notify(setup.studio, setup.parent, 3)
    elsewhere, = _notify(setup.other, setup.parent)
    admins, = _notify(setup.studio, setup.admin)
    headers = _headers(client, setup.parent)

    response = client.post("/api/v1/notifications/read-all", headers=headers)

    assert response.status_code == 200
    assert response.json == {"marked": 3, "unread_count": 0}
    db.session.expire_all()
    assert not db.session.get(Notification, elsewhere.id).is_read
    assert not db.session.get(Notification, admins.id).is_read


def test_anonymous_callers_get_401(client):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401


def test_users_me_shows_and_changes_the_email_choices(client, setup):
    headers = _headers(client, setup.parent)

    shown = client.get("/api/v1/users/me", headers=headers).json["notification_preferences"]
    assert set(shown) == set(services.EMAIL_CHOICES)
    assert shown["note_shared"] == {"email": False} and shown["checkout_approved"] == {"email": True}

    response = client.patch("/api/v1/users/me", headers=headers, json={
        "notification_preferences": {"note_shared": {"email": True},
                                     "checkout_approved": {"email": False}}})
    assert response.status_code == 200, response.json
    changed = response.json["notification_preferences"]
    assert changed["note_shared"] == {"email": True} and changed["checkout_approved"] == {"email": False}
    assert changed["new_message"] == {"email": True}  # left out: kept


@pytest.mark.parametrize("choices", [
    {"invoice_sent": {"email": True}},  # emailed elsewhere, not chosen here
    {"nonsense": {"email": True}},
    {"note_shared": {"email": "yes"}},
    {"note_shared": {}},
    {"note_shared": True},
])
def test_users_me_refuses_bad_email_choices(client, setup, choices):
    response = client.patch("/api/v1/users/me", headers=_headers(client, setup.parent),
                            json={"notification_preferences": choices})
    assert response.status_code == 400, response.json
    assert any(key.startswith("notification_preferences") for key in response.json["field_errors"])


def test_the_document_describes_the_list_and_the_choices(client):
    spec = client.get("/api/openapi.json").json
    operation = spec["paths"]["/api/v1/notifications"]["get"]
    names = {p["name"] for p in operation["parameters"] if "name" in p}  # not X-Studio-ID's $ref
    assert names >= {"is_read", "page", "page_size", "ordering"} and "search" not in names
    schemas = spec["components"]["schemas"]
    assert "unread_count" in schemas["NotificationPage"]["properties"]
    assert "notification_preferences" in schemas["User"]["properties"]
    assert "/api/v1/notifications/{notification_id}/read" in spec["paths"]
    assert "/api/v1/notifications/read-all" in spec["paths"]


def test_the_list_runs_as_many_queries_for_many_notifications_as_for_few(app, client, setup):
    headers = _headers(client, setup.parent)

    def grow(n):
        with app.test_request_context():
            _notify(setup.studio, db.session.merge(setup.parent), n)

    assert_flat(app, lambda: client.get("/api/v1/notifications", headers=headers), grow)
