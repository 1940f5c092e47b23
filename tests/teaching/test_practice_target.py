"""A child's weekly practice target is one number, whoever looks: the parent, the student
and the teacher see the target of the latest note shared with the family."""
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from app.people.models import Student
from app.scheduling.models import Lesson
from tests.conftest import web_login


def _target_shown(client, world, who, path):
    client = type(client)(client.application)  # a browser of their own
    web_login(client, world.emails[who])
    html = client.get(path).get_data(as_text=True)
    return sorted(set(re.findall(r"25 of (\d+) min", html)))


def _newer_note(make, world, **flags):
    kid = db.session.get(Student, uuid.UUID(world.ids["kid_x"]))
    lesson_x = db.session.get(Lesson, uuid.UUID(world.ids["lesson_x"]))
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=3)
    lesson = make.lesson(_studio(kid), lesson_x.teacher, [kid], start=start, status="completed")
    make.note(lesson, practice_target_minutes=150, **flags)
    db.session.commit()


def _studio(kid):
    from app.accounts.models import Studio

    return db.session.get(Studio, kid.studio_id)


@pytest.mark.parametrize("path", ["/practice", "/"])
def test_parent_and_student_see_one_target_when_the_latest_is_for_parents(client, make, world, path):
    _newer_note(make, world, visible_to_student=False)
    assert _target_shown(client, world, "parent_x", path) == ["150"]
    assert _target_shown(client, world, "student_x", path) == ["150"]
    assert "150" in "".join(_target_shown(client, world, "teacher_a", "/practice"))


def test_a_note_kept_from_the_family_sets_no_target(client, make, world):
    _newer_note(make, world, visible_to_student=False, visible_to_parent=False)
    for who in ("parent_x", "student_x", "teacher_a"):
        assert _target_shown(client, world, who, "/practice") == ["90"]
