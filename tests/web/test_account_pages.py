"""The signed-in user's own pages: profile, password, switching studios."""
import pytest

from app.accounts.models import Membership, User
from app.extensions import db
from tests.conftest import PASSWORD, post_form, web_login

NEW_PASSWORD = "a-brand-new-secret"


@pytest.fixture()
def setup(studio_setup, make):
    """studio_setup, plus a second studio where the teacher is an admin."""
    annex = make.studio(name="Allegro Annex")
    db.session.add(Membership(studio_id=annex.id, user_id=studio_setup.users["teacher"].id, role="admin"))
    db.session.commit()
    studio_setup.annex = annex
    return studio_setup


@pytest.fixture()
def teacher(setup):
    return setup.users["teacher"]


@pytest.fixture()
def signed_in(client, teacher):
    web_login(client, teacher.email)
    return client


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def profile_data(user, **changes):
    return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email,
            "phone": "", **changes}


def test_profile_page_shows_the_users_details_and_studios(signed_in, teacher):
    html = signed_in.get("/account/").get_data(as_text=True)

    assert f'value="{teacher.email}"' in html
    assert "Harmony Test Studio" in html and "Allegro Annex" in html


def test_profile_update_saves_and_flashes(signed_in, teacher):
    response = post_form(signed_in, "/account/", profile_data(
        teacher, first_name=" Clara ", last_name="Wieck", email="Clara@Wieck.Test", phone="+49 341 0000"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    user = reload(teacher)
    assert (user.first_name, user.last_name, user.email, user.phone) == (
        "Clara", "Wieck", "clara@wieck.test", "+49 341 0000")
    assert "Your profile is saved." in signed_in.get("/account/").get_data(as_text=True)


def test_a_member_chooses_their_own_time_zone_or_the_studios(signed_in, teacher):
    """Lesson reminders read the time on this clock (app/scheduling/services/reminders.py)."""
    assert 'name="timezone"' in signed_in.get("/account/").get_data(as_text=True)

    assert post_form(signed_in, "/account/", profile_data(
        teacher, timezone="Europe/Berlin")).status_code == 302
    assert reload(teacher).preferences["timezone"] == "Europe/Berlin"

    assert post_form(signed_in, "/account/", profile_data(teacher, timezone="")).status_code == 302
    assert reload(teacher).preferences["timezone"] is None


def test_an_unknown_time_zone_is_refused_next_to_the_field(signed_in, teacher):
    response = post_form(signed_in, "/account/", profile_data(teacher, timezone="Mars/Olympus"))

    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert not (reload(teacher).preferences or {}).get("timezone")


def test_profile_update_with_a_taken_email_shows_the_error_next_to_the_field(signed_in, teacher, setup):
    response = post_form(signed_in, "/account/", profile_data(teacher, email=setup.users["admin"].email))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html and "already exists" in html
    assert reload(teacher).email == teacher.email


def test_profile_update_without_first_name_is_refused(signed_in, teacher):
    response = post_form(signed_in, "/account/", profile_data(teacher, first_name=""))

    assert response.status_code == 422
    assert 'id="first_name-error"' in response.get_data(as_text=True)


def test_profile_update_without_csrf_token_changes_nothing(signed_in, teacher):
    response = post_form(signed_in, "/account/", profile_data(teacher, first_name="Hacked", csrf_token=None))

    assert response.status_code == 400
    assert reload(teacher).first_name != "Hacked"


def test_password_change_keeps_this_session_and_ends_the_others(app, signed_in, teacher):
    other_device = app.test_client()
    web_login(other_device, teacher.email)

    response = post_form(signed_in, "/account/password",
                         {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                         token_path="/account/")

    assert response.status_code == 302
    assert signed_in.get("/").status_code == 200
    assert other_device.get("/").headers["Location"].startswith("/login")
    web_login(app.test_client(), teacher.email, NEW_PASSWORD)


def test_password_change_with_wrong_current_password_shows_the_error(signed_in, teacher):
    response = post_form(signed_in, "/account/password",
                         {"current_password": "wrong-password", "new_password": NEW_PASSWORD},
                         token_path="/account/")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="current_password-error"' in html
    assert "The current password is not correct." in html
    assert signed_in.get("/account/").status_code == 200


@pytest.mark.parametrize("new_password", ["short", "{email}"])
def test_password_change_to_a_weak_password_shows_the_error(signed_in, teacher, new_password):
    new_password = new_password.format(email=teacher.email)

    response = post_form(signed_in, "/account/password",
                         {"current_password": PASSWORD, "new_password": new_password}, token_path="/account/")

    assert response.status_code == 422
    assert 'id="new_password-error"' in response.get_data(as_text=True)


def test_switching_to_another_studio_of_the_user(signed_in, setup):
    assert "Harmony Test Studio" in signed_in.get("/").get_data(as_text=True)

    response = post_form(signed_in, "/account/studio", {"studio_id": str(setup.annex.id)}, token_path="/")

    assert response.status_code == 302
    html = signed_in.get("/").get_data(as_text=True)
    assert "You are now working in Allegro Annex." in html
    assert signed_in.get("/settings/members").status_code == 200  # admin in the annex


@pytest.mark.parametrize("studio_id", ["other", "not-a-uuid", ""])
def test_switching_to_a_foreign_studio_is_refused(signed_in, setup, studio_id):
    studio_id = str(setup.other.id) if studio_id == "other" else studio_id

    response = post_form(signed_in, "/account/studio", {"studio_id": studio_id}, token_path="/")

    assert response.status_code == 302
    html = signed_in.get("/").get_data(as_text=True)
    assert "That studio is not available." in html
    assert "Other Studio" not in html
    assert signed_in.get("/settings/members").status_code == 302  # still a teacher


def test_switching_studio_without_csrf_token_is_refused(signed_in, setup):
    response = post_form(signed_in, "/account/studio", {"studio_id": str(setup.annex.id), "csrf_token": None})

    assert response.status_code == 400
