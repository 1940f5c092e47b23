"""Announcements: every route × every caller. Admins send to anyone; Theo (the teacher) to
his own students only; families never. Three announcements of ours: the admin's to all
families (the parent, the student and the Okafors received it; Theo did not), Theo's to his
students, and Clara's to hers (only the Okafors received it); and one of another studio.
The unsubscribe page answers to its signed token alone, signed in or not."""
import uuid

import pytest

from app.extensions import db
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

TO_TEACHERS = {"subject": "Staff meeting", "body": "Friday at 5.", "audience": "teachers"}
PREVIEW_FAMILIES = {"audience": "families"}


def _own_students(ids):
    return {"subject": "Scales", "body": "Practise.", "audience": "teacher_students",
            "audience_value": ids["own_teacher"]}


def _preview_own_students(ids):
    return {"audience": "teacher_students", "audience_value": ids["own_teacher"]}


def _colleagues_students(ids):
    return {**_own_students(ids), "audience_value": ids["other_teacher"]}


@pytest.fixture(scope="module")
def matrix(matrix):
    """The module's world, with its announcements and an unsubscribe token."""
    from app.accounts.models import Studio, User
    from app.messaging.services import announcements

    world = matrix.world
    with matrix.app.test_request_context():
        studio = db.session.get(Studio, uuid.UUID(world.studio_id))
        foreign = db.session.get(Studio, uuid.UUID(world.foreign_id))

        def user(name):
            return db.session.get(User, uuid.UUID(world.user_ids[name]))

        def send(studio, sender, audience, value=""):
            return str(announcements.send_announcement(
                studio, user(sender), subject=f"To {audience}", body="Hello.", audience=audience,
                audience_value=value).id)

        world.ids.update(
            ann_families=send(studio, "admin", "families"),
            ann_teacher=send(studio, "teacher", "teacher_students", world.ids["own_teacher"]),
            ann_colleague=send(studio, "colleague", "teacher_students", world.ids["other_teacher"]),
            foreign_announcement=send(foreign, "other", "teachers"),
            unsubscribe_token=announcements.unsubscribe_token(user("parent2")),
        )
        db.session.commit()
    return matrix


ROWS = [
    # ------------------------------------------------------------------ API
    Row("GET", "/api/v1/announcements", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/announcements", api(STAFF, 400, other=400), INVALID, label="invalid body"),
    Row("POST", "/api/v1/announcements", api(M, 201, other=201), TO_TEACHERS, label="to teachers"),
    Row("POST", "/api/v1/announcements", api(STAFF, 201, other=400), _own_students,
        label="to Theo's students"),
    Row("POST", "/api/v1/announcements", api(M, 201, other=400), _colleagues_students,
        label="to Clara's students"),
    Row("POST", "/api/v1/announcements/preview", api(STAFF, 400, other=400), INVALID,
        label="invalid body"),
    Row("POST", "/api/v1/announcements/preview", api(M, 200, other=200), PREVIEW_FAMILIES),
    Row("POST", "/api/v1/announcements/preview", api(STAFF, 200, other=400), _preview_own_students,
        label="Theo's students"),
    Row("GET", "/api/v1/announcements/{ann_families}", api((*M, *FAMILY), 200, hidden=("teacher",))),
    Row("GET", "/api/v1/announcements/{ann_teacher}", api(ALL, 200), label="Theo's"),
    Row("GET", "/api/v1/announcements/{ann_colleague}", api(M, 200, hidden=("teacher", *FAMILY)),
        label="Clara's"),
    Row("GET", "/api/v1/announcements/{foreign_announcement}", api((), 200, hidden=ALL, other=200),
        label="another studio's"),
    # ------------------------------------------------------------------ pages
    Row("GET", "/announcements", page(ALL, 200, other=200)),
    Row("GET", "/announcements/new", page(STAFF, 200, other=200)),
    # A teacher's form is fixed to their own students, whatever it posts.
    Row("POST", "/announcements/new", page(STAFF, DONE, other=DONE), {**TO_TEACHERS, "action": "send"}),
    Row("POST", "/announcements/new", page(STAFF, 200, other=200), {**TO_TEACHERS, "action": "review"},
        label="review"),
    Row("GET", "/announcements/preview?audience=families", page(STAFF, 200, other=200)),
    Row("GET", "/announcements/{ann_families}", page((*M, *FAMILY), 200, hidden=("teacher",))),
    Row("GET", "/announcements/{ann_colleague}", page(M, 200, hidden=("teacher", *FAMILY)),
        label="Clara's"),
    Row("GET", "/announcements/{foreign_announcement}", page((), 200, hidden=ALL, other=200),
        label="another studio's"),
    Row("GET", "/unsubscribe/{unsubscribe_token}", page(ALL, 200, other=200, anonymous=200)),
    Row("POST", "/unsubscribe/{unsubscribe_token}", page(ALL, 200, other=200, anonymous=200)),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
