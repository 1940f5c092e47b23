"""The demo studio shows billing in use (SPEC §6): invoices paid, partly paid, overdue and a
draft; payments by several methods; parent@demo.test's family owes something."""
from sqlalchemy import select

from app.accounts.models import User
from app.billing import services
from app.billing.models import Invoice, Payment
from app.demo import seed
from app.extensions import db
from app.people.services import families_of


def test_demo_has_invoices_in_every_state_and_the_bennetts_owe(ctx):
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
