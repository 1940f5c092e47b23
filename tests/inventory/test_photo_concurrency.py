"""Photos of one item added, made primary and deleted by twenty requests at once (PostgreSQL):
the item keeps exactly one primary photo while it has any, never more photos than its limit,
and no request fails with a 500."""
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.inventory import services
from app.inventory.models import ItemPhoto
from app.inventory.services.photos import MAX_PHOTOS
from tests.concurrency import parallel
from tests.conftest import api_login, bearer
from tests.unit.test_files_services import jpeg_bytes

pytestmark = pytest.mark.postgres
THREADS = 20


@pytest.fixture()
def setup(make, client):
    studio = make.studio(name="Photo Studio")
    admin = make.member(studio, "admin")
    item = services.create_item(studio, admin, name="Cello 4/4", quantity=1)
    db.session.commit()
    return item, bearer(api_login(client, admin.email))


def _photos(item):
    db.session.expire_all()
    return db.session.scalars(select(ItemPhoto).where(ItemPhoto.item_id == item.id)).all()


def _statuses(responses):
    return sorted(getattr(r, "status_code", repr(r)) for r in responses)


def test_twenty_uploads_at_once_keep_one_primary_and_the_limit(app, setup):
    item, headers = setup
    url = f"/api/v1/inventory/items/{item.id}/photos"

    def upload(i):
        return lambda c: c.post(url, headers=headers, content_type="multipart/form-data",
                                data={"photo": (io.BytesIO(jpeg_bytes((60 + i, 40))), f"p{i}.jpg")})

    statuses = _statuses(parallel(app, [upload(i) for i in range(THREADS)]))
    assert statuses == [201] * MAX_PHOTOS + [400] * (THREADS - MAX_PHOTOS)
    photos = _photos(item)
    assert len(photos) == MAX_PHOTOS
    assert sum(photo.is_primary for photo in photos) == 1


def test_twenty_primary_choices_at_once_leave_one_primary(app, setup):
    item, headers = setup
    url = f"/api/v1/inventory/items/{item.id}/photos"
    ids = []
    for _ in range(MAX_PHOTOS):
        response = app.test_client().post(url, headers=headers, content_type="multipart/form-data",
                                          data={"photo": (io.BytesIO(jpeg_bytes()), "p.jpg")})
        ids.append(response.get_json()["id"])

    def choose(photo_id):
        return lambda c: c.post(f"{url}/{photo_id}/primary", json={}, headers=headers)

    chosen = [ids[i % len(ids)] for i in range(THREADS)]
    assert _statuses(parallel(app, [choose(photo_id) for photo_id in chosen])) == [200] * THREADS
    assert sum(photo.is_primary for photo in _photos(item)) == 1

    def delete(photo_id):
        return lambda c: c.delete(f"{url}/{photo_id}", headers=headers)

    doomed = ids[:-1] * 2  # every photo but one, each deleted twice at once
    statuses = _statuses(parallel(app, [delete(photo_id) for photo_id in doomed]))
    assert statuses == [204] * (len(ids) - 1) + [404] * (len(ids) - 1)
    left = _photos(item)
    assert len(left) == 1 and left[0].is_primary
    count = db.session.scalar(select(func.count()).select_from(ItemPhoto))
    assert count == 1
