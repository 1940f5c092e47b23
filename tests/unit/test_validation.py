"""core/validation.py: one validator per kind of value, shared by the API, the pages and
the services."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from app.core import validation
from app.core.errors import ValidationFailed
from app.core.validation import Invalid

# ------------------------------------------------------------------ time zones


@pytest.mark.parametrize("name", ["America/New_York", "Europe/Paris", "UTC", "Asia/Kolkata",
                                  "Pacific/Chatham", "America/Argentina/Buenos_Aires"])
def test_zone_names_of_places_are_accepted(name):
    assert validation.timezone(name) == name


@pytest.mark.parametrize("name", ["Mars/Phobos", "localtime", "Factory", "posixrules",
                                  "posix/Europe/Paris", "right/UTC", "", "  ", "america/new_york",
                                  "../../etc/passwd", None, 5, "America/New_York\x00"])
def test_non_zones_are_refused(name):
    with pytest.raises(Invalid):
        validation.timezone(name)


def test_the_zone_list_holds_no_non_zones():
    names = validation.timezone_names()

    assert "America/New_York" in names
    assert not {"localtime", "Factory", "posixrules"} & set(names)


# ------------------------------------------------------------------ currencies

@pytest.mark.parametrize(("code", "expected"), [("USD", "USD"), ("eur", "EUR"), (" JPY ", "JPY"),
                                                ("XOF", "XOF"), ("XCD", "XCD")])
def test_currencies_in_use_are_accepted(code, expected):
    assert validation.currency(code) == expected


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "XAG", "XDR", "DEM", "FRF", "ABC", "US",
                                  "", None, 840])
def test_testing_metal_fund_and_retired_codes_are_refused(code):
    with pytest.raises(Invalid):
        validation.currency(code)


def test_minor_units_never_exceed_the_columns_two_places():
    assert validation.minor_unit("USD") == 2
    assert validation.minor_unit("JPY") == 0
    assert validation.minor_unit("KWD") == 2


# ------------------------------------------------------------------ URLs and paths

@pytest.mark.parametrize("value", ["https://example.test/me.png", "http://example.test",
                                   "HTTPS://Example.test/a?b=c#d", ""])
def test_web_addresses_are_accepted(value):
    assert validation.url(value) == value


@pytest.mark.parametrize("value", ["javascript:alert(1)", "JAVASCRIPT:alert(1)",
                                   "data:text/html,<script>", "ftp://example.test/x",
                                   "//example.test/x", "/relative", "https://", "http://exa mple.test",
                                   "https://example.test/\r\nX: y", "https://x.test/" + "a" * 600,
                                   None, 5])
def test_other_addresses_are_refused(value):
    with pytest.raises(Invalid):
        validation.url(value)


@pytest.mark.parametrize("value", ["/", "/lessons?page=2", "/a/b#c"])
def test_local_paths_are_safe_redirect_targets(value):
    assert validation.local_path(value) == value


@pytest.mark.parametrize("value", ["//evil.test", "https://evil.test/", "/\\evil.test",
                                   "/\r\nSet-Cookie: x=1", "/\x00", "javascript:x", "", None,
                                   "lessons"])
def test_anything_else_is_not_a_redirect_target(value):
    with pytest.raises(Invalid):
        validation.local_path(value)


# ------------------------------------------------------------------ JSON

def test_json_documents_within_the_limits_are_read():
    assert validation.json_document(b'{"a": [1, {"b": "\\ud83c\\udfb5"}]}') == {"a": [1, {"b": "\U0001f3b5"}]}


@pytest.mark.parametrize("raw", ["[" * 1000 + "]" * 1000, "[" * 33 + "]" * 33, '"\\ud800"',
                                 '{"\\udc00": 1}', "{", b"\xff\xfe", "NaN-ish"])
def test_deep_broken_or_surrogate_json_is_refused(raw):
    with pytest.raises(Invalid):
        validation.json_document(raw)


# ------------------------------------------------------------------ dates

@pytest.mark.parametrize("value", [date(1900, 1, 1), date(2200, 12, 31),
                                   datetime(2025, 1, 1, tzinfo=timezone.utc)])
def test_dates_in_the_supported_years_pass(value):
    assert validation.in_date_range(value) == value


@pytest.mark.parametrize("value", [date(1899, 12, 31), date(2201, 1, 1), date(1, 1, 1),
                                   date(9999, 12, 31)])
def test_dates_outside_the_supported_years_are_refused(value):
    with pytest.raises(Invalid, match="between 1900 and 2200"):
        validation.in_date_range(value)


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-04", date(2025, 3, 4)), ("9999-12-31", date(2200, 12, 31)),
    ("0001-01-01", date(1900, 1, 1)), ("nonsense", None), ("", None), (None, None),
])
def test_page_dates_are_clamped_or_fall_back(text, expected):
    assert validation.page_date(text) == expected


# ------------------------------------------------------------------ money

@pytest.mark.parametrize(("value", "expected"), [
    ("19.99", Decimal("19.99")), (" 5 ", Decimal("5")), ("-3.1", Decimal("-3.1")), (7, Decimal("7")),
    (19.99, Decimal("19.99")), (Decimal("2.50"), Decimal("2.50")),
    ("9999999999.99", Decimal("9999999999.99")),
])
def test_plain_amounts_are_accepted(value, expected):
    assert validation.money(value) == expected


@pytest.mark.parametrize("value", ["1e2", "1E2", "1.5e1", "NaN", "Infinity", "-inf", "19.999",
                                   "12,50", "$5", "+5", ".5", "5.", "0x10", "1_000", "", None, True,
                                   [], float("nan"), 1e20, "10000000000.00", Decimal("1E+2")])
def test_anything_but_a_plain_amount_is_refused(value):
    with pytest.raises(Invalid):
        validation.money(value)


def test_money_respects_the_places_and_bounds_asked_for():
    assert validation.money("100", places=0) == Decimal("100")
    with pytest.raises(Invalid, match="at most 0 decimal places"):
        validation.money("100.5", places=0)
    with pytest.raises(Invalid, match="cannot be negative"):
        validation.money("-0.01", minimum=0)


# ------------------------------------------------------------------ gathering errors

def test_field_errors_gather_and_raise_together():
    errors = validation.FieldErrors()

    assert errors.check("timezone", validation.timezone, "Europe/Paris") == "Europe/Paris"
    assert errors.check("timezone", validation.timezone, "Mars/Phobos") is None
    errors.check("currency", validation.currency, "XXX")

    with pytest.raises(ValidationFailed) as failure:
        errors.raise_if_any()
    assert set(failure.value.field_errors) == {"timezone", "currency"}


def test_field_raises_one_validation_failure_on_its_name():
    with pytest.raises(ValidationFailed) as failure:
        validation.field("avatar", validation.url, "javascript:alert(1)")

    assert list(failure.value.field_errors) == ["avatar"]


def test_clean_replaces_a_sent_value_and_records_a_bad_one():
    errors = validation.FieldErrors()
    changes = {"name": "  Ada  ", "notes": "x" * 11}

    errors.clean(changes, "name", validation.text, max_length=80)
    errors.clean(changes, "notes", validation.text, max_length=10)
    errors.clean(changes, "phone", validation.text, max_length=40)

    assert changes == {"name": "Ada", "notes": "x" * 11}
    assert errors.fields == {"notes": ["Use at most 10 characters."]}


def test_field_carries_a_validators_detail_into_the_failure():
    with pytest.raises(ValidationFailed) as failure:
        validation.field("minutes", validation.whole_number, 0, minimum=1, maximum=600,
                         detail="Log between 1 and 600 minutes per entry.")

    assert failure.value.detail == "Log between 1 and 600 minutes per entry."
    assert failure.value.field_errors == {"minutes": ["Must be between 1 and 600."]}


# ------------------------------------------------------------------ text, numbers, emails

def test_text_is_trimmed_and_held_to_its_length():
    assert validation.text(None, max_length=5) == ""
    assert validation.text("  hi ", max_length=5) == "hi"
    with pytest.raises(Invalid, match="Enter the room's name."):
        validation.text("   ", max_length=5, required=True, missing="Enter the room's name.")
    with pytest.raises(Invalid, match="at most 5 characters"):
        validation.text("abcdef", max_length=5)
    with pytest.raises(Invalid):
        validation.text(5, max_length=5)


def test_text_lists_drop_blanks_and_repeats():
    assert validation.text_list([" a", "b", "a", " "], max_items=5, max_length=3) == ["a", "b"]
    for bad in ("a,b", [1], ["abcd"], ["a", "b", "c"]):
        with pytest.raises(Invalid):
            validation.text_list(bad, max_items=2, max_length=3)


@pytest.mark.parametrize("value", [True, 1.0, "3", None, 0, 11])
def test_whole_numbers_are_ints_in_range(value):
    with pytest.raises(Invalid):
        validation.whole_number(value, minimum=1, maximum=10)


def test_emails_are_lower_cased_and_blank_is_none():
    assert validation.email(" Ada@Example.TEST ") == "ada@example.test"
    assert validation.email("") is None
    with pytest.raises(Invalid, match="Enter an email address."):
        validation.email(" ", required=True)
    with pytest.raises(Invalid, match="valid email"):
        validation.email("ada@example")


@pytest.mark.parametrize(("value", "expected"), [(1, Decimal("1.00")), ("1.5", Decimal("1.50")),
                                                 (2.25, Decimal("2.25"))])
def test_quantities_are_plain_positive_numbers(value, expected):
    assert validation.quantity(value) == expected


@pytest.mark.parametrize(("value", "message"), [("0", "more than zero"), ("-1", "more than zero"),
                                                ("1.555", "two decimal places"), ("1e2", "like 1"),
                                                ("10000.01", "At most 10000")])
def test_bad_quantities_are_refused(value, message):
    with pytest.raises(Invalid, match=message):
        validation.quantity(value)


def test_amounts_come_back_to_the_cent_and_positive_refuses_zero():
    assert str(validation.money("19.9")) == "19.90"
    with pytest.raises(Invalid, match="more than zero"):
        validation.money("0", minimum=0, positive=True)
