"""API sign-in: login, token rotation and revocation, expiry, the login rate limit."""
from datetime import timedelta

import jwt
import pytest
import time_machine

from app.core.db import utcnow
from app.extensions import db
from tests.conftest import PASSWORD, api_login, bearer

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"
ERROR_KEYS = {"detail", "code", "field_errors", "request_id"}


@pytest.fixture()
def teacher(make):
    studio = make.studio()
    user = make.member(studio, "teacher", first_name="Clara", last_name="Schumann")
    db.session.commit()
    return user


def assert_unauthorized(response):
    assert response.status_code == 401, response.json
    assert set(response.json) == ERROR_KEYS
    assert response.json["code"] == "UNAUTHORIZED"
    assert response.json["field_errors"] == {}
    assert response.json["request_id"] == response.headers["X-Request-ID"]


def test_login_answers_tokens_and_the_user_exactly_as_the_reference(client, teacher):
    response = client.post(LOGIN, json={"email": teacher.email, "password": PASSWORD})

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"] == {
        "id": str(teacher.id), "email": teacher.email, "first_name": "Clara",
        "last_name": "Schumann", "role": "teacher",
    }
    assert client.get(ME, headers=bearer(body)).status_code == 200


def test_login_email_is_case_insensitive(client, teacher):
    response = client.post(LOGIN, json={"email": f"  {teacher.email.upper()} ", "password": PASSWORD})

    assert response.status_code == 200


def test_login_with_wrong_password_is_unauthorized(client, teacher):
    response = client.post(LOGIN, json={"email": teacher.email, "password": "not-the-password"})

    assert_unauthorized(response)


def test_login_with_unknown_email_is_unauthorized_with_the_same_message(client, teacher):
    wrong = client.post(LOGIN, json={"email": teacher.email, "password": "not-the-password"})
    unknown = client.post(LOGIN, json={"email": "nobody@example.test", "password": PASSWORD})

    assert_unauthorized(unknown)
    assert unknown.json["detail"] == wrong.json["detail"]


def test_login_of_inactive_user_is_unauthorized(client, teacher):
    teacher.is_active = False
    db.session.commit()

    assert_unauthorized(client.post(LOGIN, json={"email": teacher.email, "password": PASSWORD}))


def test_login_with_only_a_deactivated_membership_is_unauthorized(client, teacher):
    teacher.memberships[0].is_active = False
    db.session.commit()

    assert_unauthorized(client.post(LOGIN, json={"email": teacher.email, "password": PASSWORD}))


def test_deactivating_the_membership_ends_issued_tokens(client, teacher):
    tokens = api_login(client, teacher.email)
    teacher.memberships[0].is_active = False
    db.session.commit()

    assert_unauthorized(client.get(ME, headers=bearer(tokens)))
    assert_unauthorized(client.post(REFRESH, json={"refresh": tokens["refresh"]}))


def test_login_without_a_password_is_a_validation_error(client, teacher):
    response = client.post(LOGIN, json={"email": teacher.email})

    assert response.status_code == 400
    assert response.json["code"] == "VALIDATION_ERROR"
    assert "password" in response.json["field_errors"]


def test_refresh_rotates_the_pair(client, teacher):
    first = api_login(client, teacher.email)

    response = client.post(REFRESH, json={"refresh": first["refresh"]})

    assert response.status_code == 200
    second = response.json
    assert set(second) == {"access", "refresh"}
    assert second["refresh"] != first["refresh"]
    assert client.get(ME, headers=bearer(second)).status_code == 200
    assert client.post(REFRESH, json={"refresh": second["refresh"]}).status_code == 200


def test_rotated_refresh_token_is_rejected(client, teacher):
    first = api_login(client, teacher.email)
    assert client.post(REFRESH, json={"refresh": first["refresh"]}).status_code == 200

    assert_unauthorized(client.post(REFRESH, json={"refresh": first["refresh"]}))


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client, teacher):
    first = api_login(client, teacher.email)
    second = client.post(REFRESH, json={"refresh": first["refresh"]}).json
    third = client.post(REFRESH, json={"refresh": second["refresh"]}).json

    assert_unauthorized(client.post(REFRESH, json={"refresh": first["refresh"]}))

    assert_unauthorized(client.post(REFRESH, json={"refresh": third["refresh"]}))


