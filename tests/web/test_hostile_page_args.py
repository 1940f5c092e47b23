"""Page arguments at the edges of the calendar, and redirect targets, never answer 500."""
import pytest

from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, post_form, web_login


@pytest.fixture()
def admin_client(client, studio_setup, make):
    make.lesson(studio_setup.studio)
    db.session.commit()
    web_login(client, studio_setup.users["admin"].email)
    return client


@pytest.mark.parametrize("path", [
    "/calendar?date=9999-12-31", "/calendar?date=0001-01-01",
    "/calendar?date=9999-12-31&view=month", "/calendar?date=0001-01-01&view=day",
    "/lessons?start_date=9999-12-31", "/lessons?end_date=9999-12-31",
    "/lessons?start_date=0001-01-01&end_date=0001-01-02",
    "/practice?week=0001-01-01", "/practice?week=9999-12-31",
])
def test_dates_past_the_supported_years_show_the_edge_of_the_calendar(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code == 200, path


def test_the_calendar_clamps_a_far_date_to_the_last_supported_year(admin_client):
    html = admin_client.get("/calendar?date=9999-12-31&view=day").get_data(as_text=True)

    assert "2200" in html and "9999" not in html


@pytest.mark.parametrize("target", [
    "/%0d%0aSet-Cookie:x=1", "/%0aLocation:%20https://evil.test", "//evil.test/",
    "https://evil.test/", "/\\evil.test", "javascript:alert(1)",
])
def test_sign_in_ignores_an_unsafe_next_and_goes_home(client, studio_setup, target):
    token = csrf_token(client, f"/login?next={target}")

    response = client.post(f"/login?next={target}", data={
        "email": studio_setup.users["admin"].email, "password": PASSWORD,
        "csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get_all("Set-Cookie")[0]


def test_sign_in_follows_a_local_next(client, studio_setup):
    token = csrf_token(client, "/login?next=/lessons%3Fpage%3D2")

    response = client.post("/login?next=/lessons%3Fpage%3D2", data={
        "email": studio_setup.users["admin"].email, "password": PASSWORD,
        "csrf_token": token})

    assert response.headers["Location"] == "/lessons?page=2"


def test_a_form_date_past_the_supported_years_is_a_field_error(admin_client):
    response = post_form(admin_client, "/calendar/closures", {
        "name": "Forever", "start_date": "9999-12-31", "end_date": "9999-12-31"})

    assert response.status_code == 422
    assert "Use a date between 1900 and 2200." in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/students?search=a%00b", "/families?search=%00",
                                  "/invoices?q=x%00", "/lessons?student_q=%00"])
def test_a_nul_byte_in_a_page_argument_is_a_clear_400(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_posted_form_is_a_clear_400(admin_client):
    response = post_form(admin_client, "/calendar/closures", {
        "name": "Spring\x00break", "start_date": "2030-03-01"}, token_path="/calendar/closures")

    assert response.status_code == 400
