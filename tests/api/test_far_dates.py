"""Dates far outside what a studio can mean answer 400, never a 500 from date overflow."""
import pytest

from tests.conftest import api_login, bearer


@pytest.mark.parametrize("query", [
    "/api/v1/lessons?start_date=9999-12-31",
    "/api/v1/lessons/calendar?start=0001-01-01&end=0001-01-07",
    "/api/v1/reservations?start_date=9999-12-31",
    "/api/v1/payments?end_date=9999-12-31",
])
def test_far_dates_are_a_validation_error(client, studio_setup, query):
    tokens = api_login(client, studio_setup.users["admin"].email)

    response = client.get(query, headers=bearer(tokens))

    assert response.status_code == 400, response.json
    assert response.json["code"] == "VALIDATION_ERROR"
    assert any("between 1900 and 2200" in m for ms in response.json["field_errors"].values() for m in ms)
