"""Rent for lent instruments reaches the family's draft invoice through auto-invoicing: one
`rental` line per checkout and month, never twice."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import services as billing
from app.billing.models import Invoice, InvoiceLineItem
from app.extensions import db
from app.inventory import services


@pytest.fixture()
def rented(make):
    studio = make.studio(name="Rental Studio")
    admin = make.member(studio, "admin")
    parent = make.member(studio, "parent")
    family = make.family(studio, guardians=[parent], name="Cole Family")
    kid = make.student(studio, family, first_name="Nat", last_name="Cole")
    other_family = make.family(studio, name="Quiet Family")
    make.student(studio, other_family, first_name="Sam", last_name="Quiet")
    cello = services.create_item(studio, admin, name="Cello 1/2", quantity=2, rental_fee="25.00")
    stand = services.create_item(studio, admin, name="Music stand", quantity=4)  # no fee
    for item in (cello, stand):
        checkout = services.request_checkout(studio, parent, item, kid)
        services.approve_checkout(studio, admin, checkout, hand_out=True,
                                  now=datetime(2025, 3, 10, 16, tzinfo=timezone.utc))
    db.session.flush()
    return studio, admin, family, kid, cello


def _rental_lines(studio):
    return db.session.scalars(select(InvoiceLineItem).where(
        InvoiceLineItem.studio_id == studio.id, InvoiceLineItem.kind == "rental")).all()


def test_a_month_out_is_one_rental_line_on_the_family_draft(rented):
    studio, admin, family, kid, cello = rented
    plan = billing.generate_invoices(studio, admin, date(2025, 3, 1), date(2025, 3, 31))
    assert [f.family.id for f in plan.families] == [family.id]
    invoice = plan.families[0].invoice
    assert invoice.status == "draft" and invoice.family_id == family.id
    [line] = [line for line in invoice.line_items if line.kind == "rental"]
    assert line.unit_price == Decimal("25.00") and line.total == Decimal("25.00")
    assert line.student_id == kid.id
    assert line.billing_key.startswith("rental:") and line.billing_key.endswith(":2025-03")
    assert "Cello 1/2" in line.description and "March 2025" in line.description
    assert invoice.subtotal >= Decimal("25.00")


def test_a_rerun_bills_the_month_never_twice(rented):
    studio, admin, family, *_ = rented
    billing.generate_invoices(studio, admin, date(2025, 3, 1), date(2025, 3, 31))
    again = billing.generate_invoices(studio, admin, date(2025, 3, 1), date(2025, 3, 31))
    assert again.families == []
    assert len(_rental_lines(studio)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(Invoice).where(
        Invoice.studio_id == studio.id)) == 1


def test_each_month_out_is_billed_once_and_a_return_stops_the_rent(rented):
    studio, admin, family, kid, cello = rented
    billing.generate_invoices(studio, admin, date(2025, 3, 1), date(2025, 3, 31))
    assert [line.billing_key[-7:] for line in _rental_lines(studio)] == ["2025-03"]
    # A run over March and April bills only April.
    plan = billing.generate_invoices(studio, admin, date(2025, 3, 1), date(2025, 4, 30))
    [line] = [line for line in plan.families[0].invoice.line_items if line.kind == "rental"]
    assert line.billing_key.endswith(":2025-04")
    [loan] = cello_checkouts(cello)
    services.return_checkout(studio, admin, loan, condition="good",
                             now=datetime(2025, 4, 28, 12, tzinfo=timezone.utc))
    later = billing.generate_invoices(studio, admin, date(2025, 5, 1), date(2025, 5, 31))
    assert later.families == []
    assert len(_rental_lines(studio)) == 2


def test_the_preview_lists_the_rent_and_writes_nothing(rented):
    studio, admin, family, *_ = rented
    plan = billing.plan_invoices(studio, date(2025, 3, 1), date(2025, 3, 31))
    assert [line.kind for line in plan.families[0].lines] == ["rental"]
    assert _rental_lines(studio) == []


def cello_checkouts(cello):
    from app.inventory.models import Checkout

    return db.session.scalars(select(Checkout).where(Checkout.item_id == cello.id)).all()
