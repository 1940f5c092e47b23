"""Teachers, families, students, import and export: every route × every caller."""
import io

import pytest

from tests.security.authorization.engine import (
    ALL,
    DENY,
    DONE,
    FAMILY,
    STAFF,
    M,
    Row,
    api,
    cases,
    check,
    page,
)
from tests.security.authorization.world import unique


def new_teacher_body(ids):
    return {"user": {"email": f"{unique('new.teacher')}@example.test", "first_name": "Nia",
                     "password": "a-good-password"}}


def csv_upload():
    data = b"student_first_name,student_last_name,family_name\nNew,Pupil,Pupil Family\n"
    return {"file": (io.BytesIO(data), "students.csv")}


WINDOW = [{"weekday": 1, "start_time": "15:00", "end_time": "18:00"}]
PHONE = {"phone_number": "+1 555 0199"}
TEACHER_SEES = (*STAFF, "parent")

ROWS = [
    # ------------------------------------------------------------------ API: teachers
    Row("GET", "/api/v1/teachers", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/teachers", api(M, 201, other=201), new_teacher_body),
    Row("GET", "/api/v1/teachers/{other_teacher}", api(ALL, 200)),
    Row("GET", "/api/v1/teachers/{foreign_teacher}", api((), 200, hidden=ALL, other=200),
        label="another studio's"),
    Row("PATCH", "/api/v1/teachers/{other_teacher}", api(M, 200), {"bio": "Hi"}),
    Row("PATCH", "/api/v1/teachers/{other_teacher}", api(M, 400), {"bio": 12, "nope": True},
        label="invalid body"),
    Row("PATCH", "/api/v1/teachers/{own_teacher}", api((*M, "teacher"), 200), {"bio": "Hi"},
        label="own"),
    Row("PATCH", "/api/v1/teachers/{foreign_teacher}", api((), 200, hidden=STAFF, other=200), {},
        label="another studio's"),
    Row("DELETE", "/api/v1/teachers/{new_teacher}", api(M, 204)),
    Row("GET", "/api/v1/teachers/{other_teacher}/availability", api(ALL, 200)),
    Row("GET", "/api/v1/teachers/{foreign_teacher}/availability", api((), 200, hidden=ALL, other=200),
        label="another studio's"),
    Row("PUT", "/api/v1/teachers/{other_teacher}/availability", api(M, 200), []),
    Row("PUT", "/api/v1/teachers/{own_teacher}/availability", api((*M, "teacher"), 200), WINDOW,
        label="own"),
    # ------------------------------------------------------------------ API: students
    Row("GET", "/api/v1/students", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/students", api(M, 201, other=201), {"first_name": "Nova"}),
    Row("POST", "/api/v1/students", api(M, 400, other=400), {"junk": 1}, label="invalid body"),
    Row("GET", "/api/v1/students/{child}", api(TEACHER_SEES, 200, hidden=("student",))),
    Row("GET", "/api/v1/students/{kid}", api(ALL, 200), label="the student themself"),
    Row("GET", "/api/v1/students/{stranger}", api(M, 200, hidden=(*FAMILY, "teacher")),
        label="another family's"),
    Row("GET", "/api/v1/students/{foreign_student}", api((), 200, hidden=ALL, other=200),
        label="another studio's"),
    Row("PATCH", "/api/v1/students/{child}", api(M, 200), {"notes": "x"}),
    Row("PATCH", "/api/v1/students/{foreign_student}", api((), 200, hidden=M, other=200), {},
        label="another studio's"),
    Row("DELETE", "/api/v1/students/{new_student}", api(M, 204)),
    # ------------------------------------------------------------------ API: families
    Row("GET", "/api/v1/families", api(TEACHER_SEES, 200, other=200)),
    Row("POST", "/api/v1/families", api(M, 201, other=201), {"name": "New Family"}),
    Row("GET", "/api/v1/families/{parent_family}", api(TEACHER_SEES, 200)),
    Row("GET", "/api/v1/families/{other_family}", api(M, 200, hidden=("parent", "teacher")),
        label="another family"),
    Row("GET", "/api/v1/families/{foreign_family}", api((), 200, hidden=TEACHER_SEES, other=200),
        label="another studio's"),
    Row("PATCH", "/api/v1/families/{parent_family}", api((*M, "parent"), 200), PHONE),
    Row("PATCH", "/api/v1/families/{other_family}", api(M, 200, hidden=("parent",)), PHONE,
        label="another family"),
    Row("PATCH", "/api/v1/families/{foreign_family}", api((), 200, hidden=(*M, "parent"), other=200), {},
        label="another studio's"),
    Row("DELETE", "/api/v1/families/{new_family}", api(M, 204)),
    Row("POST", "/api/v1/families/{parent_family}/guardians", api(M, 201), {"first_name": "Gran"}),
    Row("DELETE", "/api/v1/families/{family}/guardians/{new_guardian}", api(M, 204)),
    # ------------------------------------------------------------------ pages: teachers
    Row("GET", "/teachers", page(ALL, 200, other=200)),
    Row("GET", "/teachers/new", page(M, 200, other=200)),
    Row("POST", "/teachers/new", page(M, DONE, other=DONE),
        lambda ids: {"email": f"{unique('page.teacher')}@example.test", "first_name": "Ada"}),
    Row("GET", "/teachers/{other_teacher}", page(ALL, 200)),
    Row("GET", "/teachers/{other_teacher}/edit", page(M, 200)),
    Row("POST", "/teachers/{other_teacher}/edit", page(M, DONE), {"bio": "Hi", "calendar_color": "#5b3cc4"}),
    Row("GET", "/teachers/{own_teacher}/edit", page((*M, "teacher"), 200), label="own"),
    Row("POST", "/teachers/{own_teacher}/edit", page((*M, "teacher"), DONE),
        {"bio": "Hi", "calendar_color": "#5b3cc4"}, label="own"),
    Row("GET", "/teachers/{own_teacher}/availability", page((*M, "teacher"), 200)),
    Row("POST", "/teachers/{own_teacher}/availability", page((*M, "teacher"), DONE),
        {"windows-0-weekday": "1", "windows-0-start_time": "15:00", "windows-0-end_time": "18:00"}),
    Row("POST", "/teachers/{new_teacher}/archive", page(M, DONE)),
    Row("POST", "/teachers/{new_teacher}/restore", page(M, DONE)),
    Row("GET", "/me/teaching", page(("teacher",), DONE, other=DENY)),
    # ------------------------------------------------------------------ pages: families
    Row("GET", "/families", page(STAFF, 200, other=200)),
    Row("GET", "/families/new", page(M, 200, other=200)),
    Row("POST", "/families/new", page(M, DONE, other=DONE), lambda ids: {"name": unique("Family ")}),
    Row("GET", "/families/{parent_family}", page(TEACHER_SEES, 200)),
    Row("GET", "/families/{other_family}", page(M, 200, hidden=("parent", "teacher")),
        label="another family"),
    Row("GET", "/families/{parent_family}/edit", page(M, 200)),
    Row("POST", "/families/{parent_family}/edit", page(M, DONE), {"name": "Bennett Family"}),
    Row("GET", "/families/{parent_family}/contact", page((*M, "parent"), 200)),
    Row("POST", "/families/{parent_family}/contact", page((*M, "parent"), DONE), {"phone": "+1 555 0199"}),
    Row("POST", "/families/{parent_family}/guardians", page(M, DONE), {"first_name": "X"}),
    Row("POST", "/families/{family}/guardians/{new_guardian}/remove", page(M, DONE)),
    Row("POST", "/families/{family}/guardians/{new_guardian}/invite", page(M, DONE)),
    Row("POST", "/families/{family}/guardians/{new_parent_guardian}/primary", page(M, DONE)),
    Row("POST", "/families/{new_family}/delete", page(M, DONE)),
    Row("GET", "/my/family", page(("parent",), DONE, other=DENY)),
    # ------------------------------------------------------------------ pages: students
    Row("GET", "/students", page(TEACHER_SEES, 200, other=200, student=DONE)),
    Row("GET", "/students/new", page(M, 200, other=200)),
    Row("POST", "/students/new", page(M, DONE, other=DONE),
        {"first_name": "Nova", "new_family_name": "Nova Family", "default_lesson_minutes": "30",
         "login": "none"}),
    Row("GET", "/students/{child}", page(TEACHER_SEES, 200, hidden=("student",))),
    Row("GET", "/students/{kid}", page(ALL, 200), label="the student themself"),
    Row("GET", "/students/{stranger}", page(M, 200, hidden=(*FAMILY, "teacher")), label="another family's"),
    Row("GET", "/students/{child}/edit", page(M, 200)),
    Row("POST", "/students/{child}/edit", page(M, DONE),
        {"first_name": "Lily", "last_name": "Bennett", "family": "{family}",
         "primary_teacher": "{own_teacher}", "default_lesson_minutes": "30", "login": "none"}),
    Row("POST", "/students/{new_student}/archive", page(M, DONE)),
    Row("POST", "/students/{new_student}/restore", page(M, DONE)),
    Row("POST", "/students/{new_student}/login", page(M, DONE),
        lambda ids: {"login_email": f"{unique('pupil')}@example.test"}),
    Row("GET", "/me/student", page(("student",), DONE, other=DENY)),
    # ------------------------------------------------------------------ pages: import, export
    Row("GET", "/people/import", page(M, 200, other=200)),
    Row("POST", "/people/import", page(M, DONE, other=DONE), files=csv_upload),
    Row("GET", "/people/import/{new_import}", page(M, 200)),
    Row("POST", "/people/import/{new_import}/commit", page(M, DONE)),
    Row("GET", "/people/export/students.csv", page(M, 200, other=200)),
    Row("GET", "/people/export/families.csv", page(M, 200, other=200)),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
