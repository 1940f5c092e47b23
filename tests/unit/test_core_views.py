"""The helpers every HTML view and API handler shares (app/core/views.py, app/core/api.py)."""
import uuid
from datetime import date

import pytest
from flask import render_template_string
from sqlalchemy import select
from wtforms import StringField

from app.accounts.models import Studio
from app.core.api import loads
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.forms import EmptyForm
from app.core.pagination import HTML_PAGE_SIZE
from app.core.views import (
    date_arg,
    denied_writes_redirect,
    form_failed,
    form_status,
    html_list_page,
    html_page,
    page_number,
    render,
    safe_next,
    uuid_arg,
)
from app.extensions import db

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(("query", "expected"), [
    ("", 1), ("page=3", 3), ("page=0", 1), ("page=-4", 1), ("page=abc", 1),
    ("page=99999999999", 1_000_000),
])
def test_page_number_is_a_page_the_list_can_serve(app, query, expected):
    with app.test_request_context(f"/x?{query}"):
        assert page_number() == expected


def test_malformed_arguments_read_as_missing(app):
    some_id = uuid.uuid4()
    with app.test_request_context(f"/x?a={some_id}&b=nope&d=2026-02-03&e=2026-02-30"):
        assert uuid_arg("a") == some_id and uuid_arg("b") is None and uuid_arg("c") is None
        assert date_arg("d") == date(2026, 2, 3) and date_arg("e") is None


@pytest.mark.parametrize(("target", "kept"), [
    ("/students?page=2", True), ("//evil.test/x", False), ("https://evil.test/", False),
    ("/\\evil.test", False), ("students", False), ("", False),
])
def test_safe_next_keeps_only_paths_on_this_site(app, target, kept):
    with app.test_request_context("/x", query_string={"next": target}):
        assert safe_next("/home") == (target if kept else "/home")


def test_html_page_numbers_its_pages(make):
    for n in range(HTML_PAGE_SIZE + 3):
        make.studio(name=f"Studio {n:02}")
    db.session.flush()
    stmt = select(Studio).order_by(Studio.name)
    from flask import current_app

    with current_app.test_request_context("/studios?page=2"):
        page = html_page(stmt)
    assert (page["number"], page["size"], page["pages"], page["count"]) == (2, HTML_PAGE_SIZE, 2, 28)
    assert len(page["results"]) == 3 and page["next"] is None
    assert page["previous"].endswith("page=1")


def test_html_list_page_pages_rows_in_memory(app):
    with app.test_request_context("/preview?show=all&page=2"):
        page = html_list_page(list(range(250)), 100)
    assert page["results"] == list(range(100, 200))
    assert (page["number"], page["pages"], page["count"]) == (2, 3, 250)
    assert "show=all" in page["next"] and page["next"].endswith("page=3")


def test_the_pager_shows_only_when_there_is_more_than_one_page(app):
    template = '{% from "_pagination.html" import pagination %}{{ pagination(page, "#r", "Rows") }}'
    with app.test_request_context("/rows?page=1"):
        one = render_template_string(template, page=html_list_page(list(range(3))))
        two = render_template_string(template, page=html_list_page(list(range(30))))
    assert "pagination" not in one
    assert "Page 1 of 2" in two and 'rel="next"' in two and 'hx-target="#r"' in two


class NameForm(EmptyForm):
    name = StringField()


@pytest.mark.parametrize("error", [
    ValidationFailed("Bad.", field_errors={"full_name": ["Too long."]}),
    Conflict("Taken.", field_errors={"full_name": ["Too long."]}),
])
def test_form_failed_puts_field_errors_by_their_fields(app, error):
    with app.test_request_context("/x", method="POST"):
        form = NameForm(meta={"csrf": False})
        form_failed(form, error, {"full_name": "name"})
        assert form.name.errors == ["Too long."] and form.form_errors == []
        assert form_status(form) == 422


def test_form_failed_puts_other_errors_above_the_form(app):
    with app.test_request_context("/x", method="POST"):
        form = NameForm(meta={"csrf": False})
        form_failed(form, Conflict("The invoice is already paid."))
        assert form.form_errors == ["The invoice is already paid."] and not form.name.errors


def test_render_answers_the_partial_to_htmx_and_says_it_varies(app):
    with app.test_request_context("/x", headers=HTMX):
        response = render("errors/generic.html", "errors/_fragment.html", status=409,
                          detail="Busy.")
    assert response.status_code == 409 and "HX-Request" in response.vary
    assert "<html" not in response.get_data(as_text=True)


def test_a_refused_write_flashes_and_goes_back(app):
    @denied_writes_redirect(back=lambda lesson_id: f"/lessons/{lesson_id}")
    def to_lesson(lesson_id):
        raise PermissionDenied("Not your lesson.")

    @denied_writes_redirect
    def to_referrer():
        raise PermissionDenied("No.")

    with app.test_request_context("/x", method="POST"):
        assert to_lesson(lesson_id="7").location == "/lessons/7"
    with app.test_request_context("/x", method="POST", headers={"Referer": "http://localhost/notes"}):
        assert to_referrer().location == "http://localhost/notes"
    with app.test_request_context("/x", method="POST", headers=HTMX), pytest.raises(PermissionDenied):
        to_referrer()


def test_loads_replaces_the_id_before_the_view_runs(app):
    seen = []

    def loader(thing_id):
        if thing_id == "missing":
            raise NotFound()
        return {"id": thing_id}

    @loads("thing", loader)
    def view(thing, extra=None):
        seen.append(thing)
        return thing

    assert view(thing_id="1", extra=2) == {"id": "1"}
    with pytest.raises(NotFound):
        view(thing_id="missing")
    assert seen == [{"id": "1"}]
