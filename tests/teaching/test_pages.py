"""The teaching pages: visibility on pages, htmx partials, forms, sanitising, CSRF."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Studio
from app.extensions import db
from app.teaching.models import Goal, LessonNote, PracticeLog
from tests.conftest import csrf_token, web_login
from tests.factories import studio_today

HX = {"HX-Request": "true"}


def _login(client, world, who):
    web_login(client, world.emails[who])


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- visibility on pages

PAGE_MATRIX = {
    "teacher_a": ({"Great", "PARENT-ONLY", "STUDENT-ONLY"}, {"Y-NOTE"}),
    "teacher_b": ({"Y-NOTE"}, {"Great", "PARENT-ONLY", "STUDENT-ONLY"}),
    "parent_x": ({"Great", "PARENT-ONLY"}, {"STUDENT-ONLY", "Y-NOTE"}),
    "parent_y": ({"Y-NOTE"}, {"Great", "PARENT-ONLY", "STUDENT-ONLY"}),
    "student_x": ({"Great", "STUDENT-ONLY"}, {"PARENT-ONLY", "Y-NOTE"}),
    "admin": ({"Great", "PARENT-ONLY", "STUDENT-ONLY", "Y-NOTE"}, set()),
}


@pytest.mark.parametrize("who", sorted(PAGE_MATRIX))
def test_notes_page_shows_only_visible_notes(client, world, who):
    _login(client, world, who)
    html = client.get("/notes").get_data(as_text=True)
    shown, hidden = PAGE_MATRIX[who]
    assert all(text in html for text in shown), who
    assert not any(text in html for text in hidden), who
    assert "Foreign note" not in html


@pytest.mark.parametrize("who", sorted(PAGE_MATRIX))
def test_dashboard_portal_and_student_tab_follow_the_same_rules(client, world, who):
    _login(client, world, who)
    shown, hidden = PAGE_MATRIX[who]
    home = client.get("/").get_data(as_text=True)
    assert not any(text in home for text in hidden)
    tab = client.get(f"/students/{world.ids['kid_x']}/notes", headers=HX)
    if who in ("parent_y",):
        assert tab.status_code == 404
        return
    body = tab.get_data(as_text=True)
    assert not any(text in body for text in hidden)


def test_parent_portal_shows_notes_assignments_goals_and_practice(client, world):
    _login(client, world, "parent_x")
    html = client.get("/").get_data(as_text=True)
    assert "Great <strong>scales</strong> today." in html
    assert "Scale C, 10 min daily" in html
    assert "Für Elise" in html and '<progress value="40" max="100"' in html
    assert "25 of 90 min" in html
    assert "STUDENT-ONLY" not in html and "Y goal" not in html


def test_student_portal_hides_the_note_hidden_from_students(client, world):
    _login(client, world, "student_x")
    html = client.get("/").get_data(as_text=True)
    assert "STUDENT-ONLY" in html and "PARENT-ONLY" not in html


def test_teacher_dashboard_lists_notes_to_write_with_inline_form(client, world):
    _login(client, world, "teacher_a")
    html = client.get("/").get_data(as_text=True)
    assert "Notes to write" in html
    assert f"/lessons/{world.ids['group']}/note?student=" in html


# ---------------------------------------------------------------- sanitising


def test_script_in_a_note_renders_inert(client, world, app):
    _login(client, world, "teacher_a")
    summary = (
        '<script>alert("x")</script> **bold** <img src=x onerror=alert(1)> '
        '[click](javascript:alert(1)) <a href="https://ok.test" onclick="evil()">ok</a>'
    )
    token = csrf_token(client, f"/lessons/{world.ids['fresh_x']}/note")
    response = client.post(
        f"/lessons/{world.ids['fresh_x']}/note",
        data={
            "csrf_token": token,
            "student": world.ids["kid_x"],
            "summary": summary,
            "visible_to_parent": "y",
        },
        headers=HX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html
    assert "onclick" not in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://ok.test"' in html and 'rel="noopener noreferrer nofollow"' in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    _login(client, world, "parent_x")
    portal = client.get("/").get_data(as_text=True)
    assert "<strong>bold</strong>" in portal and "<script>alert" not in portal


def test_render_markdown_strips_everything_dangerous():
    from app.core.richtext import render_markdown

    html = str(render_markdown('<iframe src="x"></iframe><style>b{}</style>\n\n# Title\n\n- a\n- b'))
    assert "iframe" not in html and "<style" not in html
    assert "<li>a</li>" in html


# ---------------------------------------------------------------- writing notes on pages


def test_note_form_is_a_partial_for_htmx_and_a_page_otherwise(client, world):
    _login(client, world, "teacher_a")
    url = f"/lessons/{world.ids['fresh_x']}/note"
    partial = client.get(url, headers=HX)
    assert partial.status_code == 200 and "<html" not in partial.get_data(as_text=True)
    assert 'hx-post="' + url in partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers.get("Vary", "")
    page = client.get(url)
    assert "<html" in page.get_data(as_text=True) and "Write a lesson note" in page.get_data(as_text=True)


def test_writing_a_note_from_the_page_redirects_and_stores_it(client, world, app):
    _login(client, world, "teacher_a")
    url = f"/lessons/{world.ids['fresh_x']}/note"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "student": world.ids["kid_x"],
            "summary": "Page note",
            "assignments": "One\n\nTwo\n",
            "practice_target_minutes": "60",
            "visible_to_parent": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        note = db.session.scalar(select(LessonNote).where(LessonNote.summary == "Page note"))
        assert note.assignments == ["One", "Two"] and note.practice_target_minutes == 60
        assert note.visible_to_parent is True and note.visible_to_student is False


def test_htmx_note_save_answers_the_card_and_announces_it(client, world):
    _login(client, world, "teacher_a")
    url = f"/lessons/{world.ids['fresh_x']}/note"
    response = client.post(
        url,
        headers=HX,
        data={"csrf_token": csrf_token(client, url), "student": world.ids["kid_x"], "summary": "Inline"},
    )
    assert response.status_code == 200
    assert "notes-changed" in response.headers["HX-Trigger"]
    assert "Note for" in response.get_data(as_text=True)


def test_empty_summary_is_422_with_the_error_next_to_the_field(client, world, app):
    _login(client, world, "teacher_a")
    url = f"/lessons/{world.ids['fresh_x']}/note"
    before = _count(app, LessonNote)
    response = client.post(url, headers=HX, data={"csrf_token": csrf_token(client, url), "summary": ""})
    assert response.status_code == 422
    assert 'id="summary-error"' in response.get_data(as_text=True)
    assert _count(app, LessonNote) == before


def test_note_post_without_csrf_is_refused(client, world, app):
    _login(client, world, "teacher_a")
    before = _count(app, LessonNote)
    response = client.post(f"/lessons/{world.ids['fresh_x']}/note", data={"summary": "x"})
    assert response.status_code in (400, 422)
    assert _count(app, LessonNote) == before


def test_teacher_b_writing_on_teacher_as_lesson_is_flashed_and_redirected(client, world, app):
    _login(client, world, "teacher_b")
    before = _count(app, LessonNote)
    response = client.get(f"/lessons/{world.ids['fresh_x']}/note")
    assert response.status_code == 302
    assert client.get(f"/lessons/{world.ids['fresh_x']}/note", headers=HX).status_code == 403
    assert _count(app, LessonNote) == before


def test_editing_a_note_inline(client, world, app):
    _login(client, world, "teacher_a")
    url = f"/notes/{world.ids['shared']}/edit"
    form = client.get(url, headers=HX).get_data(as_text=True)
    assert "Great **scales** today." in form
    response = client.post(
        url,
        headers=HX,
        data={"csrf_token": csrf_token(client, url), "summary": "Edited", "visible_to_student": "y"},
    )
    assert response.status_code == 200
    with app.app_context():
        note = db.session.get(LessonNote, __import__("uuid").UUID(world.ids["shared"]))
        assert note.summary == "Edited" and note.visible_to_parent is False


def test_lesson_panel_lists_notes_and_attaches_plans(client, world, app):
    _login(client, world, "teacher_a")
    panel = client.get(f"/lessons/{world.ids['lesson_x']}/teaching", headers=HX).get_data(as_text=True)
    assert "Great <strong>scales</strong>" in panel and "Attach plan" in panel
    url = f"/lessons/{world.ids['lesson_x']}/plans"
    response = client.post(
        url,
        headers=HX,
        data={"csrf_token": csrf_token(client, "/lesson-plans"), "plan": world.ids["plan_public"]},
    )
    assert response.status_code == 200 and "Public scales plan" in response.get_data(as_text=True)


# ---------------------------------------------------------------- goals on pages


def test_goals_tab_and_inline_progress_update(client, world, app):
    _login(client, world, "teacher_a")
    tab = client.get(f"/students/{world.ids['kid_x']}/goals", headers=HX).get_data(as_text=True)
    assert '<progress value="40" max="100"' in tab and "New goal" in tab
    url = f"/goals/{world.ids['goal_x']}/progress"
    token = csrf_token(client, f"/students/{world.ids['kid_x']}/goals")
    response = client.post(
        url, headers=HX, data={"csrf_token": token, "progress_percentage": "70", "progress_note": "Bars 1-20"}
    )
    assert response.status_code == 200 and '<progress value="70"' in response.get_data(as_text=True)
    bad = client.post(url, headers=HX, data={"csrf_token": token, "progress_percentage": "170"})
    assert bad.status_code == 422
    with app.app_context():
        goal = db.session.get(Goal, __import__("uuid").UUID(world.ids["goal_x"]))
        assert goal.progress_percentage == 70 and goal.history[0].note == "Bars 1-20"


def test_new_goal_form(client, world, app):
    _login(client, world, "teacher_a")
    url = f"/students/{world.ids['kid_x']}/goals/new"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "title": "Scales in all keys",
            "progress_percentage": "0",
            "status": "active",
        },
    )
    assert response.status_code == 302
    assert _count(app, Goal) == 4


def test_parents_see_goals_without_edit_controls(client, world):
    _login(client, world, "parent_x")
    tab = client.get(f"/students/{world.ids['kid_x']}/goals", headers=HX).get_data(as_text=True)
    assert (
        "Für Elise" in tab and "/goals/new" not in tab and f"/goals/{world.ids['goal_x']}/progress" not in tab
    )
    assert client.get(f"/students/{world.ids['kid_y']}/goals").status_code == 404


# ---------------------------------------------------------------- practice on pages


def test_parent_logs_practice_from_the_practice_page(client, world, app):
    _login(client, world, "parent_x")
    page = client.get("/practice").get_data(as_text=True)
    assert "Log practice" in page and "Xena" in page and "Yuri" not in page
    response = client.post(
        "/practice",
        data={
            "csrf_token": csrf_token(client, "/practice"),
            "student": world.ids["kid_x"],
            "date": studio_today().isoformat(),
            "minutes": "40",
            "pieces": "Minuet; Scales",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        log = db.session.scalar(select(PracticeLog).where(PracticeLog.minutes == 40))
        assert log.pieces == ["Minuet", "Scales"]


@pytest.mark.parametrize(
    "fields",
    [
        {"minutes": "10000"},
        {"minutes": "0"},
        {"date": (studio_today() + timedelta(days=3)).isoformat()},
        {"student": "not-a-student"},
    ],
)
def test_bad_practice_on_the_page_is_422(client, world, app, fields):
    _login(client, world, "parent_x")
    before = _count(app, PracticeLog)
    data = {
        "csrf_token": csrf_token(client, "/practice"),
        "student": world.ids["kid_x"],
        "date": studio_today().isoformat(),
        "minutes": "30",
        **fields,
    }
    assert client.post("/practice", data=data).status_code == 422
    assert _count(app, PracticeLog) == before


def test_parent_cannot_post_practice_for_another_family_on_the_page(client, world, app):
    _login(client, world, "parent_y")
    before = _count(app, PracticeLog)
    data = {
        "csrf_token": csrf_token(client, "/practice"),
        "student": world.ids["kid_x"],
        "date": studio_today().isoformat(),
        "minutes": "30",
    }
    assert client.post("/practice", data=data).status_code == 422
    assert client.post(f"/students/{world.ids['kid_x']}/practice", data=data).status_code == 404
    assert _count(app, PracticeLog) == before


def test_teacher_sees_weekly_summary_against_the_target(client, world):
    _login(client, world, "teacher_a")
    html = client.get("/practice").get_data(as_text=True)
    assert "Xena Ex" in html and "25 of 90 min" in html and "Yuri" not in html
    assert "Previous week" in html


def test_practice_tab_for_staff_and_family(client, world):
    _login(client, world, "teacher_b")
    assert client.get(f"/students/{world.ids['kid_x']}/practice", headers=HX).status_code == 404
    studio = db.session.get(Studio, uuid.UUID(world.studio_id))
    studio.teachers_see_all_students = True
    db.session.commit()
    assert "own students only" in client.get(f"/students/{world.ids['kid_x']}/practice", headers=HX).get_data(
        as_text=True
    )


# ---------------------------------------------------------------- lesson plans on pages


def test_plan_library_filters_and_renders_markdown(client, world):
    _login(client, world, "teacher_b")
    index = client.get("/lesson-plans?specialty=piano").get_data(as_text=True)
    assert "Public scales plan" in index and "Ana private plan" not in index
    assert client.get(f"/lesson-plans/{world.ids['plan_private']}").status_code == 404
    partial = client.get("/lesson-plans?q=scales", headers=HX).get_data(as_text=True)
    assert "<html" not in partial and "Public scales plan" in partial


def test_teacher_creates_and_edits_a_plan(client, world):
    _login(client, world, "teacher_b")
    response = client.post(
        "/lesson-plans/new",
        data={
            "csrf_token": csrf_token(client, "/lesson-plans/new"),
            "title": "Walking bass",
            "specialty": "Bass",
            "content": "## Steps\n\n1. Roots\n2. <script>x</script>Fifths",
        },
    )
    assert response.status_code == 302
    show = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h2>Steps</h2>" in show
    assert "<script>x" not in show and "Roots" in show
    edit = client.get(f"/lesson-plans/{world.ids['plan_public']}/edit")
    assert edit.status_code == 302  # not the author: flash and back
