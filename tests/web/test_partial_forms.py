"""Forms bound to a record and posted without some fields answer with field errors, never
a 500 (the record's list values must not be mistaken for the form's text)."""
from app.extensions import db
from tests.conftest import post_form, web_login


def test_teacher_and_room_forms_posted_without_list_fields_do_not_fail(client, make):
    studio = make.studio()
    admin = make.member(studio, "admin")
    teacher = make.teacher(studio, specialties=["jazz"], instruments=["piano", "organ"])
    room = make.room(studio, equipment=["piano", "stand"])
    db.session.commit()
    web_login(client, admin.email)

    teacher_edit = post_form(client, f"/teachers/{teacher.id}/edit", {"bio": "x"})
    room_edit = post_form(client, f"/rooms/{room.id}", {"name": "Studio B"})

    assert teacher_edit.status_code < 500
    assert room_edit.status_code < 500