def test_family_revocation_spares_other_sessions(client, teacher):
    phone = api_login(client, teacher.email)
    laptop = api_login(client, teacher.email)
    client.post(REFRESH, json={"refresh": phone["refresh"]})

    client.post(REFRESH, json={"refresh": phone["refresh"]})  # replay: phone's family dies

    assert client.post(REFRESH, json={"refresh": laptop["refresh"]}).status_code == 200


def test_logout_revokes_the_refresh_token(client, teacher):
    tokens = api_login(client, teacher.email)

    response = client.post(LOGOUT, json={"refresh": tokens["refresh"]})

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_unauthorized(client.post(REFRESH, json={"refresh": tokens["refresh"]}))
    assert_unauthorized(client.post(LOGOUT, json={"refresh": tokens["refresh"]}))


def test_access_token_is_invalid_after_a_password_change(client, teacher):
    tokens = api_login(client, teacher.email)
    response = client.post(f"{ME}/password", headers=bearer(tokens),
                           json={"current_password": PASSWORD, "new_password": "a-brand-new-secret"})
    assert response.status_code == 204

    assert_unauthorized(client.get(ME, headers=bearer(tokens)))
    assert_unauthorized(client.post(REFRESH, json={"refresh": tokens["refresh"]}))


def test_expired_access_token_is_unauthorized(app, client, teacher):
    tokens = api_login(client, teacher.email)
    assert client.get(ME, headers=bearer(tokens)).status_code == 200  # verified, remembered
    later = utcnow() + app.config["JWT_ACCESS_TOKEN_EXPIRES"] + timedelta(seconds=5)

    with time_machine.travel(later, tick=False):
        assert_unauthorized(client.get(ME, headers=bearer(tokens)))
        # The refresh token outlives it and still gets a fresh pair.
        renewed = client.post(REFRESH, json={"refresh": tokens["refresh"]})
        assert renewed.status_code == 200
        assert client.get(ME, headers=bearer(renewed.json)).status_code == 200


def test_expired_refresh_token_is_unauthorized(app, client, teacher):
    tokens = api_login(client, teacher.email)
    later = utcnow() + app.config["JWT_REFRESH_TOKEN_EXPIRES"] + timedelta(seconds=5)

    with time_machine.travel(later, tick=False):
        assert_unauthorized(client.post(REFRESH, json={"refresh": tokens["refresh"]}))


def test_access_token_cannot_be_used_as_refresh_token(client, teacher):
    tokens = api_login(client, teacher.email)

    assert_unauthorized(client.post(REFRESH, json={"refresh": tokens["access"]}))
    assert_unauthorized(client.post(LOGOUT, json={"refresh": tokens["access"]}))


def test_refresh_token_cannot_be_used_as_access_token(client, teacher):
    tokens = api_login(client, teacher.email)

    assert_unauthorized(client.get(ME, headers=bearer(tokens["refresh"])))


@pytest.mark.parametrize("header", [
    "Bearer not-a-jwt", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer eyJhbGciOiJub25lIn0.e30.",
])
def test_garbage_credentials_are_unauthorized(client, header):
    assert_unauthorized(client.get(ME, headers={"Authorization": header}))


def test_token_signed_with_another_key_is_unauthorized(client, teacher):
    import jwt

    forged = jwt.encode({"sub": str(teacher.id), "type": "access", "sv": 1}, "another-key-" * 4,
                        algorithm="HS256")

    assert_unauthorized(client.get(ME, headers=bearer(forged)))


def test_missing_credentials_are_unauthorized(client):
    assert_unauthorized(client.get(ME))


def test_eleventh_login_attempt_in_a_minute_is_rate_limited(client, teacher, make):
    other = make.member(teacher.memberships[0].studio, "parent")
    db.session.commit()
    for _ in range(10):
        response = client.post(LOGIN, json={"email": teacher.email, "password": "wrong-password"})
        assert response.status_code == 401

    response = client.post(LOGIN, json={"email": teacher.email, "password": PASSWORD})

    assert response.status_code == 429
    assert set(response.json) == ERROR_KEYS
    assert response.json["code"] == "RATE_LIMITED"
    assert 1 <= int(response.headers["Retry-After"]) <= 61
    assert response.headers["X-RateLimit-Limit"] == "10"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert client.post(LOGIN, json={"email": other.email, "password": PASSWORD}).status_code == 200


