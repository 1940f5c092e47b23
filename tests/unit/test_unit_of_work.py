"""The request commits once at the edge, and only when nothing failed: a DomainError met on
the way rolls the request back even when a view catches it and answers 200, 302 or 422."""
import pytest
from flask import Blueprint, flash, jsonify, redirect
from sqlalchemy import select

from app import create_app
from app.accounts.models import Studio
from app.core.errors import Conflict
from app.extensions import db

NAME = "Flushed then refused"


def flush_then_refuse():
    """A service that writes, flushes, then finds a reason to refuse."""
    db.session.add(Studio(name=NAME, slug="flushed-then-refused", timezone="UTC", currency="USD",
                          locale="en_US"))
    db.session.flush()
    raise Conflict("Refused after the flush.")


def flush_and_succeed():
    db.session.add(Studio(name=NAME, slug="flushed-and-kept", timezone="UTC", currency="USD",
                          locale="en_US"))
    db.session.flush()


def _blueprint():
    bp = Blueprint("unit_of_work_probe", __name__)

    @bp.route("/probe/page/<int:status>")
    def page(status):
        try:
            flush_then_refuse()
        except Conflict as exc:
            if status == 302:
                flash(exc.detail, "error")
                return redirect("/")
            return f"<p>{exc.detail}</p>", status
        return "unreachable"

    @bp.route("/api/v1/probe")
    def api():
        try:
            flush_then_refuse()
        except Conflict as exc:
            return jsonify({"detail": exc.detail, "done": False})
        return jsonify({"done": True})

    @bp.route("/probe/ok")
    def ok():
        flush_and_succeed()
        return "kept"

    return bp


@pytest.fixture()
def probe_app(app, database_url):
    """An app of its own on the test database, with routes that call the services above."""
    probe = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    probe.register_blueprint(_blueprint())
    yield probe
    with probe.app_context():
        db.session.remove()
        db.engine.dispose()


def _studios_named(app):
    with app.app_context():
        return db.session.scalars(select(Studio.slug).where(Studio.name == NAME)).all()


@pytest.mark.parametrize("status", [200, 302, 422])
def test_a_page_that_catches_a_domain_error_commits_nothing(probe_app, app, status):
    response = probe_app.test_client().get(f"/probe/page/{status}")
    assert response.status_code == status
    assert _studios_named(app) == []


def test_an_api_answer_after_a_caught_domain_error_commits_nothing(probe_app, app):
    response = probe_app.test_client().get("/api/v1/probe")
    assert response.status_code == 200 and response.json["done"] is False
    assert _studios_named(app) == []


def test_a_request_without_a_domain_error_still_commits(probe_app, app):
    assert probe_app.test_client().get("/probe/ok").status_code == 200
    assert _studios_named(app) == ["flushed-and-kept"]
