"""The signed-in user over the API: profile, email, preferences, password."""
import pytest
from sqlalchemy import select

from app.accounts.models import RefreshToken, User
from app.extensions import db
from tests.conftest import PASSWORD, api_login, bearer

ME = "/api/v1/users/me"
PASSWORD_URL = "/api/v1/users/me/password"
NEW_PASSWORD = "a-brand-new-secret"


@pytest.fixture()
def parent(make):
    studio = make.studio()
    user = make.member(studio, "parent", first_name="Leopold", last_name="Mozart", phone="+1 555 0100")
    make.member(studio, "teacher", email="taken@example.test")
    db.session.commit()
    return user


@pytest.fixture()
def tokens(client, parent):
    return api_login(client, parent.email)


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_get_me_answers_the_profile_with_the_current_role(client, parent, tokens):
    response = client.get(ME, headers=bearer(tokens))

    assert response.status_code == 200
    body = response.json
    assert set(body) == {
        "id", "email", "first_name", "last_name", "role", "phone_number", "avatar",
        "preferences", "notification_preferences", "is_active", "last_login", "created_at",
        "updated_at",
    }
    assert body["id"] == str(parent.id)
    assert body["role"] == "parent"
    assert body["phone_number"] == "+1 555 0100"
    assert body["created_at"].endswith("Z")
    assert body["last_login"].endswith("Z")


def test_patch_me_changes_name_phone_and_preferences(client, parent, tokens):
    response = client.patch(ME, headers=bearer(tokens), json={
        "first_name": "  Anna ", "last_name": "Magdalena", "phone_number": "+1 555 0199",
        "preferences": {"timezone": "Europe/Vienna", "notification_channels": ["email"]},
    })

    assert response.status_code == 200, response.json
    assert response.json["first_name"] == "Anna"
    assert response.json["phone_number"] == "+1 555 0199"
    assert response.json["preferences"] == {
        "timezone": "Europe/Vienna", "notification_channels": ["email"],
    }
    stored = reload(parent)
    assert (stored.first_name, stored.last_name, stored.phone) == ("Anna", "Magdalena", "+1 555 0199")


def test_patch_me_merges_preferences(client, parent, tokens):
    client.patch(ME, headers=bearer(tokens), json={"preferences": {"timezone": "Europe/Vienna"}})

    response = client.patch(ME, headers=bearer(tokens),
                            json={"preferences": {"notification_channels": ["sms"]}})

    assert response.json["preferences"] == {
        "timezone": "Europe/Vienna", "notification_channels": ["sms"],
    }


def test_patch_me_changes_the_email_and_the_new_one_signs_in(client, parent, tokens):
    response = client.patch(ME, headers=bearer(tokens), json={"email": "Leopold@Salzburg.Test"})

    assert response.status_code == 200
    assert response.json["email"] == "leopold@salzburg.test"
    assert client.get(ME, headers=bearer(tokens)).status_code == 200
    api_login(client, "leopold@salzburg.test")


@pytest.mark.parametrize("email", ["taken@example.test", "TAKEN@example.test"])
def test_patch_me_with_a_taken_email_is_a_field_error(client, parent, tokens, email):
    response = client.patch(ME, headers=bearer(tokens), json={"email": email, "first_name": "X"})

    assert response.status_code == 400
    assert response.json["code"] == "VALIDATION_ERROR"
    assert list(response.json["field_errors"]) == ["email"]
    assert reload(parent).first_name == "Leopold"


def test_patch_me_with_an_invalid_email_is_a_field_error(client, parent, tokens):
    response = client.patch(ME, headers=bearer(tokens), json={"email": "not an email"})

    assert response.status_code == 400
    assert "email" in response.json["field_errors"]


@pytest.mark.parametrize("body", [
    {"role": "admin"}, {"is_active": False}, {"first_name": "Hacker", "role": "owner"},
    {"password_hash": "x"}, {"session_version": 9}, {"preferences": {"theme": "dark"}},
])
def test_patch_me_rejects_unknown_fields_and_changes_nothing(client, parent, tokens, body):
    response = client.patch(ME, headers=bearer(tokens), json=body)

    assert response.status_code == 400
    assert response.json["code"] == "VALIDATION_ERROR"
    assert response.json["field_errors"]
    stored = reload(parent)
    assert stored.first_name == "Leopold"
    assert stored.is_active is True
    assert stored.memberships[0].role == "parent"
    assert stored.preferences == {}


def test_patch_me_rejects_null_and_wrong_types(client, parent, tokens):
    response = client.patch(ME, headers=bearer(tokens), json={"first_name": None, "last_name": 5})

    assert response.status_code == 400
    assert set(response.json["field_errors"]) == {"first_name", "last_name"}


def test_change_password_with_wrong_current_password_is_a_field_error(client, parent, tokens):
    response = client.post(PASSWORD_URL, headers=bearer(tokens),
                           json={"current_password": "wrong-one", "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert list(response.json["field_errors"]) == ["current_password"]
    assert client.get(ME, headers=bearer(tokens)).status_code == 200


@pytest.mark.parametrize("new_password", ["short", "", "{email}", "{EMAIL}"])
def test_change_password_rejects_weak_new_password(client, parent, tokens, new_password):
    new_password = new_password.format(email=parent.email, EMAIL=parent.email.upper())

    response = client.post(PASSWORD_URL, headers=bearer(tokens),
                           json={"current_password": PASSWORD, "new_password": new_password})

    assert response.status_code == 400
    assert list(response.json["field_errors"]) == ["new_password"]
    api_login(client, parent.email)  # the old password still works


def test_change_password_requires_both_fields(client, parent, tokens):
    response = client.post(PASSWORD_URL, headers=bearer(tokens), json={})

    assert response.status_code == 400
    assert set(response.json["field_errors"]) == {"current_password", "new_password"}


def test_change_password_succeeds_and_revokes_refresh_tokens(client, parent, tokens):
    response = client.post(PASSWORD_URL, headers=bearer(tokens),
                           json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.post("/api/v1/auth/login", json={"email": parent.email, "password": PASSWORD}
                       ).status_code == 401
    api_login(client, parent.email, NEW_PASSWORD)
    assert client.post("/api/v1/auth/refresh", json={"refresh": tokens["refresh"]}).status_code == 401
    db.session.expire_all()
    first = db.session.scalars(select(RefreshToken).where(RefreshToken.user_id == parent.id)
                               .order_by(RefreshToken.created_at)).first()
    assert first.revoked_at is not None


def test_users_me_requires_authentication(client):
    assert client.get(ME).status_code == 401
    assert client.patch(ME, json={"first_name": "x"}).status_code == 401
    assert client.post(PASSWORD_URL, json={}).status_code == 401
