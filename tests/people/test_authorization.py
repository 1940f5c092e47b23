"""Every people route × every role, in the own studio and from another studio.

`other` is an admin of another studio using this studio's ids: lists answer with their own
(empty) studio, ids answer 404. Anonymous callers get 401 (API) or the login page (HTML).
"""

import pytest

from tests.conftest import api_login, bearer, web_login

WHO = ("owner", "admin", "teacher", "parent", "student", "other", "anonymous")
M, ALL = ("owner", "admin"), ("owner", "admin", "teacher", "parent", "student")


def expect(ok, ok_status, *, hidden=(), default=403, other=404):
    """{role: status}: `ok` roles get ok_status, `hidden` roles 404, the rest `default`."""
    table = {role: default for role in ALL}
    table.update({role: 404 for role in hidden})
    table.update({role: ok_status for role in ok})
    table.update({"other": other, "anonymous": 401})
    return table


NEW_TEACHER = {
    "user": {"email": "new.teacher@example.test", "first_name": "Nia", "password": "a-good-password"}
}

API_ROUTES = [
    ("GET", "/api/v1/teachers", None, expect(ALL, 200, other=200)),
    ("POST", "/api/v1/teachers", NEW_TEACHER, expect(M, 201, other=201)),
    ("GET", "/api/v1/teachers/{other_teacher}", None, expect(ALL, 200)),
    ("PATCH", "/api/v1/teachers/{other_teacher}", {"bio": "Hi"}, expect(M, 200)),
    ("PATCH", "/api/v1/teachers/{own_teacher}", {"bio": "Hi"}, expect((*M, "teacher"), 200)),
    ("DELETE", "/api/v1/teachers/{other_teacher}", None, expect(M, 204)),
    ("GET", "/api/v1/teachers/{other_teacher}/availability", None, expect(ALL, 200)),
    ("PUT", "/api/v1/teachers/{other_teacher}/availability", [], expect(M, 200)),
    (
        "PUT",
        "/api/v1/teachers/{own_teacher}/availability",
        [{"weekday": 1, "start_time": "15:00", "end_time": "18:00"}],
        expect((*M, "teacher"), 200),
    ),
    ("GET", "/api/v1/students", None, expect(ALL, 200, other=200)),
    ("POST", "/api/v1/students", {"first_name": "Nova"}, expect(M, 201, other=201)),
    ("GET", "/api/v1/students/{child}", None, expect((*M, "teacher", "parent"), 200, hidden=("student",))),
    (
        "GET",
        "/api/v1/students/{self_student}",
        None,
        expect((*M, "teacher", "student"), 200, hidden=("parent",)),
    ),
    ("PATCH", "/api/v1/students/{child}", {"notes": "x"}, expect(M, 200)),
    ("DELETE", "/api/v1/students/{child}", None, expect(M, 204)),
    ("GET", "/api/v1/families", None, expect((*M, "teacher", "parent"), 200, other=200)),
    ("POST", "/api/v1/families", {"name": "New Family"}, expect(M, 201, other=201)),
    ("GET", "/api/v1/families/{parent_family}", None, expect((*M, "teacher", "parent"), 200)),
    ("GET", "/api/v1/families/{student_family}", None, expect((*M, "teacher"), 200, hidden=("parent",))),
    (
        "PATCH",
        "/api/v1/families/{parent_family}",
        {"phone_number": "+1 555 0199"},
        expect((*M, "parent"), 200),
    ),
    (
        "PATCH",
        "/api/v1/families/{student_family}",
        {"phone_number": "+1 555 0199"},
        expect(M, 200, hidden=("parent",)),
    ),
    ("DELETE", "/api/v1/families/{empty_family}", None, expect(M, 204)),
    ("POST", "/api/v1/families/{parent_family}/guardians", {"first_name": "Gran"}, expect(M, 201)),
    ("DELETE", "/api/v1/families/{parent_family}/guardians/{guardian}", None, expect(M, 204)),
]


def _call_api(client, people, who, method, path, body):
    headers = {}
    if who != "anonymous":
        user = people.users["other_admin" if who == "other" else who]
        headers = bearer(api_login(client, user.email))
    url = path.format(**people.ids())
    return client.open(url, method=method, json=body, headers=headers)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    "method,path,body,expected", API_ROUTES, ids=[f"{m} {p}" for m, p, _b, _e in API_ROUTES]
)
def test_api_authorization(client, people, who, method, path, body, expected):
    response = _call_api(client, people, who, method, path, body)
    assert response.status_code == expected[who], response.get_json()
    if response.status_code >= 400:
        assert response.get_json()["code"] in ("FORBIDDEN", "NOT_FOUND", "UNAUTHORIZED")


