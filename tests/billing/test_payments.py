"""Payments and refunds: status moves, overpayment to credit, refunds, bad input."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import services
from app.billing.models import Payment
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db

D = Decimal


@pytest.fixture()
def sent(bill):
    return bill.make.invoice(bill.studio, bill.family, lines=[("Lessons", 4, "50.00")], send=True)


def test_partial_then_full_payment_moves_the_status(bill, sent):
    assert sent.total == D("216.50")
    bill.make.payment(bill.studio, sent, "100.00", method="check", transaction_id="1042")
    assert (sent.status, sent.amount_paid, sent.balance_due) == ("partially_paid", D("100.00"), D("116.50"))
    bill.make.payment(bill.studio, sent, "116.50", method="credit_card")
    assert (sent.status, sent.amount_paid, sent.balance_due) == ("paid", D("216.50"), D("0.00"))


def test_paying_more_than_the_balance_becomes_credit_never_a_negative_balance(bill, sent):
    payment = bill.make.payment(bill.studio, sent, "300.00")
    assert sent.balance_due == D("0.00") and sent.amount_paid == D("216.50")
    assert payment.credit_amount == D("83.50")
    assert services.credit_available(bill.family) == D("83.50")


@pytest.mark.parametrize("status", ["draft", "void"])
def test_payments_on_drafts_and_void_invoices_are_409(bill, status):
    invoice = bill.make.invoice(bill.studio, bill.family, send=status == "void")
    if status == "void":
        services.void_invoice(bill.studio, bill.admin, invoice)
    with pytest.raises(Conflict):
        bill.make.payment(bill.studio, invoice, "10.00")


def test_a_paid_invoice_takes_no_more_payments(bill, sent):
    bill.make.payment(bill.studio, sent, "216.50")
    with pytest.raises(Conflict):
        bill.make.payment(bill.studio, sent, "1.00")


@pytest.mark.parametrize(("amount", "field"), [
    ("19.999", "amount"), ("0", "amount"), ("-5.00", "amount"), ("abc", "amount"),
])
def test_bad_amounts_are_400(bill, sent, amount, field):
    with pytest.raises(ValidationFailed) as error:
        bill.make.payment(bill.studio, sent, amount)
    assert field in error.value.field_errors
    assert sent.amount_paid == D("0.00")


def test_unknown_method_and_currency_mismatch_are_400(bill, sent):
    with pytest.raises(ValidationFailed) as error:
        bill.make.payment(bill.studio, sent, "10.00", method="bitcoin")
    assert "payment_method" in error.value.field_errors
    with pytest.raises(ValidationFailed) as error:
        bill.make.payment(bill.studio, sent, "10.00", currency="EUR")
    assert "currency" in error.value.field_errors


def test_refund_is_a_negative_payment_linked_to_the_original(bill, sent):
    payment = bill.make.payment(bill.studio, sent, "216.50")
    refund = services.refund_payment(bill.studio, bill.admin, payment, amount="50.00", notes="Missed lesson")
    assert refund.amount == D("-50.00") and refund.refund_of_id == payment.id
    assert sent.status == "partially_paid" and sent.balance_due == D("50.00")
    assert payment.refundable_amount == D("166.50")
    with pytest.raises(ValidationFailed):
        services.refund_payment(bill.studio, bill.admin, payment, amount="166.51")
    with pytest.raises(Conflict):
        services.refund_payment(bill.studio, bill.admin, refund)
    services.refund_payment(bill.studio, bill.admin, payment)
    assert sent.amount_paid == D("0.00") and sent.status == "sent"
    with pytest.raises(Conflict):
        services.refund_payment(bill.studio, bill.admin, payment)


def test_refunding_an_overpayment_takes_back_the_credit_first(bill, sent):
    payment = bill.make.payment(bill.studio, sent, "250.00")  # 33.50 to credit
    services.refund_payment(bill.studio, bill.admin, payment, amount="40.00")
    assert services.credit_available(bill.family) == D("0.00")
    assert sent.amount_paid == D("210.00") and sent.balance_due == D("6.50")


def test_refund_of_a_payment_on_a_voided_invoice_comes_from_credit(bill, sent):
    payment = bill.make.payment(bill.studio, sent, "100.00")
    services.void_invoice(bill.studio, bill.admin, sent)
    services.refund_payment(bill.studio, bill.admin, payment)
    assert services.credit_available(bill.family) == D("0.00")
    assert sent.amount_paid == D("100.00")  # kept on the void invoice for the record


def test_credit_used_elsewhere_cannot_be_refunded_again(bill, sent):
    payment = bill.make.payment(bill.studio, sent, "300.00")  # 83.50 credit
    bill.make.invoice(bill.studio, bill.family, lines=[("Books", 1, "50.00")], send=True)
    assert services.credit_available(bill.family) == D("29.37")
    with pytest.raises(ValidationFailed):
        services.refund_payment(bill.studio, bill.admin, payment, amount="300.00")
    refund = services.refund_payment(bill.studio, bill.admin, payment)
    assert refund.amount == D("-245.87")
    assert list(services.credits([bill.family.id]).values()) == [D("0.00")]
    assert db.session.scalar(select(Payment).where(Payment.refund_of_id == payment.id)) == refund


def test_a_payment_dated_by_day_is_taken_at_local_noon_and_today_is_now(bill, sent):
    from datetime import datetime, timedelta, timezone

    from app.core.timeutil import local_noon, local_today

    earlier = local_today(bill.studio) - timedelta(days=3)
    dated = services.record_payment(bill.studio, bill.admin, invoice=sent, amount="10.00",
                                    method="cash", paid_on=earlier)
    assert dated.paid_at == local_noon(bill.studio, earlier)
    today = services.record_payment(bill.studio, bill.admin, invoice=sent, amount="10.00",
                                    method="cash", paid_on=local_today(bill.studio))
    assert abs(today.paid_at - datetime.now(timezone.utc)) < timedelta(minutes=1)
