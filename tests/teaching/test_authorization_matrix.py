"""Every teaching route × every role, in the studio and from another studio.

Pages: 200 when allowed, 302 (flash + redirect) for a write the role may not do, 404 for
what the caller may not see (another family's child, another studio's records). API: 403 for
a role that may not act, 404 for what it may not see.
"""

import pytest

from tests.conftest import api_login, bearer, csrf_token, web_login

WHO = ("admin", "owner", "teacher_a", "teacher_b", "parent_x", "parent_y", "student_x", "other_admin")


def row(**statuses):
    """Expected statuses per role; `family` and `staff` set several at once."""
    expected = {}
    for group, roles in (
        ("staff", ("admin", "owner", "teacher_a", "teacher_b")),
        ("family", ("parent_x", "parent_y", "student_x")),
    ):
        if group in statuses:
            expected.update(dict.fromkeys(roles, statuses.pop(group)))
    expected.update(statuses)
    return expected


PAGES = [
    ("/notes", row(staff=200, family=200, other_admin=200)),
    ("/practice", row(staff=200, family=200, other_admin=200)),
    ("/lesson-plans", row(staff=200, family=302, other_admin=200)),
    ("/lesson-plans/new", row(staff=200, family=302, other_admin=200)),
    ("/lesson-plans/{plan_public}", row(staff=200, family=302, other_admin=404)),
    ("/lesson-plans/{plan_private}", row(staff=200, teacher_b=404, family=302, other_admin=404)),
    ("/lesson-plans/{plan_public}/edit", row(staff=200, teacher_b=302, family=302, other_admin=404)),
    ("/lessons/{fresh_x}/note", row(staff=200, teacher_b=302, family=302, other_admin=404)),
    ("/lessons/{lesson_x}/teaching", row(staff=200, family=200, parent_y=404, other_admin=404)),
    ("/notes/{shared}/edit", row(staff=200, teacher_b=404, family=302, other_admin=404)),
    ("/students/{kid_x}/notes", row(staff=200, family=200, parent_y=404, other_admin=404)),
    ("/students/{kid_x}/goals", row(staff=200, family=200, parent_y=404, other_admin=404)),
    ("/students/{kid_x}/practice", row(staff=200, family=200, parent_y=404, other_admin=404)),
    ("/students/{kid_x}/goals/new", row(staff=200, teacher_b=302, family=302, other_admin=404)),
    ("/goals/{goal_x}/edit", row(staff=200, teacher_b=404, family=302, other_admin=404)),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("path,expected", PAGES, ids=[p for p, _ in PAGES])
def test_page_access(client, world, who, path, expected):
    web_login(client, world.emails[who])
    response = client.get(path.format(**world.ids))
    assert response.status_code == expected[who], (who, path)


POSTS = [
    ("/notes/{shared}/delete", row(staff=302, family=302, other_admin=404, teacher_b=404)),
    ("/goals/{goal_x}/delete", row(staff=302, family=302, other_admin=404, teacher_b=404)),
    ("/goals/{goal_x}/progress", row(staff=302, family=302, other_admin=404, teacher_b=404)),
    (
        "/practice/{practice_x}/delete",
        row(staff=302, family=302, parent_y=404, teacher_b=404, other_admin=404),
    ),
    ("/lesson-plans/{plan_private}/delete", row(staff=302, teacher_b=404, family=302, other_admin=404)),
    ("/lessons/{lesson_x}/plans", row(staff=302, family=302, other_admin=404)),
    ("/lessons/{lesson_x}/plans/{plan_public}/detach", row(staff=302, family=302, other_admin=404)),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("path,expected", POSTS, ids=[p for p, _ in POSTS])
def test_post_access(client, world, who, path, expected):
    web_login(client, world.emails[who])
    token = csrf_token(client, "/notes")
    response = client.post(
        path.format(**world.ids),
        data={"csrf_token": token, "progress_percentage": "50", "plan": world.ids["plan_public"]},
    )
    assert response.status_code == expected[who], (who, path)


API = [
    ("get", "/api/v1/lesson-notes", row(staff=200, family=200, other_admin=200)),
    ("post", "/api/v1/lesson-notes", row(staff=400, family=403, other_admin=400)),
    (
        "get",
        "/api/v1/lesson-notes/{shared}",
        row(staff=200, teacher_b=404, family=200, parent_y=404, other_admin=404),
    ),
    ("patch", "/api/v1/lesson-notes/{shared}", row(staff=400, teacher_b=404, family=403, other_admin=404)),
    ("delete", "/api/v1/lesson-notes/{note_y}", row(staff=204, teacher_a=404, family=403, other_admin=404)),
    ("get", "/api/v1/goals", row(staff=200, family=200, other_admin=200)),
    ("post", "/api/v1/goals", row(staff=400, family=403, other_admin=400)),
    (
        "get",
        "/api/v1/goals/{goal_x}",
        row(staff=200, teacher_b=404, family=200, parent_y=404, other_admin=404),
    ),
    ("patch", "/api/v1/goals/{goal_x}", row(staff=400, teacher_b=404, family=403, other_admin=404)),
    ("delete", "/api/v1/goals/{goal_y}", row(staff=204, teacher_a=404, family=403, other_admin=404)),
    ("get", "/api/v1/lesson-plans", row(staff=200, family=403, other_admin=200)),
    ("post", "/api/v1/lesson-plans", row(staff=400, family=403, other_admin=400)),
    (
        "get",
        "/api/v1/lesson-plans/{plan_private}",
        row(staff=200, teacher_b=404, family=403, other_admin=404),
    ),
    (
        "patch",
        "/api/v1/lesson-plans/{plan_public}",
        row(staff=400, teacher_b=403, family=403, other_admin=404),
    ),
    (
        "delete",
        "/api/v1/lesson-plans/{plan_public}",
        row(staff=204, teacher_b=403, family=403, other_admin=404),
    ),
    ("post", "/api/v1/lesson-plans/{plan_public}/lessons", row(staff=400, family=403, other_admin=404)),
    (
        "delete",
        "/api/v1/lesson-plans/{plan_public}/lessons/{lesson_x}",
        row(staff=204, teacher_b=403, family=403, other_admin=404),
    ),
    ("get", "/api/v1/practice-logs", row(staff=200, family=200, other_admin=200)),
    ("post", "/api/v1/practice-logs", row(staff=400, family=400, other_admin=400)),
    (
        "get",
        "/api/v1/practice-logs/{practice_x}",
        row(staff=200, teacher_b=404, family=200, parent_y=404, other_admin=404),
    ),
    (
        "patch",
        "/api/v1/practice-logs/{practice_x}",
        row(staff=400, teacher_b=404, family=400, parent_y=404, other_admin=404),
    ),
    (
        "delete",
        "/api/v1/practice-logs/{practice_y}",
        row(staff=204, teacher_a=404, family=404, parent_y=204, other_admin=404),
    ),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("method,path,expected", API, ids=[f"{m} {p}" for m, p, _ in API])
def test_api_access(client, world, who, method, path, expected):
    """Writes carry an invalid body: allowed callers get 400, the others 403/404 first."""
    headers = bearer(api_login(client, world.emails[who]))
    kwargs = {"json": {"unknown_field": 1}} if method in ("post", "patch") else {}
    response = getattr(client, method)(path.format(**world.ids), headers=headers, **kwargs)
    assert response.status_code == expected[who], (who, method, path, response.json)


def test_anonymous_api_is_401(client, world):
    for path in ("/api/v1/lesson-notes", "/api/v1/goals", "/api/v1/lesson-plans", "/api/v1/practice-logs"):
        assert client.get(path).status_code == 401


def test_anonymous_pages_go_to_login(client, world):
    for path in ("/notes", "/practice", "/lesson-plans", f"/students/{world.ids['kid_x']}/notes"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
