"""Billing in a browser: the admin generates next month's invoices, sends one, records a
partial payment; the parent signs in and sees the balance due."""
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.core.timeutil import zone
from app.extensions import db
from app.scheduling.recurrence import local_to_utc
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser

pytestmark = pytest.mark.e2e


@pytest.fixture()
def billing_studio(make):
    studio = make.studio(name="Allegro Strings", billing_mode="in_advance", tax_rate=Decimal("0"))
    make.member(studio, "admin", email="office@allegro.test", first_name="Olga")
    parent = make.member(studio, "parent", email="maria@allegro.test", first_name="Maria")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh", hourly_rate=Decimal("60"))
    family = make.family(studio, guardians=[parent], name="Rivera Family",
                         billing_email="maria@allegro.test")
    student = make.student(studio, family, first_name="Lucia", last_name="Rivera",
                           default_lesson_rate=Decimal("45.00"))
    tz = zone(studio.timezone)
    today = datetime.now(timezone.utc).astimezone(tz).date()
    first_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    for week in range(4):
        day = first_next + timedelta(days=1 + 7 * week)
        make.lesson(studio, teacher, [student], start=local_to_utc(day, time(16), tz), minutes=45)
    db.session.commit()
    return studio


def test_generate_send_pay_and_the_parent_sees_the_balance(page, live_url, shoot, axe_check,
                                                           billing_studio):
    page.on("dialog", lambda dialog: dialog.accept())
    login_in_browser(page, live_url, "office@allegro.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
    expect(page.locator("#results")).to_contain_text("No invoices yet")
    axe_check(page)

    page.get_by_role("button", name="Generate invoices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Generate invoices")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 1 draft")).to_be_visible()
    preview = page.locator(".preview-family")
    expect(preview).to_contain_text("Rivera Family")
    expect(preview).to_contain_text("Lucia Rivera with Theo Marsh")
    expect(preview).to_contain_text("$180.00")
    axe_check(page)
    shoot(page, "billing-generate-preview-desktop")
    page.get_by_role("button", name="Create 1 draft").click()
    expect(page.locator(".job-progress")).to_contain_text("1 draft invoice created")
    page.goto(f"{live_url}/invoices?status=draft")
    shoot(page, "billing-invoices-drafts-desktop")

    page.get_by_role("link", name="Draft").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft invoice")
    axe_check(page)
    shoot(page, "billing-draft-editor-desktop")
    page.get_by_role("button", name="Send invoice").click()
    expect(page.locator(".flashes")).to_contain_text("is sent and emailed to maria@allegro.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent")

    page.get_by_label("Amount", exact=True).fill("80.00")
    page.get_by_label("Method").select_option(label="Check")
    page.get_by_label("Reference").fill("1042")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".flashes")).to_contain_text("Payment of $80.00 recorded.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partially paid")
    expect(page.locator(".doc-balance")).to_contain_text("$100.00")
    axe_check(page)
    shoot(page, "billing-invoice-partly-paid-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "billing-invoice-partly-paid-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Revenue by month")).to_be_visible()
    axe_check(page)
    shoot(page, "billing-reports-desktop")

    page.locator("summary[aria-label$=', account menu']").click()
    page.get_by_role("button", name="Sign out").click()
    login_in_browser(page, live_url, "maria@allegro.test", PASSWORD)
    balance = page.locator(".portal-balance")
    expect(balance).to_contain_text("Rivera Family: balance")
    expect(balance).to_contain_text("$100.00")
    axe_check(page)
    shoot(page, "billing-portal-balance-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "billing-portal-balance-phone")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices", exact=True).click()
    expect(page.locator("#results")).to_contain_text("$100.00")
    expect(page.get_by_role("link", name="PDF").first).to_be_visible()
    axe_check(page)
    shoot(page, "billing-portal-invoices-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "billing-portal-invoices-phone")
