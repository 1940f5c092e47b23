"""Lists run the same number of queries for 2 rows as for 20 (no N+1)."""

import pytest

from app.extensions import db
from tests.conftest import api_login, bearer, web_login
from tests.query_counts import assert_flat


def grow(make, people, n):
    for i in range(n):
        family = make.family(people.studio, name=f"Grown {i}")
        make.guardian(family, email=f"grown{i}@example.test", first_name="G")
        make.student(people.studio, family=family, first_name=f"S{i}", primary_teacher=people.other_teacher)
        make.teacher(people.studio, first_name=f"T{i}")
    db.session.commit()


@pytest.mark.parametrize("path", ["/api/v1/students", "/api/v1/families", "/api/v1/teachers"])
def test_api_lists_do_not_grow_with_rows(app, client, make, people, path):
    headers = bearer(api_login(client, people.users["admin"].email))
    counts = assert_flat(app, lambda: client.get(path, headers=headers),
                         lambda n: grow(make, people, n), rows=(0, 15), slack=0)
    assert len(counts.many) == len(counts.few), counts.many


@pytest.mark.parametrize("path", ["/students", "/families", "/teachers"])
def test_pages_do_not_grow_with_rows(app, client, make, people, path):
    web_login(client, people.users["admin"].email)
    counts = assert_flat(app, lambda: client.get(path), lambda n: grow(make, people, n),
                         rows=(0, 15), slack=0)
    assert len(counts.many) == len(counts.few), counts.many
