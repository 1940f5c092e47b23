"""Twenty requests changing one resource, or one note's attachments, at once (PostgreSQL):
they take turns, so every one answers as it would alone (no 500 from a duplicate share or
attachment), the end state is the last one's, and a deleted resource is deleted once."""
import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.core.files import StoredFile
from app.extensions import db
from app.library.models import NoteResource, Resource, ResourceShare
from tests.concurrency import parallel
from tests.conftest import api_login, bearer
from tests.library.conftest import pdf_bytes

pytestmark = pytest.mark.postgres
THREADS = 20


@pytest.fixture()
def admin(client, lib):
    return bearer(api_login(client, lib.users["admin"].email))


def _statuses(responses):
    return sorted(getattr(r, "status_code", repr(r)) for r in responses)


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _file_resource(client, headers):
    response = client.post("/api/v1/resources", headers=headers, content_type="multipart/form-data",
                           data={"title": "Chart", "file": (io.BytesIO(pdf_bytes()), "c.pdf")})
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_shares_of_one_resource_at_once_take_turns(app, client, lib, admin):
    resource = _file_resource(client, admin)
    students = [str(lib.students[name].id) for name in ("kid", "sibling", "stranger")]

    def share(i):
        return lambda c: c.post(f"/api/v1/resources/{resource}/share", headers=admin,
                                json={"students": students[: i % 3 + 1]})

    assert _statuses(parallel(app, [share(i) for i in range(THREADS)])) == [200] * THREADS
    shares = _count(ResourceShare, ResourceShare.resource_id == uuid.UUID(resource))
    assert 1 <= shares <= 3

    same = [lambda c: c.post(f"/api/v1/resources/{resource}/share", headers=admin,
                             json={"students": students})] * THREADS
    assert _statuses(parallel(app, same)) == [200] * THREADS
    assert _count(ResourceShare, ResourceShare.resource_id == uuid.UUID(resource)) == 3


def test_one_note_attached_to_at_once_keeps_each_resource_once(app, client, lib, make, admin):
    kid = lib.students["kid"]
    past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    lesson = make.lesson(lib.studio, kid.primary_teacher, [kid], start=past, status="completed")
    db.session.commit()
    resource = _file_resource(client, admin)
    note = client.post("/api/v1/lesson-notes", headers=admin, json={
        "lesson": str(lesson.id), "summary": "Scales"}).json["id"]
    same = [lambda c: c.patch(f"/api/v1/lesson-notes/{note}", headers=admin,
                              json={"resources": [resource]})] * THREADS
    assert _statuses(parallel(app, same)) == [200] * THREADS
    assert _count(NoteResource, NoteResource.note_id == uuid.UUID(note)) == 1


def test_a_resource_deleted_twenty_times_at_once_is_deleted_once(app, client, lib, admin):
    resource = _file_resource(client, admin)
    delete = [lambda c: c.delete(f"/api/v1/resources/{resource}", headers=admin)] * THREADS
    assert _statuses(parallel(app, delete)) == [204] + [404] * (THREADS - 1)
    assert _count(Resource) == 0 and _count(StoredFile) == 0
