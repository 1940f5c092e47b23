"""Who reads which notes, goals and practice through the API (SPEC §1)."""

import pytest

from tests.conftest import api_login, bearer

NOTE_NAMES = ("shared", "parents_only", "student_only", "note_y")
# Who sees which of the four notes in the studio.
NOTE_MATRIX = {
    "admin": {"shared", "parents_only", "student_only", "note_y"},
    "owner": {"shared", "parents_only", "student_only", "note_y"},
    "teacher_a": {"shared", "parents_only", "student_only"},
    "teacher_b": {"note_y"},
    "parent_x": {"shared", "parents_only"},
    "parent_y": {"note_y"},
    "student_x": {"shared", "student_only"},
}


def _headers(client, world, who):
    return bearer(api_login(client, world.emails[who]))


@pytest.mark.parametrize("who", sorted(NOTE_MATRIX))
def test_note_list_shows_exactly_the_visible_notes(client, world, who):
    response = client.get("/api/v1/lesson-notes?page_size=100", headers=_headers(client, world, who))
    assert response.status_code == 200
    got = {r["id"] for r in response.json["results"]}
    expected = {world.ids[name] for name in NOTE_MATRIX[who]}
    assert got == expected
    assert world.ids["other_note"] not in got


@pytest.mark.parametrize("who", sorted(NOTE_MATRIX))
@pytest.mark.parametrize("name", NOTE_NAMES)
def test_note_detail_is_404_when_not_visible(client, world, who, name):
    response = client.get(f"/api/v1/lesson-notes/{world.ids[name]}", headers=_headers(client, world, who))
    assert response.status_code == (200 if name in NOTE_MATRIX[who] else 404)


def test_parent_token_never_returns_a_hidden_note_even_when_filtering(client, world):
    headers = _headers(client, world, "parent_x")
    for query in (
        f"student={world.ids['kid_x']}",
        f"lesson={world.ids['lesson_x']}",
        f"teacher={world.ids['teacher_a']}",
        "search=STUDENT-ONLY",
    ):
        results = client.get(f"/api/v1/lesson-notes?{query}", headers=headers).json["results"]
        assert all("STUDENT-ONLY" not in r["summary"] for r in results)
        assert all("visible_to_parent" not in r for r in results)


def test_foreign_studio_note_is_404(client, world):
    response = client.get(
        f"/api/v1/lesson-notes/{world.ids['other_note']}", headers=_headers(client, world, "admin")
    )
    assert response.status_code == 404
    assert response.json["code"] == "NOT_FOUND"


def test_malformed_id_is_404(client, world):
    assert (
        client.get("/api/v1/lesson-notes/not-a-uuid", headers=_headers(client, world, "admin")).status_code
        == 404
    )


GOAL_MATRIX = {
    "admin": {"goal_x", "goal_y"},
    "teacher_a": {"goal_x"},
    "teacher_b": {"goal_y"},
    "parent_x": {"goal_x"},
    "parent_y": {"goal_y"},
    "student_x": {"goal_x"},
}


@pytest.mark.parametrize("who", sorted(GOAL_MATRIX))
def test_goal_visibility(client, world, who):
    headers = _headers(client, world, who)
    got = {r["id"] for r in client.get("/api/v1/goals", headers=headers).json["results"]}
    assert got == {world.ids[name] for name in GOAL_MATRIX[who]}
    for name in ("goal_x", "goal_y", "other_goal"):
        status = client.get(f"/api/v1/goals/{world.ids[name]}", headers=headers).status_code
        assert status == (200 if name in GOAL_MATRIX[who] else 404)


PRACTICE_MATRIX = {
    "admin": {"practice_x", "practice_y"},
    "teacher_a": {"practice_x"},
    "teacher_b": {"practice_y"},
    "parent_x": {"practice_x"},
    "parent_y": {"practice_y"},
    "student_x": {"practice_x"},
}


@pytest.mark.parametrize("who", sorted(PRACTICE_MATRIX))
def test_practice_visibility(client, world, who):
    headers = _headers(client, world, who)
    got = {r["id"] for r in client.get("/api/v1/practice-logs", headers=headers).json["results"]}
    assert got == {world.ids[name] for name in PRACTICE_MATRIX[who]}
    assert (
        client.get(f"/api/v1/practice-logs/{world.ids['other_practice']}", headers=headers).status_code == 404
    )


@pytest.mark.parametrize(
    "who,expected",
    [
        ("admin", {"plan_public", "plan_private"}),
        ("teacher_a", {"plan_public", "plan_private"}),
        ("teacher_b", {"plan_public"}),
    ],
)
def test_lesson_plan_visibility(client, world, who, expected):
    headers = _headers(client, world, who)
    got = {r["id"] for r in client.get("/api/v1/lesson-plans", headers=headers).json["results"]}
    assert got == {world.ids[name] for name in expected}
    status = client.get(f"/api/v1/lesson-plans/{world.ids['plan_private']}", headers=headers).status_code
    assert status == (200 if "plan_private" in expected else 404)


@pytest.mark.parametrize("who", ["parent_x", "student_x"])
def test_families_may_not_read_lesson_plans(client, world, who):
    assert client.get("/api/v1/lesson-plans", headers=_headers(client, world, who)).status_code == 403


def test_note_shape_follows_the_reference(client, world):
    body = client.get(
        f"/api/v1/lesson-notes/{world.ids['shared']}", headers=_headers(client, world, "teacher_a")
    ).json
    for key in (
        "summary",
        "topics_covered",
        "assignments",
        "strengths",
        "challenges",
        "visible_to_student",
        "visible_to_parent",
        "lesson",
        "student",
        "teacher",
    ):
        assert key in body
    assert body["assignments"] == ["Scale C, 10 min daily"]
    assert body["lesson"]["id"] == world.ids["lesson_x"]
    assert body["created_at"].endswith("Z")


def test_filters_narrow_the_notes(client, world):
    headers = _headers(client, world, "admin")
    by_teacher = client.get(f"/api/v1/lesson-notes?teacher={world.ids['teacher_b']}", headers=headers).json
    assert [r["id"] for r in by_teacher["results"]] == [world.ids["note_y"]]
    by_lesson = client.get(f"/api/v1/lesson-notes/?lesson={world.ids['lesson_x']}", headers=headers).json
    assert [r["id"] for r in by_lesson["results"]] == [world.ids["shared"]]
    later = client.get("/api/v1/lesson-notes?created_after=2199-01-01T00:00:00Z", headers=headers).json
    assert later["count"] == 0
