"""Shared marshmallow fields and the pagination helper."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError, fields
from sqlalchemy import select

from app.accounts.models import Studio
from app.core.pagination import ListQuerySchema, page_schema, paginate
from app.core.schemas import BaseSchema, Money, UTCDateTime
from app.extensions import db


class PriceSchema(BaseSchema):
    amount = Money()
    at = UTCDateTime()


def load(**data):
    return PriceSchema().load(data)


# ------------------------------------------------------------------ Money

@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("3"), "3.00"), (Decimal("19.99"), "19.99"), (Decimal("0.005"), "0.01"),
    (Decimal("2.675"), "2.68"), (Decimal("-1.5"), "-1.50"), (7, "7.00"),
])
def test_money_serializes_as_a_string_with_two_decimals(value, expected):
    assert PriceSchema().dump({"amount": value}) == {"amount": expected}


def test_money_serializes_none_as_null():
    assert PriceSchema().dump({"amount": None}) == {"amount": None}


@pytest.mark.parametrize(("value", "expected"), [
    ("19.99", Decimal("19.99")), (5, Decimal("5")), ("5", Decimal("5")), ("0.5", Decimal("0.5")),
    ("-3.10", Decimal("-3.10")), (19.99, Decimal("19.99")), (1e2, Decimal("100")),
])
def test_money_accepts_amounts(value, expected):
    amount = load(amount=value)["amount"]

    assert amount == expected
    assert isinstance(amount, Decimal)


@pytest.mark.parametrize("value", [
    "19.999", "0.001", "abc", "", "NaN", "nan", "sNaN", "Infinity", "-inf", float("nan"),
    float("inf"), True, False, None, [], {}, "1e10", "1e2", "1E2", "1.5e1", "12,50", "$5",
    "+5", ".5", "5.", "0x10", "1_000", 1e20, " 0.5 ",
])
def test_money_rejects_what_is_not_an_amount(value):
    with pytest.raises(ValidationError) as error:
        load(amount=value)

    assert "amount" in error.value.messages


def test_money_precision_error_says_so():
    with pytest.raises(ValidationError) as error:
        load(amount="19.999")

    assert error.value.messages["amount"] == ["Use at most two decimal places."]


# ------------------------------------------------------------------ UTCDateTime

def test_utc_datetime_serializes_with_z():
    paris = datetime(2025, 1, 20, 15, 0, 30, 123456, tzinfo=ZoneInfo("Europe/Paris"))

    assert PriceSchema().dump({"at": paris}) == {"at": "2025-01-20T14:00:30Z"}


def test_naive_datetime_serializes_as_utc():
    assert PriceSchema().dump({"at": datetime(2025, 1, 20, 14, 0)}) == {"at": "2025-01-20T14:00:00Z"}


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-01-20T14:00:00Z", datetime(2025, 1, 20, 14, 0, tzinfo=timezone.utc)),
    ("2025-01-20T09:00:00-05:00", datetime(2025, 1, 20, 14, 0, tzinfo=timezone.utc)),
    ("2025-01-21T03:30:00+13:30", datetime(2025, 1, 20, 14, 0, tzinfo=timezone.utc)),
    ("2025-01-20T14:00:00", datetime(2025, 1, 20, 14, 0, tzinfo=timezone.utc)),
])
def test_utc_datetime_parses_offsets_to_utc(text, expected):
    parsed = load(at=text)["at"]

    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)
    assert parsed.tzinfo is timezone.utc


@pytest.mark.parametrize("text", ["yesterday", "2025-13-01T00:00:00Z", "", 1737381600])
def test_utc_datetime_rejects_garbage(text):
    with pytest.raises(ValidationError):
        load(at=text)


# ------------------------------------------------------------------ BaseSchema

def test_base_schema_rejects_unknown_fields():
    with pytest.raises(ValidationError) as error:
        load(amount="1", colour="red")

    assert list(error.value.messages) == ["colour"]


def test_base_schema_rejects_nul_bytes_in_keys_and_nested_values():
    class Nested(BaseSchema):
        tags = fields.List(fields.String())

    with pytest.raises(ValidationError):
        Nested().load({"tags": ["ok", "b\x00d"]})
    with pytest.raises(ValidationError):
        Nested().load({"ta\x00gs": []})


# ------------------------------------------------------------------ pagination

@pytest.fixture()
def studios(ctx):
    for n in range(5):
        db.session.add(Studio(name=f"Studio {n}", slug=f"pagination-{n}"))
    db.session.flush()


def page(app, query):
    with app.test_request_context(f"/api/v1/studios?{query}"):
        from flask import request

        args = ListQuerySchema().load(request.args)
        return paginate(select(Studio).order_by(Studio.name), args)


def test_pagination_links_next_and_previous_pages(app, studios):
    middle = page(app, "page=2&page_size=2&search=x")

    assert middle["count"] == 5
    assert [s.name for s in middle["results"]] == ["Studio 2", "Studio 3"]
    assert middle["next"] == "http://localhost/api/v1/studios?page=3&page_size=2&search=x"
    assert middle["previous"] == "http://localhost/api/v1/studios?page=1&page_size=2&search=x"


def test_first_page_has_no_previous_and_last_page_no_next(app, studios):
    first = page(app, "page_size=2")
    last = page(app, "page=3&page_size=2")

    assert first["previous"] is None and first["next"].endswith("page_size=2&page=2")
    assert last["next"] is None and [s.name for s in last["results"]] == ["Studio 4"]


def test_a_page_past_the_end_is_empty(app, studios):
    beyond = page(app, "page=50&page_size=2")

    assert beyond["results"] == [] and beyond["next"] is None and beyond["count"] == 5


def test_defaults_are_page_one_of_twenty(app, studios):
    result = page(app, "")

    assert len(result["results"]) == 5 and result["next"] is None and result["previous"] is None


def test_page_schema_wraps_the_item_schema():
    schema = page_schema(PriceSchema)

    assert schema.__name__ == "PricePageSchema"
    dumped = schema().dump({"count": 1, "next": None, "previous": None,
                            "results": [{"amount": Decimal("2")}]})
    assert dumped == {"count": 1, "next": None, "previous": None, "results": [{"amount": "2.00"}]}


def test_counts_are_grouped_in_the_studios_locale():
    from types import SimpleNamespace

    from app.core.formatting import number_filter

    assert number_filter(21405, studio=SimpleNamespace(locale="en_US")) == "21,405"
    assert number_filter(21405, studio=SimpleNamespace(locale="de_DE")) == "21.405"
    assert number_filter(7, studio=SimpleNamespace(locale="en_US")) == "7"
