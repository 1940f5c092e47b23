"""The billing JSON API: shapes, filters, idempotency, bad input, status codes."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.billing.models import Invoice, Payment
from app.extensions import db
from tests.conftest import api_login, bearer

D = Decimal


@pytest.fixture()
def api(bill, client):
    db.session.commit()

    def login(user):
        return bearer(api_login(client, user.email))

    bill.headers = login
    bill.admin_headers = login(bill.admin)
    return bill


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _create(client, api, **overrides):
    body = {"band": str(api.family.id), "line_items": [
        {"description": "Piano Lessons", "quantity": 4, "unit_price": "50.00"}]}
    body.update(overrides)
    return client.post("/api/v1/invoices", json=body, headers=api.admin_headers)


def test_create_invoice_with_the_reference_body_and_shape(client, api):
    response = _create(client, api, issue_date="2025-01-01", due_date="2025-01-15")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["invoice_number"] is None and body["status"] == "draft"
    assert body["family"] == str(api.family.id) and body["band"]["name"] == "Bennett Family"
    assert (body["subtotal"], body["tax"], body["total"]) == ("200.00", "16.50", "216.50")
    assert (body["amount_paid"], body["balance_due"]) == ("0.00", "216.50")
    assert body["line_items"] == [{
        "id": body["line_items"][0]["id"], "kind": "manual", "description": "Piano Lessons",
        "quantity": 4, "unit_price": "50.00", "total_price": "200.00", "lesson": None,
        "student": None}]
    assert body["issue_date"] == "2025-01-01" and body["due_date"] == "2025-01-15"


@pytest.mark.parametrize(("line", "field"), [
    ({"description": "x", "quantity": 1, "unit_price": "19.999"}, "line_items.0.unit_price"),
    ({"description": "x", "quantity": 1, "unit_price": 19.999}, "line_items.0.unit_price"),
    ({"description": "x", "quantity": -2, "unit_price": "10.00"}, "line_items.0.quantity"),
    ({"description": "x", "quantity": 1, "unit_price": "-10.00"}, "line_items.0.unit_price"),
    ({"description": "x", "quantity": 1.555, "unit_price": "1.00"}, "line_items.0.quantity"),
])
def test_bad_invoice_input_is_400_and_writes_nothing(client, api, line, field):
    response = _create(client, api, line_items=[line])
    assert response.status_code == 400
    assert response.json["code"] == "VALIDATION_ERROR"
    assert field in response.json["field_errors"]
    assert _count(Invoice) == 0


def test_family_and_band_must_agree_and_foreign_families_are_unknown(client, api):
    response = _create(client, api, family=str(api.other_family.id))
    assert response.status_code == 400 and "band" in response.json["field_errors"]
    response = _create(client, api, band=str(api.foreign_family.id))
    assert response.status_code == 400 and "family" in response.json["field_errors"]


def test_send_then_pay_then_refund_through_the_api(client, api):
    invoice_id = _create(client, api).json["id"]
    sent = client.post(f"/api/v1/invoices/{invoice_id}/send", headers=api.admin_headers)
    assert sent.status_code == 200 and sent.json["status"] == "sent"
    assert sent.json["invoice_number"].endswith("-001") and sent.json["sent_at"].endswith("Z")
    paid = client.post("/api/v1/payments", headers=api.admin_headers, json={
        "invoice": invoice_id, "amount": "100.00", "payment_method": "credit_card",
        "transaction_id": "txn_123456", "notes": "Paid via Stripe"})
    assert paid.status_code == 201, paid.json
    assert paid.json["amount"] == "100.00" and paid.json["payment_method"] == "credit_card"
    invoice = client.get(f"/api/v1/invoices/{invoice_id}", headers=api.admin_headers).json
    assert (invoice["status"], invoice["amount_paid"], invoice["balance_due"]) == (
        "partially_paid", "100.00", "116.50")
    refund = client.post(f"/api/v1/payments/{paid.json['id']}/refund",
                         json={"amount": "40.00"}, headers=api.admin_headers)
    assert refund.status_code == 201 and refund.json["amount"] == "-40.00"
    assert refund.json["refund_of"] == paid.json["id"]


def test_payment_states_and_bad_amounts(client, api):
    draft_id = _create(client, api).json["id"]
    body = {"invoice": draft_id, "amount": "10.00", "payment_method": "cash"}
    response = client.post("/api/v1/payments", json=body, headers=api.admin_headers)
    assert response.status_code == 409 and response.json["code"] == "CONFLICT"
    client.post(f"/api/v1/invoices/{draft_id}/send", headers=api.admin_headers)
    for amount in ("19.999", 19.999, "-1.00", "0.00"):
        response = client.post("/api/v1/payments", json={**body, "amount": amount},
                               headers=api.admin_headers)
        assert response.status_code == 400, amount
    response = client.post("/api/v1/payments", json={**body, "currency": "EUR"},
                           headers=api.admin_headers)
    assert response.status_code == 400 and "currency" in response.json["field_errors"]
    voided = client.post(f"/api/v1/invoices/{draft_id}/void", json={"reason": "oops"},
                         headers=api.admin_headers)
    assert voided.status_code == 200 and voided.json["status"] == "void"
    response = client.post("/api/v1/payments", json=body, headers=api.admin_headers)
    assert response.status_code == 409
    assert _count(Payment) == 0


def test_editing_a_sent_invoice_is_409_and_a_draft_can_be_patched_and_deleted(client, api):
    invoice_id = _create(client, api).json["id"]
    patched = client.patch(f"/api/v1/invoices/{invoice_id}", headers=api.admin_headers, json={
        "discount": "20.00", "line_items": [{"description": "Theory", "quantity": 1.5,
                                             "unit_price": "40.00"}]})
    assert patched.status_code == 200
    assert (patched.json["subtotal"], patched.json["discount"], patched.json["total"]) == (
        "60.00", "20.00", "43.30")
    assert patched.json["line_items"][0]["quantity"] == 1.5
    client.post(f"/api/v1/invoices/{invoice_id}/send", headers=api.admin_headers)
    response = client.patch(f"/api/v1/invoices/{invoice_id}", json={"notes": "x"},
                            headers=api.admin_headers)
    assert response.status_code == 409
    assert client.delete(f"/api/v1/invoices/{invoice_id}", headers=api.admin_headers).status_code == 409
    other = _create(client, api).json["id"]
    assert client.delete(f"/api/v1/invoices/{other}", headers=api.admin_headers).status_code == 204


def test_list_filters_status_family_band_and_dates(client, api):
    _create(client, api, issue_date="2025-01-05", due_date="2025-01-20")
    _create(client, api, band=str(api.other_family.id), issue_date="2025-02-05",
            due_date="2025-02-20")
    get = lambda query: client.get(f"/api/v1/invoices{query}", headers=api.admin_headers).json  # noqa: E731
    assert get("")["count"] == 2
    assert get(f"?band={api.other_family.id}")["count"] == 1
    assert get(f"?family={api.family.id}")["results"][0]["band"]["name"] == "Bennett Family"
    assert get("?start_date=2025-02-01")["count"] == 1
    assert get("?end_date=2025-01-31")["count"] == 1
    assert get("?status=sent")["count"] == 0
    assert client.get("/api/v1/invoices?status=bogus", headers=api.admin_headers).status_code == 400
    assert get("?ordering=-total&page_size=1")["next"] is not None


def test_same_idempotency_key_twice_records_one_payment(client, api):
    invoice_id = _create(client, api).json["id"]
    client.post(f"/api/v1/invoices/{invoice_id}/send", headers=api.admin_headers)
    headers = {**api.admin_headers, "Idempotency-Key": "pay-123"}
    body = {"invoice": invoice_id, "amount": "50.00", "payment_method": "cash"}
    first = client.post("/api/v1/payments", json=body, headers=headers)
    second = client.post("/api/v1/payments", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json == first.json and second.headers["Idempotent-Replayed"] == "true"
    assert _count(Payment) == 1
    other = client.post("/api/v1/payments", json={**body, "amount": "60.00"}, headers=headers)
    assert other.status_code == 409 and other.json["code"] == "CONFLICT"
    assert _count(Payment) == 1
    invoice = client.get(f"/api/v1/invoices/{invoice_id}", headers=api.admin_headers).json
    assert invoice["amount_paid"] == "50.00"


def test_idempotent_invoice_creation_and_failed_requests_can_be_retried(client, api):
    headers = {**api.admin_headers, "Idempotency-Key": "inv-1"}
    body = {"family": str(api.family.id), "line_items": [
        {"description": "x", "quantity": 1, "unit_price": "1.999"}]}
    assert client.post("/api/v1/invoices", json=body, headers=headers).status_code == 400
    body["line_items"][0]["unit_price"] = "1.99"
    first = client.post("/api/v1/invoices", json=body, headers=headers)
    second = client.post("/api/v1/invoices", json=body, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json == second.json
    assert _count(Invoice) == 1
    long_key = {**api.admin_headers, "Idempotency-Key": "k" * 256}
    assert client.post("/api/v1/invoices", json=body, headers=long_key).status_code == 400


def test_generate_dry_run_then_real_run_then_nothing_new(client, api):
    first, last = api.last_month()
    api.lesson(api.sam, first)
    db.session.commit()
    body = {"period_start": first.isoformat(), "period_end": last.isoformat()}
    preview = client.post("/api/v1/invoices/generate?dry_run=true", json=body,
                          headers=api.admin_headers)
    assert preview.status_code == 200 and preview.json["dry_run"] is True
    assert preview.json["count"] == 1 and preview.json["results"][0]["id"] is None
    assert preview.json["results"][0]["line_items"][0]["total_price"] == "45.00"
    assert _count(Invoice) == 0
    created = client.post("/api/v1/invoices/generate", json=body, headers=api.admin_headers)
    assert created.status_code == 201 and created.json["count"] == 1
    assert created.json["results"][0]["status"] == "draft"
    again = client.post("/api/v1/invoices/generate", json=body, headers=api.admin_headers)
    assert again.status_code == 201 and again.json["results"] == []
    bad = client.post("/api/v1/invoices/generate", headers=api.admin_headers,
                      json={"period_start": last.isoformat(), "period_end": first.isoformat()})
    assert bad.status_code == 400


def test_pdf_download(client, api):
    invoice_id = _create(client, api).json["id"]
    response = client.get(f"/api/v1/invoices/{invoice_id}/pdf", headers=api.admin_headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_pdf_is_laid_out_once_per_version_and_answers_304_to_its_etag(app, client, api):
    from pathlib import Path

    invoice_id = _create(client, api).json["id"]
    url = f"/api/v1/invoices/{invoice_id}/pdf"
    first = client.get(url, headers=api.admin_headers)
    cached = sorted(Path(app.config["PDF_CACHE_DIR"]).glob(f"{invoice_id}.*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == first.data
    again = client.get(url, headers=api.admin_headers)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    not_modified = client.get(url, headers={**api.admin_headers, "If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    client.patch(f"/api/v1/invoices/{invoice_id}", headers=api.admin_headers, json={"notes": "Thank you!"})
    changed = client.get(url, headers={**api.admin_headers, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert [p.name for p in Path(app.config["PDF_CACHE_DIR"]).glob(f"{invoice_id}.*.pdf")] != [cached[0].name]
    assert len(list(Path(app.config["PDF_CACHE_DIR"]).glob(f"{invoice_id}.*.pdf"))) == 1


def test_family_balance_appears_in_the_families_api(client, api):
    invoice_id = _create(client, api).json["id"]
    client.post(f"/api/v1/invoices/{invoice_id}/send", headers=api.admin_headers)
    family = client.get(f"/api/v1/families/{api.family.id}", headers=api.admin_headers).json
    assert family["balance"] == "216.50"


def test_reports(client, api):
    invoice_id = _create(client, api).json["id"]
    client.post(f"/api/v1/invoices/{invoice_id}/send", headers=api.admin_headers)
    client.post("/api/v1/payments", headers=api.admin_headers, json={
        "invoice": invoice_id, "amount": "16.50", "payment_method": "check"})
    api.lesson(api.sam, api.today())
    db.session.commit()
    revenue = client.get("/api/v1/reports/revenue", headers=api.admin_headers).json
    assert len(revenue["months"]) == 12
    assert revenue["total_invoiced"] == "216.50" and revenue["total_collected"] == "16.50"
    assert {m["payment_method"]: m["amount"] for m in revenue["by_method"]}["check"] == "16.50"
    outstanding = client.get("/api/v1/reports/outstanding", headers=api.admin_headers).json
    assert outstanding["buckets"]["0-30"] == "200.00" and outstanding["buckets"]["total"] == "200.00"
    assert outstanding["families"][0]["family_name"] == "Bennett Family"
    hours = client.get("/api/v1/reports/teacher-hours", headers=api.admin_headers).json
    assert hours["results"][0]["hours"] == "0.75" and hours["results"][0]["pay"] == "45.00"
    teacher = client.get("/api/v1/reports/teacher-hours", headers=api.headers(api.teacher_user)).json
    assert [r["teacher"] for r in teacher["results"]] == [str(api.teacher.id)]
    attendance = client.get("/api/v1/reports/attendance", headers=api.admin_headers).json
    assert attendance["completed"] == 1


def test_the_outstanding_report_lists_families_as_its_schema_dumps_them(client, api):
    from app.billing.reports_api import outstanding_report
    from app.billing.schemas import OutstandingReportSchema

    invoice_id = _create(client, api).json["id"]
    client.post(f"/api/v1/invoices/{invoice_id}/send", headers=api.admin_headers)
    client.post("/api/v1/payments", headers=api.admin_headers, json={
        "invoice": invoice_id, "amount": "16.45", "payment_method": "check"})
    response = client.get("/api/v1/reports/outstanding", headers=api.admin_headers)
    assert response.status_code == 200
    with client.application.test_request_context():
        expected = OutstandingReportSchema().dump(outstanding_report(api.studio))
    assert response.json == expected and expected["families"][0]["total"] == "200.05"
    assert [list(row) for row in response.json["families"]] == [list(row) for row in expected["families"]]
