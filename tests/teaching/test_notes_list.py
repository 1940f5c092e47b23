"""The notes list at studio scale: staff search by student name instead of choosing among
every student; links to one student's notes still filter and name the student."""
import uuid

from app.extensions import db
from app.people.models import Student
from tests.conftest import web_login

HX = {"HX-Request": "true"}


def _get(client, world, who, query=""):
    web_login(client, world.emails[who])
    return client.get(f"/notes{query}").get_data(as_text=True)


def test_staff_search_notes_by_any_part_of_a_students_name(client, world):
    html = _get(client, world, "admin", "?student_q=URI+wh")
    assert "Y-NOTE" in html and "Great" not in html
    assert 'name="student_q" value="URI wh"' in html
    assert '<select id="filter-student"' not in html  # no dropdown of every student


def test_an_empty_search_lists_every_note(client, world):
    html = _get(client, world, "admin", "?student_q=+")
    assert "Y-NOTE" in html and "Great" in html


def test_search_wildcards_are_plain_text(client, world):
    html = _get(client, world, "admin", "?student_q=%25")
    assert "0 notes" in html


def test_a_teachers_search_stays_within_their_students(client, world):
    html = _get(client, world, "teacher_a", "?student_q=Yuri")
    assert "Y-NOTE" not in html and "0 notes" in html


def test_search_never_reaches_another_studio(client, world, app):
    with app.app_context():
        foreign = db.session.get(Student, uuid.UUID(world.ids["other_student"]))
        name = foreign.full_name
    html = _get(client, world, "admin", f"?student_q={name}")
    assert "Foreign note" not in html and "0 notes" in html


def test_a_link_to_one_students_notes_filters_and_names_the_student(client, world):
    html = _get(client, world, "admin", f"?student={world.ids['kid_y']}")
    assert "Y-NOTE" in html and "Great" not in html
    assert "Student: <strong>Yuri Why</strong>" in html
    assert f'<input type="hidden" name="student" value="{world.ids["kid_y"]}">' in html
    assert "Show all students" in html


def test_a_student_the_teacher_does_not_teach_is_neither_named_nor_shown(client, world):
    html = _get(client, world, "teacher_a", f"?student={world.ids['kid_y']}")
    assert "Yuri" not in html and "Y-NOTE" not in html and "0 notes" in html


def test_htmx_search_answers_only_the_results(client, world):
    web_login(client, world.emails["admin"])
    response = client.get("/notes?student_q=xena", headers=HX)
    body = response.get_data(as_text=True)
    assert 'id="note-results"' in body and 'class="filters"' not in body and "Great" in body
    assert "HX-Request" in response.headers["Vary"]


def test_parents_choose_among_their_own_children(client, world):
    html = _get(client, world, "parent_x", f"?student={world.ids['kid_x']}")
    assert '<select id="filter-student" name="student">' in html
    assert "Xena Ex" in html and "Xavi Ex" in html and "Yuri" not in html
    assert f'<option value="{world.ids["kid_x"]}" selected>' in html
    assert 'name="student_q"' not in html


def test_families_cannot_search_by_name(client, world):
    html = _get(client, world, "parent_y", "?student_q=Xena")
    assert "Y-NOTE" in html  # the search is staff-only: ignored, the family's notes stay listed
