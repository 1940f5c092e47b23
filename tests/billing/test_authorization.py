"""Who may do what with billing, for every route: the API and the HTML pages.

A parent sees only their own family's invoices and payments (another family's: 404); a
teacher and a student neither read family billing nor write it (403 / flash + redirect);
another studio's admin never reaches this studio's rows (404).
"""
import pytest

from app.extensions import db
from tests.conftest import api_login, bearer, csrf_token, web_login

ROLES = ("owner", "admin", "teacher", "parent", "other_parent", "student", "foreign_admin")


@pytest.fixture()
def world(bill, client):
    bill.draft = bill.make.invoice(bill.studio, bill.family, actor=bill.admin)
    bill.sent = bill.make.invoice(bill.studio, bill.family, send=True, actor=bill.admin)
    bill.payment = bill.make.payment(bill.studio, bill.sent, "10.00", actor=bill.admin)
    bill.other_sent = bill.make.invoice(bill.studio, bill.other_family, send=True)
    db.session.commit()
    bill.users = {"owner": bill.owner, "admin": bill.admin, "teacher": bill.teacher_user,
                  "parent": bill.parent, "other_parent": bill.other_parent,
                  "student": bill.student_user, "foreign_admin": bill.foreign_admin}
    tokens = {}

    def headers(role):
        if role not in tokens:
            tokens[role] = bearer(api_login(client, bill.users[role].email))
        return tokens[role]

    bill.headers = headers
    return bill


def _expect(world, client, method, path, expected, json=None):
    for role in ROLES:
        response = client.open(path.format(w=world), method=method, json=json,
                               headers=world.headers(role))
        assert response.status_code == expected[role], (role, method, path, response.json)


MANAGERS_ONLY = {"owner": 200, "admin": 200, "teacher": 403, "parent": 403,
                 "other_parent": 403, "student": 403}


def test_invoice_reads(world, client):
    _expect(world, client, "GET", "/api/v1/invoices", {
        **MANAGERS_ONLY, "parent": 200, "other_parent": 200, "foreign_admin": 200})
    _expect(world, client, "GET", "/api/v1/invoices/{w.sent.id}", {
        **MANAGERS_ONLY, "parent": 200, "other_parent": 404, "foreign_admin": 404})
    _expect(world, client, "GET", "/api/v1/invoices/{w.sent.id}/pdf", {
        **MANAGERS_ONLY, "parent": 200, "other_parent": 404, "foreign_admin": 404})
    _expect(world, client, "GET", "/api/v1/invoices/not-a-uuid", {
        **MANAGERS_ONLY, "owner": 404, "admin": 404, "parent": 404, "other_parent": 404,
        "foreign_admin": 404})


def test_lists_show_a_parent_only_their_family_and_another_studio_nothing(world, client):
    own = client.get("/api/v1/invoices", headers=world.headers("parent")).json
    assert {r["family"] for r in own["results"]} == {str(world.family.id)}
    assert own["count"] == 1  # drafts are the studio's work in progress
    draft = client.get(f"/api/v1/invoices/{world.draft.id}", headers=world.headers("parent"))
    assert draft.status_code == 404
    other = client.get("/api/v1/payments", headers=world.headers("other_parent")).json
    assert other["count"] == 0
    foreign = client.get("/api/v1/invoices", headers=world.headers("foreign_admin")).json
    assert foreign["count"] == 0


def test_invoice_writes(world, client):
    body = {"family": str(world.family.id), "line_items": []}
    _expect(world, client, "POST", "/api/v1/invoices", {
        **MANAGERS_ONLY, "owner": 201, "admin": 201, "foreign_admin": 400}, json=body)
    bad_body = {"nonsense": True}
    _expect(world, client, "POST", "/api/v1/invoices", {
        **MANAGERS_ONLY, "owner": 400, "admin": 400, "foreign_admin": 400}, json=bad_body)
    _expect(world, client, "PATCH", "/api/v1/invoices/{w.draft.id}", {
        **MANAGERS_ONLY, "foreign_admin": 404}, json={"notes": "x"})
    _expect(world, client, "PATCH", "/api/v1/invoices/{w.sent.id}", {
        **MANAGERS_ONLY, "owner": 409, "admin": 409, "foreign_admin": 404}, json={"notes": "x"})
    _expect(world, client, "POST", "/api/v1/invoices/{w.other_sent.id}/send", {
        **MANAGERS_ONLY, "owner": 409, "admin": 409, "foreign_admin": 404})
    period = {"period_start": "2025-01-01", "period_end": "2025-01-31"}
    _expect(world, client, "POST", "/api/v1/invoices/generate?dry_run=true", {
        **MANAGERS_ONLY, "foreign_admin": 200}, json=period)


def test_send_void_and_delete_by_role(world, client):
    for role in ("teacher", "parent", "student"):
        headers = world.headers(role)
        assert client.post(f"/api/v1/invoices/{world.draft.id}/send", headers=headers).status_code == 403
        assert client.post(f"/api/v1/invoices/{world.sent.id}/void", headers=headers).status_code == 403
        assert client.delete(f"/api/v1/invoices/{world.draft.id}", headers=headers).status_code == 403
    foreign = world.headers("foreign_admin")
    assert client.post(f"/api/v1/invoices/{world.draft.id}/send", headers=foreign).status_code == 404
    assert client.post(f"/api/v1/invoices/{world.sent.id}/void", headers=foreign).status_code == 404
    assert client.delete(f"/api/v1/invoices/{world.draft.id}", headers=foreign).status_code == 404
    admin = world.headers("admin")
    assert client.post(f"/api/v1/invoices/{world.draft.id}/send", headers=admin).status_code == 200
    assert client.post(f"/api/v1/invoices/{world.sent.id}/void", headers=admin).status_code == 200


