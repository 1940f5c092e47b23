"""Twenty staff approving twenty requests for the last unit at once (PostgreSQL): exactly one
wins, the others get 409 "none left", and the shelf ends at zero, never below.

Each thread has its own test client (and so its own database session and connection)."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.inventory import services
from app.inventory.models import Checkout, InventoryItem
from tests.concurrency import parallel
from tests.conftest import api_login, bearer

pytestmark = pytest.mark.postgres
THREADS = 20


def test_twenty_approvals_of_the_last_unit_lend_it_once(app, make, client):
    studio = make.studio(name="Crowded Desk")
    admin = make.member(studio, "admin")
    family = make.family(studio, name="Many Family")
    students = [make.student(studio, family, first_name=f"Kid{i}", last_name="Many")
                for i in range(THREADS + 2)]
    violin = services.create_item(studio, admin, name="Violin 1/2", quantity=3)
    # Two units are already out: one is left on the shelf.
    for kid in students[:2]:
        services.approve_checkout(studio, admin, services.request_checkout(studio, admin, violin, kid))
    requests = [services.request_checkout(studio, admin, violin, kid).id for kid in students[2:]]
    db.session.commit()
    headers = bearer(api_login(client, admin.email))

    def approve(checkout_id):
        return lambda c: c.post(f"/api/v1/inventory/checkouts/{checkout_id}/approve", json={},
                                headers=headers)

    responses = parallel(app, [approve(checkout_id) for checkout_id in requests])
    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [200] + [409] * (THREADS - 1)
    for response in responses:
        if response.status_code == 409:
            body = response.get_json()
            assert body["code"] and "None left" in body["detail"] and body["request_id"]
    db.session.expire_all()
    item = db.session.get(InventoryItem, violin.id)
    assert item.available_quantity == 0 and item.status == "checked_out"
    approved = db.session.scalar(select(func.count()).select_from(Checkout).where(
        Checkout.item_id == violin.id, Checkout.status == "approved"))
    waiting = db.session.scalar(select(func.count()).select_from(Checkout).where(
        Checkout.item_id == violin.id, Checkout.status == "requested"))
    assert approved == 3 and waiting == THREADS - 1