def test_login_limit_counts_the_email_case_insensitively(client, teacher):
    for n in range(10):
        email = teacher.email.upper() if n % 2 else teacher.email
        client.post(LOGIN, json={"email": email, "password": "wrong-password"})

    assert client.post(LOGIN, json={"email": teacher.email, "password": PASSWORD}).status_code == 429


def test_login_limit_resets_after_a_minute(client, teacher):
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(11):
            client.post(LOGIN, json={"email": teacher.email, "password": "wrong-password"})
        traveller.shift(timedelta(seconds=61))

        assert client.post(LOGIN, json={"email": teacher.email, "password": PASSWORD}).status_code == 200


def test_a_token_signed_with_another_key_is_unauthorized_even_after_a_good_one(app, client, teacher):
    tokens = api_login(client, teacher.email)
    assert client.get(ME, headers=bearer(tokens)).status_code == 200
    payload = tokens["access"].split(".")[1]
    forged = jwt.encode(jwt.decode(tokens["access"], options={"verify_signature": False}),
                        "not-the-studio-key-at-all-not-at-all", algorithm="HS256")
    assert forged.split(".")[1] == payload
    assert_unauthorized(client.get(ME, headers=bearer(forged)))


def test_a_correctly_signed_access_token_without_expiry_is_unauthorized(app, client, teacher):
    tokens = api_login(client, teacher.email)
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    del claims["exp"]
    eternal = jwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")

    assert_unauthorized(client.get(ME, headers=bearer(eternal)))


def test_a_correctly_signed_refresh_token_without_expiry_is_unauthorized(app, client, teacher):
    tokens = api_login(client, teacher.email)
    claims = jwt.decode(tokens["refresh"], options={"verify_signature": False})
    del claims["exp"]
    eternal = jwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")

    assert_unauthorized(client.post(REFRESH, json={"refresh": eternal}))


def test_logout_ends_the_access_token_at_once(client, teacher):
    tokens = api_login(client, teacher.email)
    assert client.get(ME, headers=bearer(tokens)).status_code == 200

    assert client.post(LOGOUT, json={"refresh": tokens["refresh"]}).status_code == 204

    assert_unauthorized(client.get(ME, headers=bearer(tokens)))


def test_logout_ends_the_access_tokens_of_earlier_rotations_too(client, teacher):
    first = api_login(client, teacher.email)
    second = client.post(REFRESH, json={"refresh": first["refresh"]}).json

    client.post(LOGOUT, json={"refresh": second["refresh"]})

    assert_unauthorized(client.get(ME, headers=bearer(first)))
    assert_unauthorized(client.get(ME, headers=bearer(second)))


def test_logout_spares_the_access_tokens_of_other_sign_ins(client, teacher):
    phone = api_login(client, teacher.email)
    laptop = api_login(client, teacher.email)

    client.post(LOGOUT, json={"refresh": phone["refresh"]})

    assert client.get(ME, headers=bearer(laptop)).status_code == 200


def test_family_revocation_ends_its_access_tokens_at_once(client, teacher):
    first = api_login(client, teacher.email)
    second = client.post(REFRESH, json={"refresh": first["refresh"]}).json
    assert client.get(ME, headers=bearer(second)).status_code == 200

    assert_unauthorized(client.post(REFRESH, json={"refresh": first["refresh"]}))  # a replay

    assert_unauthorized(client.get(ME, headers=bearer(second)))


def test_an_access_token_without_its_sign_in_is_unauthorized(app, client, teacher):
    tokens = api_login(client, teacher.email)
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    claims.pop("sid", None)
    orphan = jwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")

    assert_unauthorized(client.get(ME, headers=bearer(orphan)))


def test_the_api_description_of_logout_says_it_takes_effect_at_once(client):
    logout = client.get("/api/openapi.json").json["paths"]["/api/v1/auth/logout"]["post"]

    assert "at once" in logout["description"]
    assert "access token" in logout["description"]