@pytest.mark.parametrize("path", ["/api/v1/teachers", "/api/v1/students", "/api/v1/families"])
def test_other_studio_lists_show_none_of_ours(client, people, path):
    headers = bearer(api_login(client, people.users["other_admin"].email))
    ids = {str(v) for k, v in people.ids().items() if not k.startswith("foreign_")}
    results = client.get(path, headers=headers).get_json()["results"]
    assert not ids & {r["id"] for r in results}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/teachers/{foreign_teacher}",
        "/api/v1/students/{foreign_student}",
        "/api/v1/families/{foreign_family}",
        "/api/v1/teachers/{foreign_teacher}/availability",
    ],
)
def test_admin_gets_404_for_another_studios_ids(client, people, path):
    headers = bearer(api_login(client, people.users["admin"].email))
    assert client.get(path.format(**people.ids()), headers=headers).status_code == 404
    assert client.patch(path.format(**people.ids()), json={}, headers=headers).status_code in (404, 405)


def test_forbidden_write_is_403_before_the_body_is_validated(client, people):
    headers = bearer(api_login(client, people.users["teacher"].email))
    url = f"/api/v1/teachers/{people.other_teacher.id}"
    assert client.patch(url, json={"bio": 12, "nope": True}, headers=headers).status_code == 403
    assert client.post("/api/v1/students", json={"junk": 1}, headers=headers).status_code == 403


WEB_PAGES = [
    ("/teachers", expect(ALL, 200, other=200)),
    ("/teachers/new", expect(M, 200, default=302, other=200)),
    ("/teachers/{other_teacher}", expect(ALL, 200)),
    ("/teachers/{other_teacher}/edit", expect(M, 200, default=302)),
    ("/teachers/{own_teacher}/edit", expect((*M, "teacher"), 200, default=302)),
    ("/teachers/{own_teacher}/availability", expect((*M, "teacher"), 200, default=302)),
    ("/families", expect((*M, "teacher"), 200, default=302, other=200)),
    ("/families/new", expect(M, 200, default=302, other=200)),
    ("/families/{parent_family}", expect((*M, "teacher", "parent"), 200, default=302)),
    ("/families/{student_family}", expect((*M, "teacher"), 200, default=302, hidden=("parent",))),
    ("/families/{parent_family}/edit", expect(M, 200, default=302)),
    ("/families/{parent_family}/contact", expect((*M, "parent"), 200, default=302)),
    ("/students", expect((*M, "teacher", "parent"), 200, default=302, other=200)),
    ("/students/new", expect(M, 200, default=302, other=200)),
    ("/students/{child}", expect((*M, "teacher", "parent"), 200, hidden=("student",))),
    ("/students/{self_student}", expect((*M, "teacher", "student"), 200, hidden=("parent",))),
    ("/students/{child}/edit", expect(M, 200, default=302)),
    ("/people/import", expect(M, 200, default=302, other=200)),
    ("/people/export/students.csv", expect(M, 200, default=302, other=200)),
    ("/people/export/families.csv", expect(M, 200, default=302, other=200)),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("path,expected", WEB_PAGES, ids=[p for p, _e in WEB_PAGES])
def test_page_authorization(client, people, who, path, expected):
    if who != "anonymous":
        web_login(client, people.users["other_admin" if who == "other" else who].email)
    response = client.get(path.format(**people.ids()))
    response.get_data()
    response.close()
    wanted = 302 if who == "anonymous" else expected[who]
    assert response.status_code == wanted
    if who == "anonymous":
        assert "/login" in response.headers["Location"]


WEB_ACTIONS = [
    ("/teachers/{other_teacher}/archive", M),
    ("/students/{child}/archive", M),
    ("/families/{parent_family}/guardians", M),
    ("/families/{parent_family}/guardians/{guardian}/remove", M),
    ("/families/{empty_family}/delete", M),
]


@pytest.mark.parametrize("who", ("teacher", "parent", "student"))
@pytest.mark.parametrize("path,allowed", WEB_ACTIONS, ids=[p for p, _a in WEB_ACTIONS])
def test_page_actions_refused_with_a_flash(client, people, who, path, allowed):
    from tests.conftest import csrf_token

    web_login(client, people.users[who].email)
    token = csrf_token(client, "/account/")
    response = client.post(path.format(**people.ids()), data={"csrf_token": token, "first_name": "X"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You do not have permission to do that." in page


@pytest.mark.parametrize("path", [p for p, _a in WEB_ACTIONS[:4]])
def test_page_actions_on_another_studios_ids_are_404(client, people, path):
    from tests.conftest import csrf_token

    web_login(client, people.users["other_admin"].email)
    token = csrf_token(client, "/account/")
    assert client.post(path.format(**people.ids()), data={"csrf_token": token}).status_code == 404