def test_payments(world, client):
    _expect(world, client, "GET", "/api/v1/payments", {
        **MANAGERS_ONLY, "parent": 200, "other_parent": 200, "foreign_admin": 200})
    _expect(world, client, "GET", "/api/v1/payments/{w.payment.id}", {
        **MANAGERS_ONLY, "parent": 200, "other_parent": 404, "foreign_admin": 404})
    body = {"invoice": str(world.sent.id), "amount": "1.00", "payment_method": "cash"}
    _expect(world, client, "POST", "/api/v1/payments", {
        **MANAGERS_ONLY, "owner": 201, "admin": 201, "foreign_admin": 400}, json=body)
    _expect(world, client, "POST", "/api/v1/payments", {
        **MANAGERS_ONLY, "owner": 400, "admin": 400, "foreign_admin": 400}, json={"amount": "x"})
    _expect(world, client, "POST", "/api/v1/payments/{w.payment.id}/refund", {
        **MANAGERS_ONLY, "owner": 201, "admin": 201, "foreign_admin": 404}, json={"amount": "1.00"})


def test_reports(world, client):
    for path in ("/api/v1/reports/revenue", "/api/v1/reports/outstanding",
                 "/api/v1/reports/attendance"):
        _expect(world, client, "GET", path, {**MANAGERS_ONLY, "foreign_admin": 200})
    _expect(world, client, "GET", "/api/v1/reports/teacher-hours", {
        **MANAGERS_ONLY, "teacher": 200, "foreign_admin": 200})
    response = client.get(f"/api/v1/reports/teacher-hours?teacher={world.make.teacher(world.studio).id}",
                          headers=world.headers("teacher"))
    assert response.status_code in (404, 401)


def test_anonymous_callers_get_401(client, world):
    for path in ("/api/v1/invoices", "/api/v1/payments", "/api/v1/reports/revenue",
                 f"/api/v1/invoices/{world.sent.id}/pdf"):
        assert client.get(path).status_code == 401


# ---------------------------------------------------------------- HTML

def _browser(app, user):
    client = app.test_client()
    web_login(client, user.email)
    return client


PAGES = {
    # path: {role: status}; 302 = "no permission" flash + redirect
    "/invoices": {"admin": 200, "parent": 200, "teacher": 302, "student": 302},
    "/invoices/{w.sent.id}": {"admin": 200, "parent": 200, "other_parent": 404, "teacher": 302,
                              "foreign_admin": 404},
    "/invoices/{w.sent.id}/pdf": {"admin": 200, "parent": 200, "other_parent": 404,
                                  "teacher": 302, "foreign_admin": 404},
    "/invoices/new": {"admin": 200, "parent": 302, "teacher": 302},
    "/invoices/generate": {"admin": 200, "parent": 302, "teacher": 302},
    "/payments": {"admin": 200, "parent": 200, "teacher": 302, "student": 302},
    "/families/{w.family.id}/statement": {"admin": 200, "parent": 200, "other_parent": 404,
                                          "teacher": 302, "foreign_admin": 404},
    "/reports": {"admin": 200, "teacher": 200, "parent": 302, "student": 302},
    "/reports/revenue.csv": {"admin": 200, "teacher": 404, "parent": 302},
    "/reports/teacher-hours.csv": {"admin": 200, "teacher": 200, "parent": 302},
}


def test_pages_by_role(app, world):
    clients = {}
    for path, expected in PAGES.items():
        for role, status in expected.items():
            if role not in clients:
                clients[role] = _browser(app, world.users[role])
            response = clients[role].get(path.format(w=world))
            assert response.status_code == status, (role, path)


POSTS = [
    "/invoices/{w.draft.id}/send", "/invoices/{w.sent.id}/void", "/invoices/{w.draft.id}/delete",
    "/invoices/{w.draft.id}/lines", "/invoices/{w.draft.id}/edit", "/invoices/{w.sent.id}/credit",
    "/invoices/{w.sent.id}/payments", "/payments/{w.payment.id}/refund", "/invoices/new",
    "/invoices/generate",
]


def test_parents_and_teachers_cannot_post_billing_forms(app, world):
    from sqlalchemy import func, select

    from app.billing.models import Invoice, Payment

    before = (db.session.scalar(select(func.count()).select_from(Payment)),
              db.session.scalar(select(func.count()).select_from(Invoice)))
    for role in ("parent", "teacher"):
        client = _browser(app, world.users[role])
        token = csrf_token(client, "/")
        for path in POSTS:
            response = client.post(path.format(w=world), data={
                "csrf_token": token, "amount": "5.00", "method": "cash", "description": "x",
                "unit_price": "1.00"})
            assert response.status_code == 302, (role, path)
    db.session.expire_all()
    assert (db.session.scalar(select(func.count()).select_from(Payment)),
            db.session.scalar(select(func.count()).select_from(Invoice))) == before
    assert db.session.get(Invoice, world.draft.id).status == "draft"


def test_foreign_admin_gets_404_on_posts(app, world):
    client = _browser(app, world.foreign_admin)
    token = csrf_token(client, "/")
    for path in POSTS[:8]:
        assert client.post(path.format(w=world), data={"csrf_token": token}).status_code == 404, path
