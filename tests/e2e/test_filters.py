"""The search-as-you-type filter forms: typing searches, a filter control searches at once,
and leaving the search box does not search again (a late swap and its pushState would cancel
the click that moved focus away, e.g. on a result)."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import login_in_browser

FILTER_PAGES = [
    # path, search box, a select or checkbox that filters at once, the query it adds
    ("/students", "#student-search", "#student-status", "status=archived"),
    ("/teachers", "#teacher-search", "#teacher-accepting", "accepting=1"),
    ("/invoices", "#invoice-search", "#invoice-status", "status=[a-z]"),
    ("/payments", "#payment-search", "#payment-method", "method=[a-z]"),
    ("/notes", "#filter-student-q", "#filter-teacher", "teacher=[0-9a-f]"),
    ("/lesson-plans", "#plan-q", "#plan-mine", "mine=1"),
]


@pytest.fixture()
def office(make):
    studio = make.studio(name="Allegro Strings")
    make.member(studio, "admin", email="office@allegro.test", first_name="Olga")
    make.teacher(studio, email="theo@allegro.test", first_name="Theo", last_name="Marsh")
    db.session.commit()


@pytest.mark.parametrize(("path", "search", "control", "query"), FILTER_PAGES)
def test_filter_form_searches_once_per_change(page, live_url, office, path, search, control, query):
    login_in_browser(page, live_url, "office@allegro.test", PASSWORD)
    page.goto(f"{live_url}{path}")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if f"{path}?" in r.url else None)

    page.locator(search).fill("zz")
    expect(page).to_have_url(re.compile(rf"{path}\?.*q=zz"))
    assert len(requests) == 1

    page.locator(search).blur()
    page.locator(control).focus()
    page.wait_for_timeout(400)
    assert len(requests) == 1, requests

    if page.locator(control).get_attribute("type") == "checkbox":
        page.locator(control).check()
    else:
        page.locator(control).select_option(index=1)
    expect(page).to_have_url(re.compile(rf"{path}\?.*{query}"))
    assert len(requests) == 2
