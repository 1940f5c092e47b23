"""Inventory services against a real database: quantities, the checkout life cycle, overdue,
rental charges."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.core.errors import Conflict, ValidationFailed
from app.core.tenancy import Principal
from app.extensions import db
from app.inventory import services
from app.inventory.policies import visible_checkouts


@pytest.fixture()
def lending(make):
    studio = make.studio(name="Lending Studio")
    admin = make.member(studio, "admin")
    parent = make.member(studio, "parent")
    family = make.family(studio, guardians=[parent], name="Reed Family")
    kid = make.student(studio, family, first_name="Ada", last_name="Reed")
    sibling = make.student(studio, family, first_name="Bo", last_name="Reed")
    violin = services.create_item(studio, admin, name="Violin 3/4", category="instrument", quantity=1,
                                  value="500.00", max_checkout_days=14, rental_fee="20.00")
    db.session.flush()
    return studio, admin, parent, kid, sibling, violin


def test_available_defaults_to_quantity_and_cannot_exceed_it(lending):
    studio, admin, *_ = lending
    item = services.create_item(studio, admin, name="Music stand", quantity=5)
    assert item.available_quantity == 5 and item.status == "available"
    with pytest.raises(ValidationFailed) as exc:
        services.create_item(studio, admin, name="Cello", quantity=1, available_quantity=2)
    assert "available_quantity" in exc.value.field_errors
    with pytest.raises(ValidationFailed) as exc:
        services.create_item(studio, admin, name="Cello", quantity=-1)
    assert "quantity" in exc.value.field_errors


def test_life_cycle_moves_the_shelf_and_the_status(lending):
    studio, admin, parent, kid, _sibling, violin = lending
    checkout = services.request_checkout(studio, parent, violin, kid)
    assert checkout.status == "requested" and violin.available_quantity == 1
    services.approve_checkout(studio, admin, checkout, hand_out=True)
    assert checkout.status == "checked_out" and checkout.due_date is not None
    assert violin.available_quantity == 0 and violin.status == "checked_out"
    services.return_checkout(studio, admin, checkout, condition="fair", note="Scratched")
    assert checkout.status == "returned" and violin.available_quantity == 1
    assert violin.status == "available" and violin.condition == "fair"
    with pytest.raises(Conflict):
        services.return_checkout(studio, admin, checkout, condition="fair")
    with pytest.raises(Conflict):
        services.reject_checkout(studio, admin, checkout, reason="Too late")
    assert violin.available_quantity == 1


def test_approving_the_last_unit_twice_is_a_conflict(lending):
    studio, admin, parent, kid, sibling, violin = lending
    first = services.request_checkout(studio, parent, violin, kid)
    second = services.request_checkout(studio, parent, violin, sibling)
    services.approve_checkout(studio, admin, first)
    with pytest.raises(Conflict) as exc:
        services.approve_checkout(studio, admin, second)
    assert "None left" in exc.value.detail
    db.session.refresh(violin)
    assert violin.available_quantity == 0


def test_retired_items_cannot_be_requested(lending):
    studio, admin, parent, kid, _sibling, violin = lending
    services.update_item(studio, admin, violin, status="retired")
    with pytest.raises(ValidationFailed):
        services.request_checkout(studio, parent, violin, kid)


def test_quantity_keeps_the_units_that_are_out(lending):
    studio, admin, parent, kid, _sibling, violin = lending
    services.approve_checkout(studio, admin, services.request_checkout(studio, parent, violin, kid))
    with pytest.raises(ValidationFailed):
        services.update_item(studio, admin, violin, quantity=1, available_quantity=1)
    services.update_item(studio, admin, violin, quantity=3)
    assert violin.available_quantity == 2


def test_overdue_job_marks_loans_past_their_due_date(lending):
    studio, admin, parent, kid, _sibling, violin = lending
    checkout = services.request_checkout(studio, parent, violin, kid)
    long_ago = datetime.now(timezone.utc) - timedelta(days=30)
    services.approve_checkout(studio, admin, checkout, hand_out=True, now=long_ago)
    assert services.mark_overdue_checkouts(studio) == 1
    db.session.refresh(checkout)
    assert checkout.status == "overdue"
    assert services.mark_overdue_checkouts(studio) == 0


def test_rental_charges_one_line_per_month_out(lending):
    studio, admin, parent, kid, _sibling, violin = lending
    checkout = services.request_checkout(studio, parent, violin, kid)
    services.approve_checkout(studio, admin, checkout, hand_out=True,
                              now=datetime(2025, 1, 20, 15, tzinfo=timezone.utc))
    charges = services.rental_charges(studio, date(2025, 1, 1), date(2025, 3, 31))
    assert [c.billing_key for c in charges] == [f"rental:{checkout.id}:2025-0{m}" for m in (1, 2, 3)]
    assert all(c.total == Decimal("20.00") for c in charges)


def test_rental_lines_name_the_month_in_the_studios_language(lending):
    studio, admin, parent, kid, _sibling, violin = lending
    studio.locale = "de_DE"
    checkout = services.request_checkout(studio, parent, violin, kid)
    services.approve_checkout(studio, admin, checkout, hand_out=True,
                              now=datetime(2025, 1, 20, 15, tzinfo=timezone.utc))
    charges = services.rental_charges(studio, date(2025, 3, 1), date(2025, 3, 31))
    assert [c.description for c in charges] == ["Rental of Violin 3/4, März 2025 · Ada Reed"]


def test_a_checked_out_item_is_available_to_staff_and_follows_the_shelf(lending):
    studio, admin, parent, kid, _sibling, violin = lending
    checkout = services.request_checkout(studio, parent, violin, kid)
    services.approve_checkout(studio, admin, checkout)
    assert violin.status == "checked_out" and services.staff_status(violin) == "available"
    services.update_item(studio, admin, violin, status="available", notes="Rosin in the case")
    assert violin.status == "checked_out"  # none on the shelf: still out
    services.update_item(studio, admin, violin, status="maintenance")
    assert violin.status == "maintenance" and services.staff_status(violin) == "maintenance"
    services.update_item(studio, admin, violin, notes="Bridge fixed")
    assert violin.status == "maintenance"  # staff's status stays until staff change it
    services.return_checkout(studio, admin, checkout, condition="good")
    services.update_item(studio, admin, violin, status="available")
    assert violin.status == "available"


def test_held_by_item_counts_only_current_requests_and_loans(lending):
    studio, admin, parent, kid, sibling, violin = lending
    returned = services.request_checkout(studio, parent, violin, kid)
    services.approve_checkout(studio, admin, returned, hand_out=True)
    services.return_checkout(studio, admin, returned, condition="good")
    waiting = services.request_checkout(studio, parent, violin, sibling)
    stmt = visible_checkouts(Principal(user=parent, studio=studio, role="parent"))
    assert services.held_by_item(stmt, [violin]) == {violin.id: {sibling.id: waiting}}
    assert services.held_by_item(stmt, []) == {}
