"""Auto-invoicing: what each billing mode bills, never twice, dry runs, per-family atomicity."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.billing import services
from app.billing.models import Invoice, InvoiceLineItem
from app.extensions import db
from app.scheduling.models import MakeupCredit

D = Decimal


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _period(bill):
    return bill.last_month()


def test_after_attended_bills_completed_and_no_show_lessons_one_draft_per_family(bill):
    first, last = _period(bill)
    taught = bill.lesson(bill.sam, first)
    no_show = bill.lesson(bill.lily, first + timedelta(days=1), status="no_show", minutes=30)
    bill.lesson(bill.sam, first + timedelta(days=2), status="scheduled")
    bill.lesson(bill.sam, first + timedelta(days=3), status="cancelled")
    other = bill.lesson(bill.chidi, first + timedelta(days=4))
    bill.lesson(bill.sam, last + timedelta(days=1))  # after the period
    plan = services.generate_invoices(bill.studio, bill.admin, first, last)
    assert [f.family.name for f in plan.created] == ["Bennett Family", "Okafor Family"]
    bennett = plan.created[0].invoice
    assert [line.lesson_id for line in bennett.line_items] == [taught.id, no_show.id]
    assert [line.unit_price for line in bennett.line_items] == [D("45.00"), D("32.00")]
    assert "Sam Bennett with Theo Marsh" in bennett.line_items[0].description
    assert bennett.line_items[0].description.endswith("attended")
    assert bennett.line_items[1].description.endswith("no-show, charged")
    assert bennett.status == "draft" and bennett.period_start == first
    assert bennett.subtotal == D("77.00") and bennett.total == D("83.35")
    assert taught.billed_line_item_id == bennett.line_items[0].id
    assert plan.created[1].invoice.line_items[0].lesson_id == other.id


def test_a_second_run_creates_nothing(bill):
    first, last = _period(bill)
    bill.lesson(bill.sam, first)
    services.generate_invoices(bill.studio, bill.admin, first, last)
    again = services.generate_invoices(bill.studio, bill.admin, first, last)
    assert again.created == [] and _count(Invoice) == 1


def test_a_dry_run_writes_nothing(bill):
    first, last = _period(bill)
    lesson = bill.lesson(bill.sam, first)
    db.session.commit()
    plan = services.plan_invoices(bill.studio, first, last)
    assert [len(f.lines) for f in plan.families] == [1]
    assert plan.families[0].totals.total == D("48.71")
    db.session.rollback()
    assert _count(Invoice) == 0 and _count(InvoiceLineItem) == 0
    assert lesson.billed_line_item_id is None


def test_late_cancellations_charged_are_billed_and_makeups_with_a_credit_are_not(bill):
    first, last = _period(bill)
    charged = bill.lesson(bill.sam, first, status="cancelled")
    charged.cancellation_outcome = "charged"
    credited = bill.lesson(bill.sam, first + timedelta(days=1), status="cancelled")
    credited.cancellation_outcome = "makeup_credit"
    makeup = bill.lesson(bill.sam, first + timedelta(days=2), lesson_type="makeup", rate=D("45.00"))
    db.session.add(MakeupCredit(studio_id=bill.studio.id, family_id=bill.family.id,
                                student_id=bill.sam.id, source_lesson_id=credited.id,
                                expires_at=bill.at(last + timedelta(days=60)),
                                used_by_lesson_id=makeup.id))
    db.session.flush()
    plan = services.plan_invoices(bill.studio, first, last)
    lines = plan.families[0].lines
    assert [line.lesson for line in lines] == [charged]
    assert lines[0].reason == "late cancellation, charged per policy"


def test_in_advance_bills_next_months_scheduled_lessons(bill):
    bill.studio.billing_mode = "in_advance"
    first, last = bill.next_month()
    scheduled = bill.lesson(bill.sam, first + timedelta(days=3), status="scheduled")
    plan = services.generate_invoices(bill.studio, bill.admin, first, last)
    line = plan.created[0].invoice.line_items[0]
    assert line.lesson_id == scheduled.id and line.description.endswith("billed in advance")


def test_monthly_flat_bills_a_month_of_tuition_per_active_student_once(bill):
    bill.studio.billing_mode = "monthly_flat"
    bill.lily.is_active = False
    first, last = bill.next_month()
    plan = services.generate_invoices(bill.studio, bill.admin, first, last)
    descriptions = {f.family.name: [line.description for line in f.invoice.line_items]
                    for f in plan.created}
    assert len(descriptions["Bennett Family"]) == 1
    assert "Sam Bennett" in descriptions["Bennett Family"][0]
    assert services.generate_invoices(bill.studio, bill.admin, first, last).created == []


def test_group_lessons_bill_each_family_for_its_child_and_skip_excused(bill):
    first, last = _period(bill)
    group = bill.lesson([bill.sam, bill.lily, bill.chidi], first, lesson_type="group",
                        rate=D("20.00"))
    for attendee in group.attendees:
        attendee.attendance = "excused" if attendee.student_id == bill.lily.id else "present"
    plan = services.generate_invoices(bill.studio, bill.admin, first, last)
    counts = {f.family.name: len(f.invoice.line_items) for f in plan.created}
    assert counts == {"Bennett Family": 1, "Okafor Family": 1}


def test_lessons_without_any_rate_are_reported_not_billed(bill):
    first, last = _period(bill)
    bill.teacher.hourly_rate = None
    bill.sam.default_lesson_rate = None
    lesson = bill.lesson(bill.sam, first)
    plan = services.plan_invoices(bill.studio, first, last)
    assert plan.families == [] and plan.unpriced == [(lesson, bill.sam)]


def test_one_family_can_be_billed_alone(bill):
    first, last = _period(bill)
    bill.lesson(bill.sam, first)
    bill.lesson(bill.chidi, first)
    plan = services.generate_invoices(bill.studio, bill.admin, first, last, family=bill.other_family)
    assert [f.family for f in plan.created] == [bill.other_family]


def test_a_family_whose_lesson_was_billed_meanwhile_is_skipped_whole(bill):
    """All-or-nothing per family: a line billed by a concurrent run (same billing key)
    rolls back that family's draft only."""
    first, last = _period(bill)
    taught = bill.lesson(bill.sam, first)
    bill.lesson(bill.lily, first + timedelta(days=1))
    bill.lesson(bill.chidi, first)
    plan = services.plan_invoices(bill.studio, first, last)
    meanwhile = bill.make.invoice(bill.studio, bill.family, lines=[])
    meanwhile.line_items.append(InvoiceLineItem(
        studio_id=bill.studio.id, invoice_id=meanwhile.id, description="Billed elsewhere",
        quantity=1, unit_price=D("45.00"), total=D("45.00"), lesson_id=taught.id,
        student_id=bill.sam.id, billing_key=f"lesson:{taught.id}:{bill.sam.id}"))
    db.session.flush()
    services.generate_invoices(bill.studio, bill.admin, first, last, plan=plan)
    assert [f.family.name for f in plan.created] == ["Okafor Family"]
    assert [f.family.name for f in plan.skipped] == ["Bennett Family"]
    assert _count(Invoice) == 2  # the one made "meanwhile" and Okafor's


