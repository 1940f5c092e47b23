"""Money arithmetic (app/core/money.py): pinned examples and a property over random invoices."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.money import invoice_totals, line_total, prorate, split, tax_on, to_money

D = Decimal


def test_three_times_19_99_with_8_25_percent_tax():
    totals = invoice_totals([(3, D("19.99"))], tax_rate=D("8.25"))
    assert totals.subtotal == D("59.97")
    assert totals.tax == D("4.95")  # 4.947525 rounds half-up
    assert totals.total == D("64.92")


def test_reference_example_four_lessons_at_50_with_8_percent():
    totals = invoice_totals([(4, D("50.00"))], tax_rate=D("8.00"))
    assert (totals.subtotal, totals.tax, totals.total) == (D("200.00"), D("16.00"), D("216.00"))


def test_lines_round_half_up_one_by_one_and_the_subtotal_is_their_sum():
    assert line_total(D("0.5"), D("0.05")) == D("0.03")  # 0.025 -> 0.03, not banker's 0.02
    assert line_total(D("1.5"), D("33.33")) == D("50.00")  # 49.995 -> 50.00
    totals = invoice_totals([(D("1.5"), D("33.33")), (D("0.5"), D("0.05"))])
    assert totals.subtotal == D("50.03")


def test_tax_rounds_half_up():
    assert tax_on(D("10.00"), D("8.25")) == D("0.83")  # 0.825
    assert tax_on(D("0.06"), D("8.25")) == D("0.00")  # 0.00495
    assert tax_on(D("100.00"), D("0")) == D("0.00")


def test_discount_comes_off_before_tax_and_never_below_zero():
    totals = invoice_totals([(1, D("100.00"))], discount=D("10.00"), tax_rate=D("10"))
    assert (totals.subtotal, totals.discount, totals.tax, totals.total) == (
        D("100.00"), D("10.00"), D("9.00"), D("99.00"))
    assert invoice_totals([(1, D("5.00"))], discount=D("20.00")).total == D("0.00")


@pytest.mark.parametrize(("amount", "parts", "shares"), [
    ("100.00", 3, ["33.34", "33.33", "33.33"]),
    ("0.01", 3, ["0.01", "0.00", "0.00"]),
    ("10.00", 4, ["2.50", "2.50", "2.50", "2.50"]),
    ("-1.00", 3, ["-0.34", "-0.33", "-0.33"]),
])
def test_one_third_splits_add_up_exactly(amount, parts, shares):
    result = split(D(amount), parts)
    assert result == [D(s) for s in shares]
    assert sum(result) == D(amount)


def test_prorate_and_floats_go_through_strings():
    assert prorate(D("60.00"), 45) == D("45.00")
    assert prorate(D("55.00"), 50) == D("45.83")  # 45.8333…
    assert to_money(0.1 + 0.2) == D("0.30")
    assert to_money(2.675) == D("2.68")  # binary 2.67499… would round down


cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: D(c) / 100)
quantities = st.integers(min_value=1, max_value=100_000).map(lambda q: D(q) / 100)
rates = st.integers(min_value=0, max_value=2500).map(lambda r: D(r) / 100)


@settings(max_examples=3000, deadline=None)
@given(lines=st.lists(st.tuples(quantities, cents), min_size=1, max_size=30),
       tax_rate=rates, discount=cents)
def test_random_invoices_add_up_to_the_cent(lines, tax_rate, discount):
    totals = invoice_totals(lines, discount, tax_rate)
    rounded = [line_total(q, p) for q, p in lines]
    for value in (*rounded, totals.subtotal, totals.discount, totals.tax, totals.total):
        assert value == value.quantize(D("0.01"))
    assert totals.subtotal == sum(rounded)
    assert totals.total == totals.subtotal - totals.discount + totals.tax
    assert D(0) <= totals.discount <= totals.subtotal
    assert totals.tax == tax_on(totals.subtotal - totals.discount, tax_rate)


@settings(max_examples=1000, deadline=None)
@given(amount=cents, parts=st.integers(min_value=1, max_value=12))
def test_random_splits_add_up(amount, parts):
    shares = split(amount, parts)
    assert sum(shares) == amount
    assert max(shares) - min(shares) <= D("0.01")
