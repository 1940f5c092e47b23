"""Writing notes, goals, plans and practice through the API: who may, and bad input."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.teaching.models import Goal, LessonNote, LessonPlan, LessonPlanAttachment, PracticeLog
from tests.conftest import api_login, bearer
from tests.factories import studio_today


def _headers(client, world, who):
    return bearer(api_login(client, world.emails[who]))


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


NOTE = {
    "summary": "Good lesson",
    "topics_covered": ["C major"],
    "assignments": ["Scale 10 min daily"],
    "strengths": ["Rhythm"],
    "challenges": ["Hand position"],
    "visible_to_student": True,
    "visible_to_parent": True,
}


def test_teacher_writes_a_note_on_own_lesson(client, world, app):
    response = client.post(
        "/api/v1/lesson-notes",
        json={**NOTE, "lesson": world.ids["fresh_x"]},
        headers=_headers(client, world, "teacher_a"),
    )
    assert response.status_code == 201, response.json
    assert response.json["student"]["id"] == world.ids["kid_x"]
    assert response.json["topics_covered"] == ["C major"]


def test_second_note_for_the_same_lesson_and_student_is_409(client, world, app):
    before = _count(app, LessonNote)
    response = client.post(
        "/api/v1/lesson-notes",
        json={**NOTE, "lesson": world.ids["lesson_x"]},
        headers=_headers(client, world, "teacher_a"),
    )
    assert response.status_code == 409
    assert response.json["note_id"] == world.ids["shared"]
    assert _count(app, LessonNote) == before


def test_note_on_another_teachers_lesson_is_403_and_stores_nothing(client, world, app):
    before = _count(app, LessonNote)
    response = client.post(
        "/api/v1/lesson-notes",
        json={**NOTE, "lesson": world.ids["fresh_x"]},
        headers=_headers(client, world, "teacher_b"),
    )
    assert response.status_code == 403
    assert _count(app, LessonNote) == before


def test_note_on_a_foreign_lesson_is_404(client, world, app):
    response = client.post(
        "/api/v1/lesson-notes",
        json={**NOTE, "lesson": world.ids["other_lesson"]},
        headers=_headers(client, world, "admin"),
    )
    assert response.status_code == 404


def test_admin_writes_notes_on_any_lesson(client, world):
    response = client.post(
        "/api/v1/lesson-notes",
        json={**NOTE, "lesson": world.ids["fresh_x"]},
        headers=_headers(client, world, "admin"),
    )
    assert response.status_code == 201


def test_group_lesson_note_needs_a_student_of_the_lesson(client, world):
    headers = _headers(client, world, "teacher_a")
    missing = client.post(
        "/api/v1/lesson-notes", json={**NOTE, "lesson": world.ids["group"]}, headers=headers
    )
    assert missing.status_code == 400 and "student" in missing.json["field_errors"]
    stranger = client.post(
        "/api/v1/lesson-notes",
        json={**NOTE, "lesson": world.ids["group"], "student": world.ids["kid_y"]},
        headers=headers,
    )
    assert stranger.status_code == 400
    ok = client.post(
        "/api/v1/lesson-notes",
        json={**NOTE, "lesson": world.ids["group"], "student": world.ids["sibling_x"]},
        headers=headers,
    )
    assert ok.status_code == 201


@pytest.mark.parametrize("who", ["parent_x", "student_x"])
def test_families_cannot_write_notes_whatever_the_body(client, world, who):
    headers = _headers(client, world, who)
    assert client.post("/api/v1/lesson-notes", json={"nonsense": 1}, headers=headers).status_code == 403
    assert (
        client.patch(
            f"/api/v1/lesson-notes/{world.ids['shared']}", json={"x": 1}, headers=headers
        ).status_code
        == 403
    )


def test_teacher_b_cannot_edit_or_even_see_teacher_as_note(client, world):
    headers = _headers(client, world, "teacher_b")
    assert (
        client.patch(
            f"/api/v1/lesson-notes/{world.ids['shared']}", json={"summary": "x"}, headers=headers
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/lesson-notes/{world.ids['shared']}", headers=headers).status_code == 404


def test_teacher_updates_and_deletes_own_note(client, world):
    headers = _headers(client, world, "teacher_a")
    patched = client.patch(
        f"/api/v1/lesson-notes/{world.ids['shared']}",
        json={"visible_to_parent": False, "assignments": ["New"]},
        headers=headers,
    )
    assert patched.status_code == 200
    assert patched.json["visible_to_parent"] is False and patched.json["assignments"] == ["New"]
    assert (
        client.get(
            f"/api/v1/lesson-notes/{world.ids['shared']}", headers=_headers(client, world, "parent_x")
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/lesson-notes/{world.ids['shared']}", headers=headers).status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"summary": ""},
        {"summary": "ok", "assignments": "not a list"},
        {"summary": "ok", "unknown": 1},
        {"summary": "ok", "assignments": [1, 2]},
        {"summary": "ok", "practice_target_minutes": 99999},
        {"summary": "bad\x00byte"},
    ],
)
def test_bad_note_input_is_400(client, world, app, body):
    before = _count(app, LessonNote)
    response = client.post(
        "/api/v1/lesson-notes",
        json={**body, "lesson": world.ids["fresh_x"]},
        headers=_headers(client, world, "teacher_a"),
    )
    assert response.status_code == 400
    assert response.json["code"] == "VALIDATION_ERROR"
    assert _count(app, LessonNote) == before


# ---------------------------------------------------------------- goals


def test_teacher_sets_a_goal_and_progress_history_grows(client, world):
    headers = _headers(client, world, "teacher_a")
    created = client.post(
        "/api/v1/goals",
        json={
            "student": world.ids["kid_x"],
            "title": "Learn Für Elise",
            "description": "Master the complete piece",
            "target_date": "2030-06-01",
            "progress_percentage": 0,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    goal_id = created.json["id"]
    halfway = client.patch(
        f"/api/v1/goals/{goal_id}",
        json={"progress_percentage": 50, "progress_note": "First page"},
        headers=headers,
    )
    assert halfway.json["progress_percentage"] == 50 and halfway.json["status"] == "active"
    done = client.patch(f"/api/v1/goals/{goal_id}", json={"progress_percentage": 100}, headers=headers)
    assert done.json["status"] == "achieved" and done.json["achieved_at"].endswith("Z")
    history = done.json["progress_history"]
    assert [h["progress"] for h in history] == [100, 50, 0]
    assert history[1]["note"] == "First page"


def test_achieving_sets_the_date_and_reopening_clears_it(client, world):
    headers = _headers(client, world, "teacher_a")
    achieved = client.patch(
        f"/api/v1/goals/{world.ids['goal_x']}", json={"status": "achieved"}, headers=headers
    )
    assert achieved.json["progress_percentage"] == 100 and achieved.json["achieved_at"]
    reopened = client.patch(
        f"/api/v1/goals/{world.ids['goal_x']}",
        json={"status": "active", "progress_percentage": 80},
        headers=headers,
    )
    assert reopened.json["achieved_at"] is None and reopened.json["status"] == "active"


@pytest.mark.parametrize("progress", [-1, 101, 50.5, "50", True])
def test_progress_outside_0_100_is_400(client, world, app, progress):
    headers = _headers(client, world, "teacher_a")
    response = client.patch(
        f"/api/v1/goals/{world.ids['goal_x']}", json={"progress_percentage": progress}, headers=headers
    )
    assert response.status_code == 400
    assert "progress_percentage" in response.json["field_errors"]
    goal = client.get(f"/api/v1/goals/{world.ids['goal_x']}", headers=headers).json
    assert goal["progress_percentage"] == 40


def test_teacher_b_cannot_set_goals_for_teacher_as_student(client, world, app):
    before = _count(app, Goal)
    response = client.post(
        "/api/v1/goals",
        json={"student": world.ids["kid_x"], "title": "x"},
        headers=_headers(client, world, "teacher_b"),
    )
    assert response.status_code == 404  # another teacher's student is not theirs to see
    assert _count(app, Goal) == before


@pytest.mark.parametrize("who", ["parent_x", "student_x"])
def test_families_cannot_change_goals(client, world, who):
    headers = _headers(client, world, who)
    assert (
        client.patch(
            f"/api/v1/goals/{world.ids['goal_x']}", json={"progress_percentage": 100}, headers=headers
        ).status_code
        == 403
    )
    assert client.post("/api/v1/goals", json={}, headers=headers).status_code == 403


def test_goal_for_foreign_student_is_404(client, world):
    response = client.post(
        "/api/v1/goals",
        json={"student": world.ids["other_student"], "title": "x"},
        headers=_headers(client, world, "admin"),
    )
    assert response.status_code == 404


def test_goals_filter_by_status_and_student(client, world):
    headers = _headers(client, world, "admin")
    assert client.get("/api/v1/goals?status=achieved", headers=headers).json["count"] == 0
    only_y = client.get(f"/api/v1/goals?student={world.ids['kid_y']}", headers=headers).json
    assert [g["id"] for g in only_y["results"]] == [world.ids["goal_y"]]
    assert client.get("/api/v1/goals?status=bogus", headers=headers).status_code == 400


# ---------------------------------------------------------------- practice


def _practice(client, world, who, **body):
    payload = {"student": world.ids["kid_x"], "date": studio_today().isoformat(), "minutes": 30, **body}
    return client.post("/api/v1/practice-logs", json=payload, headers=_headers(client, world, who))


@pytest.mark.parametrize("who", ["parent_x", "student_x", "teacher_a", "admin"])
def test_practice_is_recorded_by_family_and_own_teacher(client, world, who):
    yesterday = (studio_today() - timedelta(days=1)).isoformat()
    response = _practice(client, world, who, date=yesterday, pieces=["Für Elise"], note="Hands apart")
    assert response.status_code == 201, response.json
    assert response.json["date"] == yesterday and response.json["pieces"] == ["Für Elise"]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"minutes": 10_000}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 601}, "minutes"),
        ({"minutes": 20.5}, "minutes"),
        ({"date": (studio_today() + timedelta(days=2)).isoformat()}, "date"),
        ({"date": "2001-01-01"}, "date"),
        ({"pieces": "scales"}, "pieces"),
    ],
)
def test_bad_practice_is_400_and_stores_nothing(client, world, app, body, field):
    before = _count(app, PracticeLog)
    response = _practice(client, world, "parent_x", **body)
    assert response.status_code == 400
    assert field in response.json["field_errors"]
    assert _count(app, PracticeLog) == before


def test_parent_cannot_log_practice_for_another_family(client, world, app):
    response = _practice(client, world, "parent_y")
    assert response.status_code == 404
    assert _practice(client, world, "teacher_b").status_code == 404


def test_practice_filters_by_date_range(client, world):
    headers = _headers(client, world, "admin")
    today = studio_today().isoformat()
    assert (
        client.get(f"/api/v1/practice-logs?start_date={today}&end_date={today}", headers=headers).json[
            "count"
        ]
        == 2
    )
    assert client.get("/api/v1/practice-logs?end_date=2000-01-01", headers=headers).json["count"] == 0
    assert (
        client.get(f"/api/v1/practice-logs?student={world.ids['kid_y']}", headers=headers).json["count"] == 1
    )


def test_parent_corrects_and_deletes_own_practice(client, world):
    headers = _headers(client, world, "parent_x")
    assert (
        client.patch(
            f"/api/v1/practice-logs/{world.ids['practice_x']}", json={"minutes": 45}, headers=headers
        ).json["minutes"]
        == 45
    )
    assert (
        client.patch(
            f"/api/v1/practice-logs/{world.ids['practice_y']}", json={"minutes": 45}, headers=headers
        ).status_code
        == 404
    )
    assert (
        client.delete(f"/api/v1/practice-logs/{world.ids['practice_x']}", headers=headers).status_code == 204
    )


# ---------------------------------------------------------------- lesson plans


def test_plans_private_public_edit_and_attach(client, world, app):
    a, b = _headers(client, world, "teacher_a"), _headers(client, world, "teacher_b")
    created = client.post(
        "/api/v1/lesson-plans",
        json={"title": "Jazz voicings", "specialty": "Piano", "content": "# Shells\n- 3rd and 7th"},
        headers=b,
    )
    assert created.status_code == 201 and created.json["is_public"] is False
    assert created.json["specialty"] == "piano"
    plan_id = created.json["id"]
    assert client.get(f"/api/v1/lesson-plans/{plan_id}", headers=a).status_code == 404
    assert (
        client.patch(
            f"/api/v1/lesson-plans/{world.ids['plan_public']}", json={"title": "x"}, headers=b
        ).status_code
        == 403
    )
    assert client.get("/api/v1/lesson-plans?specialty=piano&is_public=true", headers=b).json["count"] == 1
    attach = client.post(
        f"/api/v1/lesson-plans/{world.ids['plan_public']}/lessons",
        json={"lesson": world.ids["fresh_x"]},
        headers=a,
    )
    assert attach.status_code == 201 and attach.json["lesson"] == world.ids["fresh_x"]
    again = client.post(
        f"/api/v1/lesson-plans/{world.ids['plan_public']}/lessons",
        json={"lesson": world.ids["fresh_x"]},
        headers=a,
    )
    assert again.status_code == 409
    assert (
        client.post(
            f"/api/v1/lesson-plans/{world.ids['plan_public']}/lessons",
            json={"lesson": world.ids["fresh_x"]},
            headers=b,
        ).status_code
        == 403
    )
    assert _count(app, LessonPlanAttachment) == 1
    assert (
        client.delete(
            f"/api/v1/lesson-plans/{world.ids['plan_public']}/lessons/{world.ids['fresh_x']}", headers=a
        ).status_code
        == 204
    )
    assert _count(app, LessonPlanAttachment) == 0
    assert client.delete(f"/api/v1/lesson-plans/{plan_id}", headers=b).status_code == 204
    assert _count(app, LessonPlan) == 3


def test_read_only_api_key_scope_cannot_write(client, world):
    """Read actions are marked read-only; writes need the write scope (checked via can())."""
    from app.core.permissions import READ_ONLY_ACTIONS

    assert {"notes.view", "goals.view", "practice.view", "lesson_plans.view"} <= READ_ONLY_ACTIONS
    assert not {"notes.write", "goals.manage", "practice.record"} & READ_ONLY_ACTIONS
