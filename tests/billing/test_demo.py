"""The demo studio shows billing in use (SPEC §6): invoices paid, partly paid, overdue and a
draft; payments by several methods; parent@demo.test's family owes something."""
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from app.accounts.models import User
from app.billing import services
from app.billing.models import Invoice, Payment
from app.demo import seed
from app.extensions import db
from app.people.services import families_of

# The demo is built around today: the first of a month, the days just after it (before the
# Bennetts' first lesson of the month), mid-month and a month's end must all tell the story.
SEED_DAYS = ["2026-12-01", "2026-12-03", "2027-01-15", "2027-02-28"]


@pytest.mark.parametrize("day", SEED_DAYS)
def test_demo_has_invoices_in_every_state_and_the_bennetts_owe(ctx, day):
    with time_machine.travel(datetime.fromisoformat(f"{day}T17:00").replace(tzinfo=timezone.utc)):
        studio = seed()
    db.session.flush()
    statuses = set(db.session.scalars(select(Invoice.status).where(Invoice.studio_id == studio.id)))
    assert {"paid", "overdue", "draft"} <= statuses
    assert statuses & {"partially_paid", "sent"}
    methods = set(db.session.scalars(select(Payment.method).where(Payment.studio_id == studio.id)))
    assert len(methods) >= 3
    parent = db.session.scalar(select(User).where(User.email == "parent@demo.test"))
    (family,) = families_of(studio, parent)
    assert services.family_account(family).balance_due > 0
