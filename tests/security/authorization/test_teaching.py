"""Lesson notes, goals, lesson plans, practice logs: every route × every caller. "Ours" are
the records of Theo's student (the signed-in student, the parent's child); "theirs" are
Clara's, of the Okafor child, so the teacher meets a colleague's records and the parent and
student another family's."""

import pytest

from tests.factories import studio_today
from tests.security.authorization.engine import (
    ALL,
    DONE,
    FAMILY,
    INVALID,
    STAFF,
    M,
    Row,
    api,
    cases,
    check,
    page,
)

NOTE_FORM = {"summary": "Scales and arpeggios.", "visible_to_parent": "y", "visible_to_student": "y",
             "student": "{kid}"}
GOAL_FORM = {"title": "Play a scale", "progress_percentage": "10", "status": "active"}
PLAN_FORM = {"title": "Warm-ups", "content": "Long tones.", "is_public": "y"}
PROGRESS = {"progress_percentage": "50"}
PRACTICE_FORM = {"student": "{kid}", "date": studio_today().isoformat(), "minutes": "20"}

ROWS = [
    # ------------------------------------------------------------------ API: lesson notes
    Row("GET", "/api/v1/lesson-notes", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/lesson-notes", api(STAFF, 400, other=400), INVALID, label="invalid body"),
    Row("GET", "/api/v1/lesson-notes/{shared}", api(ALL, 200)),
    Row("GET", "/api/v1/lesson-notes/{note_y}", api(M, 200, hidden=("teacher", *FAMILY)),
        label="theirs"),
    Row("PATCH", "/api/v1/lesson-notes/{shared}", api(STAFF, 400), INVALID, label="invalid body"),
    Row("PATCH", "/api/v1/lesson-notes/{note_y}", api(M, 400, hidden=("teacher",)), INVALID,
        label="theirs, invalid body"),
    Row("DELETE", "/api/v1/lesson-notes/{new_note}", api(STAFF, 204)),
    Row("DELETE", "/api/v1/lesson-notes/{new_colleague_note}", api(M, 204, hidden=("teacher",)),
        label="theirs"),
    # ------------------------------------------------------------------ API: goals
    Row("GET", "/api/v1/goals", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/goals", api(STAFF, 400, other=400), INVALID, label="invalid body"),
    Row("GET", "/api/v1/goals/{goal_x}", api(ALL, 200)),
    Row("GET", "/api/v1/goals/{goal_y}", api(M, 200, hidden=("teacher", *FAMILY)), label="theirs"),
    Row("PATCH", "/api/v1/goals/{goal_x}", api(STAFF, 400), INVALID, label="invalid body"),
    Row("PATCH", "/api/v1/goals/{goal_y}", api(M, 400, hidden=("teacher",)), INVALID,
        label="theirs, invalid body"),
    Row("DELETE", "/api/v1/goals/{new_goal}", api(STAFF, 204)),
    Row("DELETE", "/api/v1/goals/{new_colleague_goal}", api(M, 204, hidden=("teacher",)), label="theirs"),
    # ------------------------------------------------------------------ API: lesson plans
    Row("GET", "/api/v1/lesson-plans", api(STAFF, 200, other=200)),
    Row("POST", "/api/v1/lesson-plans", api(STAFF, 400, other=400), INVALID, label="invalid body"),
    Row("GET", "/api/v1/lesson-plans/{plan_private}", api(STAFF, 200)),
    Row("GET", "/api/v1/lesson-plans/{colleague_plan_private}", api(M, 200, hidden=("teacher",)),
        label="a colleague's private"),
    Row("PATCH", "/api/v1/lesson-plans/{plan_public}", api(STAFF, 400), INVALID, label="invalid body"),
    Row("PATCH", "/api/v1/lesson-plans/{colleague_plan_public}", api(M, 400), INVALID,
        label="a colleague's, invalid body"),
    Row("DELETE", "/api/v1/lesson-plans/{new_plan}", api(STAFF, 204)),
    Row("DELETE", "/api/v1/lesson-plans/{new_colleague_plan}", api(M, 204), label="a colleague's"),
    Row("POST", "/api/v1/lesson-plans/{plan_public}/lessons", api(STAFF, 400), INVALID,
        label="invalid body"),
    Row("DELETE", "/api/v1/lesson-plans/{plan_public}/lessons/{lesson_x}", api(STAFF, 204)),
    Row("DELETE", "/api/v1/lesson-plans/{colleague_plan_public}/lessons/{lesson_x}", api(STAFF, 204),
        label="a colleague's plan, own lesson"),
    Row("DELETE", "/api/v1/lesson-plans/{colleague_plan_public}/lessons/{lesson_y}", api(M, 204),
        label="a colleague's plan and lesson"),
    # ------------------------------------------------------------------ API: practice logs
    Row("GET", "/api/v1/practice-logs", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/practice-logs", api(ALL, 400, other=400), INVALID, label="invalid body"),
    Row("GET", "/api/v1/practice-logs/{practice_x}", api(ALL, 200)),
    Row("GET", "/api/v1/practice-logs/{practice_y}", api(M, 200, hidden=("teacher", *FAMILY)),
        label="theirs"),
    Row("PATCH", "/api/v1/practice-logs/{practice_x}", api(ALL, 400), INVALID, label="invalid body"),
    Row("PATCH", "/api/v1/practice-logs/{practice_y}", api(M, 400, hidden=("teacher", *FAMILY)), INVALID,
        label="theirs, invalid body"),
    Row("DELETE", "/api/v1/practice-logs/{new_practice}", api(ALL, 204)),
    Row("DELETE", "/api/v1/practice-logs/{new_colleague_practice}", api(M, 204, hidden=("teacher", *FAMILY)),
        label="theirs"),
    # ------------------------------------------------------------------ pages: notes
    Row("GET", "/notes", page(ALL, 200, other=200)),
    Row("GET", "/lessons/{fresh_x}/note", page(STAFF, 200)),
    Row("GET", "/lessons/{fresh_y}/note", page(M, 200), label="a colleague's lesson"),
    Row("POST", "/lessons/{new_past_lesson}/note", page(STAFF, DONE), NOTE_FORM),
    Row("GET", "/lessons/{lesson_x}/teaching", page(ALL, 200)),
    Row("GET", "/lessons/{lesson_y}/teaching", page(STAFF, 200, hidden=FAMILY), label="theirs"),
    Row("GET", "/notes/{shared}/edit", page(STAFF, 200)),
    Row("GET", "/notes/{note_y}/edit", page(M, 200, hidden=("teacher",)), label="theirs"),
    Row("POST", "/notes/{new_note}/edit", page(STAFF, DONE), NOTE_FORM),
    Row("POST", "/notes/{new_note}/delete", page(STAFF, DONE)),
    Row("POST", "/notes/{new_colleague_note}/delete", page(M, DONE, hidden=("teacher",)), label="theirs"),
    Row("GET", "/students/{kid}/notes", page(ALL, 200)),
    Row("GET", "/students/{stranger}/notes", page(M, 200, hidden=(*FAMILY, "teacher")), label="theirs"),
    # ------------------------------------------------------------------ pages: goals
    Row("GET", "/students/{kid}/goals", page(ALL, 200)),
    Row("GET", "/students/{stranger}/goals", page(M, 200, hidden=(*FAMILY, "teacher")), label="theirs"),
    Row("GET", "/students/{kid}/goals/new", page(STAFF, 200)),
    Row("GET", "/students/{stranger}/goals/new", page(M, 200, hidden=("teacher",)), label="theirs"),
    Row("POST", "/students/{kid}/goals/new", page(STAFF, DONE), GOAL_FORM),
    Row("GET", "/goals/{goal_x}/edit", page(STAFF, 200)),
    Row("GET", "/goals/{goal_y}/edit", page(M, 200, hidden=("teacher",)), label="theirs"),
    Row("POST", "/goals/{new_goal}/edit", page(STAFF, DONE), GOAL_FORM),
    Row("POST", "/goals/{goal_x}/progress", page(STAFF, DONE), PROGRESS),
    Row("POST", "/goals/{goal_y}/progress", page(M, DONE, hidden=("teacher",)), PROGRESS, label="theirs"),
    Row("POST", "/goals/{new_goal}/delete", page(STAFF, DONE)),
    Row("POST", "/goals/{new_colleague_goal}/delete", page(M, DONE, hidden=("teacher",)), label="theirs"),
    # ------------------------------------------------------------------ pages: lesson plans
    Row("GET", "/lesson-plans", page(STAFF, 200, other=200)),
    Row("GET", "/lesson-plans/new", page(STAFF, 200, other=200)),
    Row("POST", "/lesson-plans/new", page(STAFF, DONE, other=DONE), PLAN_FORM),
    Row("GET", "/lesson-plans/{plan_public}", page(STAFF, 200)),
    Row("GET", "/lesson-plans/{colleague_plan_public}", page(STAFF, 200), label="a colleague's public"),
    Row("GET", "/lesson-plans/{plan_private}", page(STAFF, 200), label="own private"),
    Row("GET", "/lesson-plans/{colleague_plan_private}", page(M, 200, hidden=("teacher",)),
        label="a colleague's private"),
    Row("GET", "/lesson-plans/{plan_public}/edit", page(STAFF, 200)),
    Row("GET", "/lesson-plans/{colleague_plan_public}/edit", page(M, 200), label="a colleague's"),
    Row("POST", "/lesson-plans/{new_plan}/edit", page(STAFF, DONE), PLAN_FORM),
    Row("POST", "/lesson-plans/{new_private_plan}/delete", page(STAFF, DONE)),
    Row("POST", "/lesson-plans/{new_colleague_private_plan}/delete", page(M, DONE, hidden=("teacher",)),
        label="a colleague's private"),
    Row("POST", "/lessons/{new_past_lesson}/plans", page(STAFF, DONE), {"plan": "{plan_public}"}),
    Row("POST", "/lessons/{lesson_x}/plans/{plan_public}/detach", page(STAFF, DONE)),
    # ------------------------------------------------------------------ pages: practice
    Row("GET", "/practice", page(ALL, 200, other=200)),
    Row("POST", "/practice", page(FAMILY, DONE, other=200, owner=200, admin=200, teacher=200),
        PRACTICE_FORM, label="staff see the summary"),
    Row("GET", "/students/{kid}/practice", page(ALL, 200)),
    Row("GET", "/students/{stranger}/practice", page(M, 200, hidden=(*FAMILY, "teacher")), label="theirs"),
    Row("POST", "/students/{kid}/practice", page(ALL, DONE), PRACTICE_FORM),
    Row("POST", "/practice/{new_practice}/delete", page(ALL, DONE)),
    Row("POST", "/practice/{new_colleague_practice}/delete", page(M, DONE, hidden=("teacher", *FAMILY)),
        label="theirs"),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
