"""Auto-invoicing a month in a browser, at desktop and phone width: the preview says why
lessons were left out (and links to fix them), the drafts are created by a job whose page
shows its progress, then every draft of the period is sent at once after a confirmation."""
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.core.timeutil import add_months, month_start, zone
from app.extensions import db
from app.scheduling.recurrence import local_to_utc
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, axe_clean, login_in_browser

pytestmark = pytest.mark.e2e


@pytest.fixture()
def month_to_bill(make):
    studio = make.studio(name="Presto Music", billing_mode="after_attended", tax_rate=Decimal("0"))
    make.member(studio, "admin", email="office@presto.test", first_name="Pat")
    teacher = make.teacher(studio, first_name="Ana", last_name="Reyes", hourly_rate=None)
    tz = zone(studio.timezone)
    today = datetime.now(timezone.utc).astimezone(tz).date()
    first = add_months(month_start(today), -1)
    students = []
    for name, rate in (("Kim", "40.00"), ("Lopez", "50.00"), ("Novak", None)):
        family = make.family(studio, name=f"{name} Family", billing_email=f"{name.lower()}@presto.test")
        students.append(make.student(studio, family, first_name="Sam", last_name=name,
                                     default_lesson_rate=Decimal(rate) if rate else None))
    for week in range(3):
        day = first + timedelta(days=2 + 7 * week)
        for student in students:
            make.lesson(studio, teacher, [student], start=local_to_utc(day, time(16), tz),
                        minutes=30, status="completed")
    make.lesson(studio, teacher, [students[0]], start=local_to_utc(first + timedelta(days=25),
                time(17), tz), minutes=30, status="scheduled")
    db.session.commit()
    return studio


@pytest.mark.parametrize("size,viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_preview_reasons_generate_with_progress_then_send_all_drafts(
        page, live_url, shoot, month_to_bill, size, viewport):
    page.set_viewport_size(viewport)
    login_in_browser(page, live_url, "office@presto.test", PASSWORD)
    page.goto(f"{live_url}/invoices/generate")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 2 drafts")).to_be_visible()
    left_out = page.locator(".left-out")
    expect(left_out).to_contain_text("1 lesson has no attendance")
    expect(left_out).to_contain_text("1 student has no rate")
    expect(left_out.get_by_role("link", name="Sam Novak")).to_be_visible()
    axe_clean(page)
    shoot(page, f"auto-invoice-preview-reasons-{size}")

    page.get_by_role("button", name="Create 2 drafts").click()
    progress = page.locator(".job-progress")
    expect(progress).to_contain_text("2 draft invoices created")
    expect(page.get_by_role("heading", level=1)).to_have_text("Auto-invoicing")
    page.reload()  # the job's page survives a reload
    expect(progress).to_contain_text("Done")
    axe_clean(page)
    shoot(page, f"auto-invoice-job-done-{size}")

    page.get_by_role("button", name="Send all drafts").click()
    expect(page.get_by_role("heading", name="2 drafts · $270.00")).to_be_visible()
    axe_clean(page)
    shoot(page, f"auto-invoice-send-all-confirm-{size}")
    page.get_by_role("button", name="Send 2 invoices ($270.00)").click()
    expect(page.locator(".flashes")).to_contain_text("2 invoices sent; the families are emailed.")
    axe_clean(page)
    shoot(page, f"auto-invoice-sent-{size}")

    page.goto(f"{live_url}/invoices/generate")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".left-out")).to_contain_text("6 lessons are already invoiced")
    page.locator(".left-out").get_by_role("link", name="1 lesson has no attendance").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "status=scheduled" in page.url
    axe_clean(page)


@pytest.mark.parametrize("size,viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_take_a_payment_from_the_family_page(page, live_url, shoot, make, size, viewport):
    studio = make.studio(name="Presto Music", tax_rate=Decimal("0"))
    make.member(studio, "admin", email="desk@presto.test", first_name="Dee")
    family = make.family(studio, name="Kim Family", billing_email="kim@presto.test")
    today = datetime.now(timezone.utc).astimezone(zone(studio.timezone)).date()
    for days, amount in ((20, "90.00"), (5, "40.00")):
        make.invoice(studio, family, lines=[("Lessons", 1, amount)], send=True,
                     due_date=today + timedelta(days=days))
    db.session.commit()
    page.set_viewport_size(viewport)
    login_in_browser(page, live_url, "desk@presto.test", PASSWORD)
    page.goto(f"{live_url}/families/{family.id}")
    page.get_by_role("button", name="Take payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take payment")
    axe_clean(page)
    shoot(page, f"family-take-payment-{size}")
    page.get_by_label("Amount", exact=True).fill("100.00")
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator(".flashes")).to_contain_text("Payment of $100.00 recorded:")
    axe_clean(page)
    shoot(page, f"family-payment-taken-{size}")
