"""Reports and inviting a parent, in a browser at desktop and phone width: the attendance,
retention and utilisation charts with their tables; a parent invited into a family from the
family page, and a guardian made the primary contact."""
import re
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.core.timeutil import add_months, zone
from app.extensions import db
from app.people.models import TeacherAvailability
from app.scheduling.recurrence import local_to_utc
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser

pytestmark = pytest.mark.e2e


@pytest.fixture()
def reports_studio(make):
    """Three months of weekly lessons for four students, with attendance taken."""
    studio = make.studio(name="Allegro Strings", tax_rate=Decimal("0"))
    make.member(studio, "admin", email="office@allegro.test", first_name="Olga")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh")
    for weekday in (0, 2):
        db.session.add(TeacherAvailability(studio_id=studio.id, teacher_id=teacher.id, weekday=weekday,
                                           start_time=time(14), end_time=time(19)))
    family = make.family(studio, name="Rivera Family")
    students = [make.student(studio, family, first_name=name, last_name="Rivera")
                for name in ("Lucia", "Mateo", "Sofia", "Diego")]
    tz = zone(studio.timezone)
    today = datetime.now(timezone.utc).astimezone(tz).date()
    first = add_months(today.replace(day=1), -3)
    marks = ("present", "present", "present", "absent", "excused")
    for week in range(13):
        day = first + timedelta(days=7 * week)
        for i, student in enumerate(students[: 2 + week // 5]):
            status = "no_show" if (week + i) % 9 == 4 else "completed"
            lesson = make.lesson(studio, teacher, [student], start=local_to_utc(day, time(15 + i), tz),
                                 minutes=45, status=status)
            lesson.attendees[0].attendance = "absent" if status == "no_show" else marks[(week + i) % 5]
    db.session.commit()
    return studio, family


def _check_both_widths(page, axe_check, shoot, name):
    axe_check(page)
    shoot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    axe_check(page)
    shoot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_reports_show_charts_tables_and_csvs(page, live_url, shoot, axe_check, reports_studio):
    login_in_browser(page, live_url, "office@allegro.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Revenue by month")).to_be_visible()
    expect(page.locator("#revenue-chart-title")).to_be_attached()
    _check_both_widths(page, axe_check, shoot, "reports-money")

    tabs = page.get_by_role("navigation", name="Reports")
    tabs.get_by_role("link", name="Attendance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance")
    chart = page.get_by_role("img", name="Attendance per month")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar.present title").first).to_contain_text("present")
    expect(page.get_by_role("table", name="Attendance per month")).to_contain_text("Total")
    csv_link = page.get_by_role("link", name="Download CSV")
    expect(csv_link).to_have_attribute("href", re.compile(r"^/reports/attendance\.csv\?start="))
    _check_both_widths(page, axe_check, shoot, "reports-attendance")

    tabs.get_by_role("link", name="Retention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention")
    expect(page.get_by_role("table", name="Students per month")).to_be_visible()
    _check_both_widths(page, axe_check, shoot, "reports-retention")

    tabs.get_by_role("link", name="Teacher utilisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teacher utilisation")
    expect(page.get_by_role("table", name="Per teacher and month")).to_contain_text("Theo Marsh")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("utilisation-")
    _check_both_widths(page, axe_check, shoot, "reports-utilisation")


def test_a_parent_is_invited_into_a_family_from_its_page(page, live_url, shoot, axe_check, reports_studio,
                                                        make):
    studio, family = reports_studio
    second = make.member(studio, "parent", email="ana@allegro.test", first_name="Ana", last_name="Rivera")
    make.guardian(family, user=second)
    db.session.commit()
    login_in_browser(page, live_url, "office@allegro.test", PASSWORD)
    page.goto(f"{live_url}/families/{family.id}")
    page.get_by_role("link", name="invite a parent to Rivera Family from Members").click()

    expect(page.get_by_label("Role", exact=True)).to_have_value("parent")
    expect(page.get_by_label("Family (for a parent)")).to_have_value(str(family.id))
    page.locator("#email").fill("not-an-email")
    page.get_by_label("First name (for the greeting)").fill("Marco")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.get_by_label("First name (for the greeting)")).to_have_value("Marco")
    expect(page.get_by_label("Family (for a parent)")).to_have_value(str(family.id))
    _check_both_widths(page, axe_check, shoot, "members-invite-parent-error")

    page.locator("#email").fill("marco@allegro.test")
    page.get_by_role("button", name="Send invitation").click()
    flashes = page.locator(".flashes")
    expect(flashes).to_contain_text("Invitation sent to marco@allegro.test to join Rivera Family.")

    page.goto(f"{live_url}/families/{family.id}")
    expect(page.get_by_text("Invited to sign in — waiting for an answer")).to_be_visible()
    page.get_by_role("button", name="Make primary contact").click()
    expect(flashes).to_contain_text("Ana Rivera is now the primary contact of Rivera Family.")
    _check_both_widths(page, axe_check, shoot, "family-primary-contact")
