"""Sign-up, sign-in and sign-out in the browser app (CSRF on, as in production)."""
import pytest
from sqlalchemy import func, select

from app.accounts.models import Membership, Studio, User
from app.extensions import db
from app.people.models import TeacherProfile
from tests.conftest import PASSWORD, csrf_token, post_form, web_login

SIGNUP = {
    "studio_name": "Allegro Strings", "first_name": "Nadia", "last_name": "Boulanger",
    "email": "nadia@allegro.test", "password": "a-long-enough-password",
    "timezone": "Europe/Paris",
}


@pytest.fixture()
def teacher(make):
    studio = make.studio(name="Harmony Test Studio")
    user = make.member(studio, "teacher", first_name="Clara")
    db.session.commit()
    return user


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def field_error(html, field_id):
    marker = f'id="{field_id}-error" class="field-error">'
    assert marker in html, f"no error next to {field_id}"
    return html.split(marker, 1)[1].split("</small>", 1)[0]


def is_signed_in(client):
    return client.get("/").status_code == 200


# ------------------------------------------------------------------ sign-up

def test_signup_creates_the_studio_with_the_user_as_owner_and_signs_in(client, ctx):
    response = post_form(client, "/signup", SIGNUP)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.email == "nadia@allegro.test"))
    assert user.password_hash.startswith("$argon2id$")
    (membership,) = user.memberships
    assert membership.role == "owner"
    assert membership.studio.name == "Allegro Strings"
    assert membership.studio.timezone == "Europe/Paris"
    assert membership.studio.slug == "allegro-strings"
    dashboard = client.get("/").get_data(as_text=True)
    assert "Allegro Strings is ready" in dashboard
    assert "Nadia" in dashboard


def test_an_owner_who_teaches_signs_up_onto_the_teachers_list_and_can_book(client, ctx):
    post_form(client, "/signup", {**SIGNUP, "teaches": "y"})

    user = db.session.scalar(select(User).where(User.email == "nadia@allegro.test"))
    profile = db.session.scalar(select(TeacherProfile).where(TeacherProfile.user_id == user.id))
    assert profile is not None and profile.is_active
    booking = client.get("/lessons/new").get_data(as_text=True)
    assert f'value="{profile.id}">Nadia' in booking and "No one teaches" not in booking


def test_an_owner_who_does_not_teach_signs_up_without_a_teacher_profile(client, ctx):
    post_form(client, "/signup", SIGNUP)

    assert count(TeacherProfile) == 0
    assert "No one teaches in this studio yet" in client.get("/lessons/new").get_data(as_text=True)


def test_the_owner_says_they_teach_in_settings(client, make):
    studio = make.studio()
    owner = make.member(studio, "owner", first_name="Olive")
    db.session.commit()
    web_login(client, owner.email)
    page = client.get("/settings/teaching")
    assert page.status_code == 200 and 'name="teaches"' in page.get_data(as_text=True)

    token = csrf_token(client, "/settings/teaching")
    response = client.post("/settings/teaching", data={"csrf_token": token, "teaches": "y"})
    assert response.status_code == 302
    profile = db.session.scalar(select(TeacherProfile).where(TeacherProfile.user_id == owner.id))
    assert profile.is_active
    assert "checked" in client.get("/settings/teaching").get_data(as_text=True)

    client.post("/settings/teaching", data={"csrf_token": token})
    db.session.expire_all()
    assert not db.session.get(TeacherProfile, profile.id).is_active


def test_signup_page_renders(client):
    response = client.get("/signup")

    assert response.status_code == 200
    assert 'name="studio_name"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"email": "taken@example.test"}, "email", "An account with this email already exists."),
    ({"email": "TAKEN@example.test"}, "email", "An account with this email already exists."),
    ({"password": "short"}, "password", "Field must be between 8 and 256 characters long."),
    ({"email": "long.password@allegro.test", "password": "long.password@allegro.test"},
     "password", "The password may not be your email address."),
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"studio_name": ""}, "studio_name", "This field is required."),
])
def test_signup_errors_are_shown_next_to_the_fields(client, make, changes, field, message):
    make.user(email="taken@example.test")
    db.session.commit()
    studios_before = count(Studio)

    response = post_form(client, "/signup", {**SIGNUP, **changes})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    assert 'aria-invalid="true"' in html
    assert 'value="Allegro Strings"' in html or field == "studio_name"  # input is kept
    assert count(Studio) == studios_before
    assert not is_signed_in(client)


def test_signup_without_csrf_token_is_refused_and_creates_nothing(client, ctx):
    response = post_form(client, "/signup", {**SIGNUP, "csrf_token": None})

    assert response.status_code == 400
    assert count(User) == 0 and count(Studio) == 0


