"""What the status codes of the tables cannot show: lists hold only rows the caller may see,
refused forms change nothing, and a refusal says why."""
import pytest
from sqlalchemy import func, select

from app.extensions import db


def _ids(matrix, role, path):
    response = matrix.api_call(role, "GET", path, None)
    assert response.status_code == 200, response.get_json()
    return {row["id"] for row in response.get_json()["results"]}


@pytest.mark.parametrize("path", ["/api/v1/teachers", "/api/v1/students", "/api/v1/families"])
def test_another_studios_lists_show_none_of_ours(matrix, path):
    ours = {value for name, value in matrix.world.ids.items() if not name.startswith("foreign_")}
    assert not ours & _ids(matrix, "other", f"{path}?page_size=100")


def test_lessons_lists_never_show_another_studios_rows(matrix):
    foreign = matrix.world.ids["foreign_lesson"]
    for role in ("owner", "admin", "teacher", "parent", "student"):
        assert foreign not in _ids(matrix, role, "/api/v1/lessons?page_size=100&start_date=2000-01-01")
    assert _ids(matrix, "other", "/api/v1/lessons?page_size=100&start_date=2000-01-01") == {foreign}


def test_parents_and_students_see_only_their_own_lessons(matrix):
    ours, theirs = matrix.world.ids["lesson"], matrix.world.ids["colleague_lesson"]
    for role in ("parent", "student"):
        ids = _ids(matrix, role, "/api/v1/lessons?page_size=100")
        assert ours in ids and theirs not in ids


def test_a_parent_lists_only_their_familys_sent_invoices_and_payments(matrix):
    ids = matrix.world.ids
    response = matrix.api_call("parent", "GET", "/api/v1/invoices?page_size=100", None).get_json()
    assert {row["family"] for row in response["results"]} == {ids["family"]}
    assert ids["sent"] in {row["id"] for row in response["results"]}
    assert all(row["status"] != "draft" for row in response["results"])  # the studio's work in progress
    payments = matrix.api_call("parent2", "GET", "/api/v1/payments?page_size=100", None).get_json()
    assert {row["id"] for row in payments["results"]} == {ids["other_payment"]}


def test_another_studios_admin_lists_none_of_our_billing(matrix):
    assert _ids(matrix, "other", "/api/v1/invoices?page_size=100") == {matrix.world.ids["foreign_invoice"]}
    assert _ids(matrix, "other", "/api/v1/payments?page_size=100") == set()


BILLING_FORMS = [
    "/invoices/{draft}/send", "/invoices/{sent}/void", "/invoices/{draft}/delete",
    "/invoices/{draft}/lines", "/invoices/{draft}/edit", "/invoices/{sent}/credit",
    "/invoices/{sent}/payments", "/payments/{payment}/refund", "/invoices/new", "/invoices/generate",
]


def _billing_counts(app):
    from app.billing.models import Invoice, InvoiceLineItem, Payment

    with app.app_context():
        counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                       for model in (Invoice, InvoiceLineItem, Payment))
        statuses = dict(db.session.execute(select(Invoice.id, Invoice.status)).all())
        db.session.remove()
    return counts, statuses


def test_refused_billing_forms_change_nothing(matrix):
    before = _billing_counts(matrix.app)
    for role in ("parent", "teacher"):
        for path in BILLING_FORMS:
            response = matrix.page_call(role, "POST", path.format_map(matrix.world.ids), {
                "amount": "5.00", "method": "cash", "description": "x", "unit_price": "1.00"})
            assert response.status_code == 302, (role, path)
            matrix.take_flashes(role)
    assert _billing_counts(matrix.app) == before


PEOPLE_ACTIONS = [
    "/teachers/{other_teacher}/archive", "/students/{child}/archive", "/families/{parent_family}/guardians",
    "/families/{parent_family}/guardians/{guardian}/remove", "/families/{empty_family}/delete",
]


@pytest.mark.parametrize("role", ("teacher", "parent", "student"))
def test_refused_people_actions_say_why(matrix, role):
    for path in PEOPLE_ACTIONS:
        response = matrix.page_call(role, "POST", path.format_map(matrix.world.ids), {"first_name": "X"})
        assert response.status_code == 302, path
        assert ("error", "You do not have permission to do that.") in matrix.take_flashes(role), path
