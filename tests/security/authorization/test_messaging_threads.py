"""Threads: every route × every caller. A thread is read by its participants only (an admin
who is not in it gets 404 too), a parent writes to the office and their children's teachers
but never to another family, and another studio's thread is 404 to everyone here.

Threads of the module: `thread_all` (owner, admin, teacher, parent, student),
`thread_family` (the parent, their child's teacher Theo and the child), `thread_staff`
(owner, admin, teacher), `thread_others` (Clara and the Okafor parent) and `foreign_thread`
(another studio's admin and teacher)."""
import uuid

import pytest

from app.extensions import db
from tests.security.authorization.engine import (
    ALL,
    DONE,
    INVALID,
    STAFF,
    Row,
    api,
    cases,
    check,
    page,
)

IN = {"thread_all": ALL, "thread_family": ("teacher", "parent", "student"),
      "thread_staff": STAFF, "thread_others": ()}


def _new(ids):
    return {"subject": "Hello", "participants": [ids.matrix.world.user_ids["admin"]],
            "initial_message": "Hi, *office*"}


def _to_other_family(ids):
    return {"subject": "Hello", "participants": [ids.matrix.world.user_ids["parent2"]],
            "initial_message": "Hi"}


def _form_to(name):
    return lambda ids: {"participants": ids.matrix.world.user_ids[name], "subject": "Hello",
                        "body": "Hi"}


def _rows():
    rows = [
        Row("GET", "/api/v1/threads", api(ALL, 200, other=200)),
        Row("POST", "/api/v1/threads", api(ALL, 400, other=400), INVALID, label="invalid body"),
        Row("POST", "/api/v1/threads", api(ALL, 201, other=400, admin=400), _new,
            label="to the office (the admin: only themself)"),
        Row("POST", "/api/v1/threads", api(STAFF, 201, other=400, denied=400), _to_other_family,
            label="to another family"),
        Row("GET", "/api/v1/threads/contacts", api(ALL, 200, other=200)),
        Row("GET", "/messages", page(ALL, 200, other=200)),
        Row("GET", "/messages/badge", page(ALL, 200, other=200)),
        Row("GET", "/messages/new", page(ALL, 200, other=200)),
        Row("POST", "/messages/new", page(ALL, DONE, other=422, admin=422),
            _form_to("admin"), label="to the office (the admin: only themself)"),
        Row("POST", "/messages/new", page(STAFF, DONE, other=422, denied=422),
            _form_to("parent2"), label="to another family"),
    ]
    for name, members in IN.items():
        rows += [
            Row("GET", f"/api/v1/threads/{{{name}}}", api(members, 200, hidden=ALL), label=name),
            Row("GET", f"/api/v1/threads/{{{name}}}/messages", api(members, 200, hidden=ALL),
                label=name),
            Row("POST", f"/api/v1/threads/{{{name}}}/messages", api(members, 201, hidden=ALL),
                {"body": "A reply"}, label=name),
            Row("POST", f"/api/v1/threads/{{{name}}}/messages", api(members, 400, hidden=ALL),
                INVALID, label=f"{name}, invalid body"),
            Row("POST", f"/api/v1/threads/{{{name}}}/read", api(members, 200, hidden=ALL),
                label=name),
            Row("GET", f"/messages/{{{name}}}", page(members, 200, hidden=ALL), label=name),
            Row("GET", f"/messages/{{{name}}}/messages", page(members, 200, hidden=ALL),
                label=name),
            Row("POST", f"/messages/{{{name}}}/reply", page(members, DONE, hidden=ALL),
                {"body": "A reply"}, label=name),
        ]
    rows += [
        Row("GET", "/api/v1/threads/{foreign_thread}", api((), hidden=ALL, other=200),
            label="another studio's"),
        Row("GET", "/messages/{foreign_thread}", page((), hidden=ALL, other=200),
            label="another studio's"),
        Row("POST", "/api/v1/threads/{foreign_thread}/messages", api((), hidden=ALL, other=201),
            {"body": "x"}, label="another studio's"),
        Row("GET", "/api/v1/threads/{missing}", api((), hidden=ALL), label="unknown id"),
    ]
    return rows


ROWS = _rows()


@pytest.fixture(scope="module", autouse=True)
def threads(matrix):
    """The module's threads, made once in the matrix's world."""
    from app.accounts.models import Studio, User
    from app.core.tenancy import Principal
    from app.messaging.services import create_thread

    world = matrix.world
    with matrix.app.test_request_context():
        def user(name):
            return db.session.get(User, uuid.UUID(world.user_ids[name]))

        studio = db.session.get(Studio, uuid.UUID(world.studio_id))
        foreign = db.session.get(Studio, uuid.UUID(world.foreign_id))

        def start(name, role, subject, *others, where=studio):
            principal = Principal(user=user(name), studio=where, role=role)
            ids = [world.user_ids[o] if o in world.user_ids else o for o in others]
            return str(create_thread(principal, subject, ids, "Hello").id)

        from app.people.models import TeacherProfile

        foreign_teacher = db.session.get(TeacherProfile, uuid.UUID(world.ids["foreign_teacher"]))
        world.ids.update(
            thread_all=start("admin", "admin", "Everyone", "owner", "teacher", "parent", "student"),
            thread_family=start("parent", "parent", "Sam", "teacher", "student"),
            thread_staff=start("admin", "admin", "Staff", "owner", "teacher"),
            thread_others=start("colleague", "teacher", "Chidi", "parent2"),
            foreign_thread=start("other", "admin", "Elsewhere", str(foreign_teacher.user_id),
                                 where=foreign),
        )
        db.session.commit()
        db.session.remove()
    yield


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
