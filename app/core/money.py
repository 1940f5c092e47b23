"""Money arithmetic: pure functions over Decimal, rounding half-up to the cent.

The rules (SPEC §3): every line is rounded on its own; the subtotal is the sum of the
rounded lines; tax is computed once on the taxable amount (subtotal minus discount) and
rounded; the total is subtotal - discount + tax. So an invoice always adds up to the cent
on paper, whatever the line count.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal("9999999999.99")  # what Numeric(12, 2) holds


def to_money(value) -> Decimal:
    """`value` rounded half-up to the cent (floats go through str, never binary)."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity, unit_price) -> Decimal:
    """quantity × unit price, rounded half-up to the cent."""
    return to_money(Decimal(quantity) * Decimal(unit_price))


def tax_on(amount, rate_percent) -> Decimal:
    """Tax at `rate_percent` (8.25 means 8.25 %) on `amount`, rounded half-up."""
    return to_money(Decimal(amount) * Decimal(rate_percent) / HUNDRED)


def prorate(rate, minutes, per_minutes=60) -> Decimal:
    """A per-`per_minutes` rate for `minutes` (an hourly rate for a 45-minute lesson)."""
    return to_money(Decimal(rate) * Decimal(minutes) / Decimal(per_minutes))


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


def invoice_totals(lines: Iterable[tuple], discount=ZERO, tax_rate=ZERO) -> Totals:
    """Totals of (quantity, unit_price) lines, a discount amount and a tax rate in percent.

    The discount never takes the taxable amount below zero.
    """
    subtotal = sum((line_total(q, p) for q, p in lines), ZERO)
    discount = min(to_money(discount), subtotal) if subtotal > 0 else ZERO
    tax = tax_on(subtotal - discount, tax_rate)
    return Totals(subtotal, discount, tax, subtotal - discount + tax)


def split(amount, parts: int) -> list[Decimal]:
    """`amount` in `parts` shares that differ by at most a cent and add up exactly
    (100.00 / 3 -> 33.34, 33.33, 33.33)."""
    if parts < 1:
        raise ValueError("split into at least one part")
    cents = int(to_money(amount) / CENT)
    base, remainder = divmod(abs(cents), parts)
    sign = -1 if cents < 0 else 1
    shares = [base + (1 if i < remainder else 0) for i in range(parts)]
    return [sign * Decimal(share) * CENT for share in shares]
