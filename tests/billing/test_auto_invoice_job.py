"""Auto-invoicing from the page runs as a background job (app/core/jobs.py): the page
redirects to the job's page, which shows its progress (polled by htmx until it is finished)
and its result; GET /api/v1/jobs/{id} answers the same within the studio."""
from datetime import timedelta

from sqlalchemy import select

from app.billing.models import Invoice
from app.core import jobs
from app.extensions import db
from tests.conftest import api_login, bearer, csrf_token, web_login


def _create(client, bill, first, last):
    token = csrf_token(client, "/invoices/generate")
    return client.post("/invoices/generate", data={
        "csrf_token": token, "period_start": first.isoformat(), "period_end": last.isoformat(),
        "family": "", "action": "create"})


def test_generating_runs_a_job_whose_page_shows_the_result(bill, client):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first)
    bill.lesson(bill.chidi, first + timedelta(days=1))
    bill.lesson(bill.lily, first, status="scheduled")
    db.session.commit()
    web_login(client, bill.admin.email)
    response = _create(client, bill, first, last)
    assert response.status_code == 302 and response.location.startswith("/jobs/")
    job = db.session.scalar(select(jobs.Job))
    assert (job.kind, job.status, job.done, job.total) == ("auto_invoice", "done", 2, 2)
    page = client.get(response.location).get_data(as_text=True)  # a reload shows it again
    assert "2 draft invoices created" in page and "1 lesson has no attendance (left out)" in page
    assert f"/invoices/send-drafts?period_start={first.isoformat()}" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no more polling
    assert len(db.session.scalars(select(Invoice)).all()) == 2


def test_an_unfinished_job_is_polled_every_second(bill, client):
    job = jobs.start_job(bill.studio, bill.admin, "auto_invoice", period_start="2026-01-01",
                         period_end="2026-01-31")
    job.status, job.done, job.total = "running", 3, 12
    db.session.commit()
    web_login(client, bill.admin.email)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "<h1>Auto-invoicing</h1>" in page and 'hx-trigger="every 1s"' in page
    partial = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<h1>" not in partial and "3 of 12" in partial and 'value="25"' in partial


def test_the_worker_runs_a_queued_job_once(bill):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first)
    job = jobs.start_job(bill.studio, bill.admin, "auto_invoice", period_start=first,
                         period_end=last)
    db.session.commit()
    assert jobs.run_job(job.id).status == "done"
    assert jobs.run_job(job.id) is None  # finished jobs are not run again
    assert job.result["created"] == 1


def test_a_failing_job_says_why(bill):
    job = jobs.start_job(bill.studio, bill.admin, "auto_invoice", period_start="2026-02-10",
                         period_end="2026-02-01")
    db.session.commit()
    job = jobs.run_job(job.id)
    assert job.status == "failed" and job.error == "The period ends before it starts."


def test_api_answers_a_job_within_the_studio_only(bill, client):
    job = jobs.start_job(bill.studio, bill.admin, "auto_invoice", period_start="2026-01-01",
                         period_end="2026-01-31")
    db.session.commit()
    body = client.get(f"/api/v1/jobs/{job.id}",
                      headers=bearer(api_login(client, bill.admin.email))).get_json()
    assert body["status"] == "queued" and body["kind"] == "auto_invoice" and body["done"] == 0
    owner = bearer(api_login(client, bill.owner.email))
    assert client.get(f"/api/v1/jobs/{job.id}", headers=owner).status_code == 200
    parent = bearer(api_login(client, bill.parent.email))
    assert client.get(f"/api/v1/jobs/{job.id}", headers=parent).status_code == 404
    foreign = bearer(api_login(client, bill.foreign_admin.email))
    assert client.get(f"/api/v1/jobs/{job.id}", headers=foreign).status_code == 404


def test_another_studios_job_page_is_not_found(bill, client):
    job = jobs.start_job(bill.studio, bill.admin, "auto_invoice", period_start="2026-01-01",
                         period_end="2026-01-31")
    db.session.commit()
    web_login(client, bill.foreign_admin.email)
    assert client.get(f"/jobs/{job.id}").status_code == 404