def test_signup_with_a_forged_csrf_token_is_refused(client, ctx):
    response = post_form(client, "/signup", {**SIGNUP, "csrf_token": "forged"})

    assert response.status_code == 400
    assert count(User) == 0


def test_csrf_protection_is_on_in_the_testing_config(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert app.config["TESTING"] is True


# ------------------------------------------------------------------ sign-in / out

def test_login_signs_in_and_logout_signs_out(client, teacher):
    response = web_login(client, teacher.email)

    assert response.headers["Location"] == "/"
    assert "Welcome back, Clara." in client.get("/").get_data(as_text=True)

    response = post_form(client, "/logout", token_path="/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "You are signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/").headers["Location"].startswith("/login")


def test_login_records_last_login(client, teacher):
    web_login(client, teacher.email)

    db.session.expire_all()
    assert db.session.get(User, teacher.id).last_login is not None


def test_login_with_wrong_password_shows_the_message(client, teacher):
    response = post_form(client, "/login", {"email": teacher.email, "password": "wrong-password"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Email or password is not correct." in html
    assert f'value="{teacher.email}"' in html
    assert not is_signed_in(client)


def test_login_of_an_unknown_email_shows_the_same_message(client):
    response = post_form(client, "/login", {"email": "nobody@example.test", "password": "whatever-it-is"})

    assert response.status_code == 422
    assert "Email or password is not correct." in response.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client, teacher):
    teacher.is_active = False
    db.session.commit()

    response = post_form(client, "/login", {"email": teacher.email, "password": PASSWORD})

    assert response.status_code == 422
    assert not is_signed_in(client)


def test_login_without_csrf_token_is_refused(client, teacher):
    response = post_form(client, "/login", {"email": teacher.email, "password": PASSWORD,
                                            "csrf_token": None})

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_logout_without_csrf_token_keeps_the_session(client, teacher):
    web_login(client, teacher.email)

    response = client.post("/logout")

    assert response.status_code == 400
    assert is_signed_in(client)


def test_logout_by_get_is_not_allowed(client, teacher):
    web_login(client, teacher.email)

    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


def test_pages_need_a_signed_in_user(client):
    for path in ("/", "/account/", "/settings/members", "/settings/studio"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("target", "expected"), [
    ("/account/", "/account/"),
    ("/settings/members?tab=1", "/settings/members?tab=1"),
    ("//evil.example", "/"),
    ("//evil.example/account/", "/"),
    ("https://evil.example", "/"),
    ("http://localhost.evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("/\t/evil.example", "/"),
    ("/%09/evil.example", "/%09/evil.example"),
    (" //evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
])
def test_next_parameter_only_redirects_to_local_paths(client, teacher, target, expected):
    token = csrf_token(client, "/login")

    response = client.post("/login", query_string={"next": target},
                           data={"email": teacher.email, "password": PASSWORD, "csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_page_keeps_next_in_the_form_action(client):
    html = client.get("/login?next=/account/").get_data(as_text=True)

    assert 'action="/login?next=/account/"' in html


def test_login_rate_limit_shows_a_message_on_the_form(client, teacher):
    for _ in range(10):
        assert post_form(client, "/login", {"email": teacher.email, "password": "wrong-password"}
                         ).status_code == 422

    response = post_form(client, "/login", {"email": teacher.email, "password": PASSWORD})

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins. Try again in" in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_session_cookie_is_httponly_and_samesite_lax(client, teacher):
    response = web_login(client, teacher.email)

    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    assert cookies
    attributes = {part.strip().lower() for part in cookies[-1].split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_remember_me_cookie_is_httponly_and_samesite_lax(client, teacher):
    token = csrf_token(client, "/login")

    response = client.post("/login", data={"email": teacher.email, "password": PASSWORD,
                                           "remember": "y", "csrf_token": token})

    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("remember_token=")]
    assert cookies
    attributes = {part.strip().lower() for part in cookies[-1].split(";")}
    assert {"httponly", "samesite=lax"} <= attributes


def test_signed_in_user_visiting_login_goes_to_the_dashboard(client, teacher):
    web_login(client, teacher.email)

    assert client.get("/login").headers["Location"] == "/"


def test_a_deactivated_member_signs_in_to_a_page_that_explains(client, teacher):
    db.session.scalar(select(Membership).where(Membership.user_id == teacher.id)).is_active = False
    db.session.commit()
    web_login(client, teacher.email)

    html = client.get("/").get_data(as_text=True)

    assert "You are not part of a studio right now" in html
    assert "Harmony Test Studio" not in html
