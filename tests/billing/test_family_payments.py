"""A payment taken against a family's account pays its open invoices oldest first (due date,
then number), split across them; the excess becomes family credit; with nothing open it is
refused."""
from datetime import timedelta
from decimal import Decimal as D

import pytest

from app.billing import services
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from tests.conftest import api_login, bearer


def _sent(bill, amount, due_in_days, family=None):
    """An issued invoice of `amount` (no tax) due in `due_in_days` days."""
    bill.studio.tax_rate = D("0")
    today = bill.today()
    invoice = bill.make.invoice(bill.studio, family or bill.family, lines=[("Lessons", 1, amount)],
                                issue_date=today - timedelta(days=30),
                                due_date=today + timedelta(days=due_in_days))
    return services.send_invoice(bill.studio, bill.admin, invoice)


def test_payment_pays_the_oldest_due_invoice_first_and_splits(bill):
    later = _sent(bill, "100.00", 20)
    oldest = _sent(bill, "80.00", 5)
    middle = _sent(bill, "60.00", 10)
    result = services.take_family_payment(bill.studio, bill.admin, family=bill.family,
                                          amount="150.00", method="cash")
    assert [(p.invoice, p.amount) for p in result.payments] == [
        (oldest, D("80.00")), (middle, D("60.00")), (later, D("10.00"))]
    assert (oldest.status, middle.status, later.status) == ("paid", "paid", "partially_paid")
    assert later.balance_due == D("90.00") and result.to_credit == 0


def test_same_due_date_goes_by_invoice_number(bill):
    first = _sent(bill, "50.00", 7)
    second = _sent(bill, "50.00", 7)
    result = services.take_family_payment(bill.studio, bill.admin, family=bill.family,
                                          amount="50.00", method="check")
    assert [p.invoice for p in result.payments] == [first]
    assert second.status == "sent"


def test_beyond_every_open_balance_becomes_family_credit(bill):
    one = _sent(bill, "40.00", 3)
    two = _sent(bill, "60.00", 9)
    result = services.take_family_payment(bill.studio, bill.admin, family=bill.family,
                                          amount="125.00", method="cash")
    assert [p.amount for p in result.payments] == [D("40.00"), D("85.00")]
    assert result.to_credit == D("25.00") and two.balance_due == 0 and one.status == "paid"
    assert services.credit_available(bill.family) == D("25.00")


def test_a_family_with_nothing_open_is_refused(bill):
    _sent(bill, "30.00", 3, family=bill.other_family)
    bill.make.invoice(bill.studio, bill.family)  # a draft is not open
    with pytest.raises(Conflict, match="Bennett Family has no open invoice"):
        services.take_family_payment(bill.studio, bill.admin, family=bill.family,
                                     amount="10.00", method="cash")


def test_bad_amount_and_method_are_refused(bill):
    _sent(bill, "30.00", 3)
    with pytest.raises(ValidationFailed):
        services.take_family_payment(bill.studio, bill.admin, family=bill.family,
                                     amount="0", method="cash")
    with pytest.raises(ValidationFailed):
        services.take_family_payment(bill.studio, bill.admin, family=bill.family,
                                     amount="5.00", method="barter")


# ---------------------------------------------------------------- API

@pytest.fixture()
def headers(bill, client):
    db.session.commit()
    return bearer(api_login(client, bill.admin.email))


def test_api_takes_a_family_payment(bill, client, headers):
    oldest = _sent(bill, "80.00", 5)
    _sent(bill, "60.00", 10)
    db.session.commit()
    response = client.post(f"/api/v1/families/{bill.family.id}/payments", headers=headers,
                           json={"amount": "100.00", "payment_method": "cash"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["family"] == str(bill.family.id) and body["to_credit"] == "0.00"
    assert [(p["invoice"], p["amount"]) for p in body["payments"]][0] == (str(oldest.id), "80.00")
    assert [p["amount"] for p in body["payments"]] == ["80.00", "20.00"]


def test_api_idempotency_key_takes_the_payment_once(bill, client, headers):
    _sent(bill, "80.00", 5)
    db.session.commit()
    path = f"/api/v1/families/{bill.family.id}/payments"
    body = {"amount": "30.00", "payment_method": "cash"}
    keyed = {**headers, "Idempotency-Key": "family-pay-1"}
    first = client.post(path, headers=keyed, json=body)
    again = client.post(path, headers=keyed, json=body)
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert len(client.get(f"/api/v1/payments?family={bill.family.id}", headers=headers).json["results"]) == 1


def test_api_refusals(bill, client, headers):
    path = f"/api/v1/families/{bill.family.id}/payments"
    nothing_open = client.post(path, headers=headers, json={"amount": "5.00", "payment_method": "cash"})
    assert nothing_open.status_code == 409 and "no open invoice" in nothing_open.json["detail"]
    bad = client.post(path, headers=headers, json={"amount": "-5", "payment_method": "cash"})
    assert bad.status_code == 400
    foreign = client.post(f"/api/v1/families/{bill.foreign_family.id}/payments", headers=headers,
                          json={"amount": "5.00", "payment_method": "cash"})
    assert foreign.status_code == 404


def test_parent_may_not_take_a_payment(bill, client):
    _sent(bill, "80.00", 5)
    db.session.commit()
    headers = bearer(api_login(client, bill.parent.email))
    response = client.post(f"/api/v1/families/{bill.family.id}/payments", headers=headers,
                           json={"amount": "5.00", "payment_method": "cash"})
    assert response.status_code == 403
