"""Loans of physical items, dated in the studio's calendar: a copy is overdue once the
studio's day is past its due date, the same on the pages, in the API and in the filter."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.core.timeutil import local_today
from app.extensions import db
from app.library import services
from app.library.models import ResourceCheckout
from tests.conftest import api_login, bearer, web_login

# A studio a day ahead of UTC and one a day behind it, for half of every day.
FAR_ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")


def _book(lib, copies=3):
    return services.create_resource(lib.studio, lib.users["admin"], title="Suzuki Book 1",
                                    resource_type="physical", copies=copies)


def _lend(lib, book, due_in_days):
    """A copy lent to the kid, due `due_in_days` after the studio's today (past dates are
    refused when lending, so they are written afterwards)."""
    today = local_today(lib.studio)
    loan = services.lend_copy(lib.studio, lib.users["admin"], book, lib.students["kid"],
                              due_date=today)
    db.session.execute(update(ResourceCheckout).where(ResourceCheckout.id == loan.id)
                       .values(due_date=today + timedelta(days=due_in_days)))
    db.session.commit()
    db.session.refresh(loan)
    return loan


@pytest.mark.parametrize("zone", FAR_ZONES)
def test_a_due_date_of_the_studios_today_is_accepted_and_not_yet_overdue(lib, zone):
    lib.studio.timezone = zone
    book = _book(lib)
    today = local_today(lib.studio)
    loan = services.lend_copy(lib.studio, lib.users["admin"], book, lib.students["kid"],
                              due_date=today)
    assert loan.due_date == today and not loan.is_overdue_on(today)
    overdue = services.filter_checkouts(select(ResourceCheckout), lib.studio, overdue=True)
    assert db.session.scalars(overdue).all() == []


@pytest.mark.parametrize("zone", FAR_ZONES)
def test_a_loan_due_yesterday_in_the_studio_is_overdue(lib, zone):
    lib.studio.timezone = zone
    book = _book(lib)
    late = _lend(lib, book, -1)
    _lend(lib, book, 0)
    overdue = services.filter_checkouts(select(ResourceCheckout), lib.studio, overdue=True)
    assert db.session.scalars(overdue).all() == [late]
    assert late.is_overdue_on(local_today(lib.studio))


def test_a_returned_copy_is_never_overdue(lib):
    book = _book(lib)
    late = _lend(lib, book, -3)
    services.return_copy(lib.studio, lib.users["admin"], late)
    assert not late.is_overdue_on(local_today(lib.studio))
    overdue = services.filter_checkouts(select(ResourceCheckout), lib.studio, overdue=True)
    assert db.session.scalars(overdue).all() == []


def test_the_loans_page_has_an_overdue_tab_and_badge(app, lib):
    book = _book(lib)
    _lend(lib, book, -2)
    _lend(lib, book, 5)
    client = app.test_client()
    web_login(client, lib.users["admin"].email)
    everything = client.get("/resource-checkouts").get_data(as_text=True)
    assert everything.count("Suzuki Book 1") == 2 and everything.count(">Overdue</span>") == 1
    overdue = client.get("/resource-checkouts?status=overdue")
    assert overdue.status_code == 200
    assert overdue.get_data(as_text=True).count("Suzuki Book 1") == 1
    book_page = client.get(f"/resources/{book.id}").get_data(as_text=True)
    assert book_page.count(">Overdue</span>") == 1


def test_a_family_with_no_loans_is_told_how_to_borrow(app, lib):
    client = app.test_client()
    web_login(client, lib.users["parent2"].email)
    page = client.get("/resource-checkouts").get_data(as_text=True)
    assert "You have nothing on loan." in page and "ask your teacher" in page


def test_staff_with_no_loans_are_shown_where_to_lend(app, lib):
    client = app.test_client()
    web_login(client, lib.users["teacher"].email)
    page = client.get("/resource-checkouts?status=overdue").get_data(as_text=True)
    assert "Nothing is overdue." in page and "/resources?type=physical" in page


def test_the_api_marks_and_filters_overdue_loans(client, lib):
    book = _book(lib)
    late = _lend(lib, book, -1)
    on_time = _lend(lib, book, 0)
    headers = bearer(api_login(client, lib.users["parent"].email))
    loans = client.get("/api/v1/resource-checkouts", headers=headers).json["results"]
    assert {loan["id"]: loan["is_overdue"] for loan in loans} == {
        str(late.id): True, str(on_time.id): False}
    overdue = client.get("/api/v1/resource-checkouts?overdue=true", headers=headers).json
    assert [loan["id"] for loan in overdue["results"]] == [str(late.id)]
