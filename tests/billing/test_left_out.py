"""Auto-invoicing says why lessons of the period are left out, grouped with counts; the
reasons come from the planning service, and the preview links each to where it is fixed."""
from datetime import timedelta
from decimal import Decimal as D

from app.billing import services
from app.extensions import db
from app.scheduling.models import MakeupCredit
from tests.conftest import api_login, bearer, post_form, web_login


def _reasons(plan):
    return {group.reason: (group.count, group.summary) for group in plan.left_out}


def test_lessons_without_attendance_are_counted_not_billed(bill):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first, status="scheduled")
    bill.lesson(bill.lily, first + timedelta(days=1), status="scheduled")
    bill.lesson(bill.chidi, first)
    plan = services.plan_invoices(bill.studio, first, last)
    assert [f.family for f in plan.families] == [bill.other_family]
    assert _reasons(plan) == {"no_attendance": (2, "2 lessons have no attendance")}


def test_in_advance_billing_has_no_missing_attendance(bill):
    bill.studio.billing_mode = "in_advance"
    first, last = bill.next_month()
    bill.lesson(bill.sam, first, status="scheduled")
    plan = services.plan_invoices(bill.studio, first, last)
    assert len(plan.families) == 1 and plan.left_out == []


def test_lessons_on_an_invoice_already_are_counted(bill):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first)
    services.generate_invoices(bill.studio, bill.admin, first, last)
    plan = services.plan_invoices(bill.studio, first, last)
    assert plan.families == []
    assert _reasons(plan) == {"already_invoiced": (1, "1 lesson is already invoiced")}


def test_students_without_a_rate_are_counted_once_each(bill):
    first, last = bill.last_month()
    bill.teacher.hourly_rate = None
    bill.sam.default_lesson_rate = None
    first_lesson = bill.lesson(bill.sam, first)
    bill.lesson(bill.sam, first + timedelta(days=2))
    plan = services.plan_invoices(bill.studio, first, last)
    assert _reasons(plan) == {"no_rate": (1, "1 student has no rate")}
    group = plan.left_out[0]
    assert group.students == [bill.sam] and group.lessons[0] == first_lesson.id


def test_excused_free_and_credited_lessons_are_explained(bill):
    first, last = bill.last_month()
    group = bill.lesson([bill.sam, bill.chidi], first, lesson_type="group", rate=D("20.00"))
    for attendee in group.attendees:
        attendee.attendance = "excused" if attendee.student_id == bill.sam.id else "present"
    bill.lesson(bill.lily, first + timedelta(days=1), rate=D("0"))
    makeup = bill.lesson(bill.lily, first + timedelta(days=2), lesson_type="makeup")
    db.session.add(MakeupCredit(studio_id=bill.studio.id, family_id=bill.family.id,
                                student_id=bill.lily.id, expires_at=bill.at(last + timedelta(days=60)),
                                used_by_lesson_id=makeup.id))
    db.session.flush()
    plan = services.plan_invoices(bill.studio, first, last)
    reasons = _reasons(plan)
    assert reasons["excused"] == (1, "1 lesson was excused")
    assert reasons["free"] == (1, "1 lesson is free (no charge)")
    assert reasons["makeup_credit"] == (1, "1 make-up lesson was paid by a credit")


def test_one_familys_preview_counts_only_its_lessons(bill):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first, status="scheduled")
    bill.lesson(bill.chidi, first, status="scheduled")
    plan = services.plan_invoices(bill.studio, first, last, family=bill.family)
    assert _reasons(plan) == {"no_attendance": (1, "1 lesson has no attendance")}


def test_preview_page_links_each_reason_to_its_fix(bill, client):
    first, last = bill.last_month()
    bill.teacher.hourly_rate = None
    bill.sam.default_lesson_rate = None
    bill.lesson(bill.sam, first)
    bill.lesson(bill.lily, first, status="scheduled")
    bill.lesson(bill.lily, first + timedelta(days=1), status="scheduled")
    db.session.commit()
    web_login(client, bill.admin.email)
    page = post_form(client, "/invoices/generate", {
        "period_start": first.isoformat(), "period_end": last.isoformat(), "family": "",
        "action": "preview"}).get_data(as_text=True)
    assert "2 lessons have no attendance" in page
    assert f"/lessons?status=scheduled&amp;start_date={first.isoformat()}" in page
    assert "1 student has no rate" in page
    assert f"/students/{bill.sam.id}/edit" in page


def test_dry_run_lists_the_reasons(bill, client):
    first, last = bill.last_month()
    bill.lesson(bill.sam, first, status="scheduled")
    db.session.commit()
    headers = bearer(api_login(client, bill.admin.email))
    body = client.post("/api/v1/invoices/generate?dry_run=true", headers=headers, json={
        "period_start": first.isoformat(), "period_end": last.isoformat()}).get_json()
    assert body["left_out"] == [{"reason": "no_attendance", "count": 1,
                                 "summary": "1 lesson has no attendance",
                                 "lessons": [body["left_out"][0]["lessons"][0]], "students": []}]