def test_voiding_or_deleting_frees_the_lessons_for_billing_again(bill):
    first, last = _period(bill)
    lesson = bill.lesson(bill.sam, first)
    draft = services.generate_invoices(bill.studio, bill.admin, first, last).created[0].invoice
    services.delete_draft(bill.studio, bill.admin, draft)
    assert lesson.billed_line_item_id is None
    invoice = services.generate_invoices(bill.studio, bill.admin, first, last).created[0].invoice
    services.send_invoice(bill.studio, bill.admin, invoice)
    services.void_invoice(bill.studio, bill.admin, invoice)
    assert lesson.billed_line_item_id is None
    assert invoice.line_items[0].lesson_id == lesson.id  # kept for the record
    again = services.generate_invoices(bill.studio, bill.admin, first, last)
    assert len(again.created) == 1


def test_the_default_period_is_last_month_after_attendance_else_next_month(bill):
    from datetime import date

    bill.studio.billing_mode = "after_attended"
    assert services.default_period(bill.studio, date(2027, 1, 15)) == (date(2026, 12, 1), date(2026, 12, 31))
    bill.studio.billing_mode = "in_advance"
    assert services.default_period(bill.studio, date(2027, 1, 31)) == (date(2027, 2, 1), date(2027, 2, 28))


def test_every_invoice_falls_due_by_the_studios_terms(bill):
    from datetime import date, timedelta

    bill.studio.invoice_due_days = 10
    assert services.due_date_for(bill.studio, date(2027, 1, 25)) == date(2027, 2, 4)
    invoice = bill.make.invoice(bill.studio, bill.family)
    assert invoice.due_date == invoice.issue_date + timedelta(days=10)
