"""Under concurrent requests (PostgreSQL): lending never takes more copies than the shelf
holds, and a loan is returned once. Each thread has its own client, session and connection."""
import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.library.models import Resource, ResourceCheckout
from tests.concurrency import parallel
from tests.conftest import api_login, bearer

pytestmark = pytest.mark.postgres
THREADS = 6


def test_parallel_loans_never_take_more_copies_than_there_are(app, client, lib):
    headers = bearer(api_login(client, lib.users["admin"].email))
    book = client.post("/api/v1/resources", headers=headers, content_type="multipart/form-data",
                       data={"title": "Book", "resource_type": "physical", "copies": "2"}).json
    body = {"student": str(lib.students["kid"].id)}
    results = parallel(app, [lambda c: c.post(f"/api/v1/resources/{book['id']}/checkout",
                                              json=body, headers=headers).status_code] * THREADS)
    assert sorted(results) == [201, 201] + [409] * (THREADS - 2)
    db.session.expire_all()
    resource = db.session.get(Resource, uuid.UUID(book["id"]))
    assert resource.available_copies == 0
    assert db.session.scalar(select(func.count()).select_from(ResourceCheckout)) == 2


def test_a_loan_is_returned_once_under_concurrency(app, client, lib):
    headers = bearer(api_login(client, lib.users["admin"].email))
    book = client.post("/api/v1/resources", headers=headers, content_type="multipart/form-data",
                       data={"title": "Book", "resource_type": "physical", "copies": "1"}).json
    loan = client.post(f"/api/v1/resources/{book['id']}/checkout", headers=headers,
                       json={"student": str(lib.students["kid"].id)}).json
    results = parallel(app, [lambda c: c.post(f"/api/v1/resource-checkouts/{loan['id']}/return",
                                              headers=headers).status_code] * THREADS)
    assert sorted(results) == [200] + [409] * (THREADS - 1)
    db.session.expire_all()
    resource = db.session.get(Resource, uuid.UUID(book["id"]))
    assert resource.available_copies == 1
