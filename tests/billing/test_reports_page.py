"""The reports page on a large studio: capped tables, full CSVs, teacher hours loaded after
the page, and totals summed in SQL by the studio's local months."""
import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from app.billing.services import reports
from app.billing.views.reports import OUTSTANDING_ROWS
from app.core.timeutil import local_today
from app.extensions import db
from tests.conftest import web_login

HX = {"HX-Request": "true"}


@pytest.fixture()
def admin_client(app, bill):
    db.session.commit()
    client = app.test_client()
    web_login(client, bill.admin.email)
    return client


def _owing_families(bill, count):
    """`count` families, each with one sent invoice; family i owes (i + 1) × 10.00."""
    bill.studio.tax_rate = Decimal("0")
    for i in range(count):
        family = bill.make.family(bill.studio, name=f"Owing {i:02d}")
        bill.make.invoice(bill.studio, family, lines=((f"Lessons {i}", 1, f"{(i + 1) * 10}.00"),),
                          send=True)
    db.session.commit()


def test_outstanding_table_shows_the_largest_balances_and_the_csv_has_them_all(admin_client, bill):
    _owing_families(bill, OUTSTANDING_ROWS + 2)

    html = admin_client.get("/reports").get_data(as_text=True)

    assert f"The {OUTSTANDING_ROWS} largest of {OUTSTANDING_ROWS + 2} family balances" in html
    assert "Owing 21" in html and "Owing 02" in html
    assert "Owing 01<" not in html and "Owing 00<" not in html  # the two smallest
    assert "All families" in html and "$2,530.00" in html  # the footer: every family's total
    rows = list(csv.reader(io.StringIO(admin_client.get("/reports/outstanding.csv").get_data(as_text=True))))
    assert len(rows) == 1 + OUTSTANDING_ROWS + 2
    assert [r[0] for r in rows[1:3]] == ["Owing 21", "Owing 20"]
    assert rows[-1][0] == "Owing 00" and rows[-1][-1] == "10.00"


def test_a_short_outstanding_list_has_no_cap_note(admin_client, bill):
    _owing_families(bill, 2)
    html = admin_client.get("/reports").get_data(as_text=True)
    assert "largest of" not in html and "All families" not in html
    assert "Owing 00" in html and "Owing 01" in html


def test_outstanding_ages_and_limit_match_the_invoices(bill):
    _owing_families(bill, 3)
    today = local_today(bill.studio) + timedelta(days=50)  # 14-day terms: 36 days past due

    rows, totals = reports.outstanding(bill.studio, today=today, limit=2)

    assert [(r.family_name, r.total) for r in rows] == [("Owing 02", Decimal("30.00")),
                                                       ("Owing 01", Decimal("20.00"))]
    assert rows[0].buckets == {"0-30": 0, "31-60": Decimal("30.00"), "61-90": 0, "90+": 0}
    assert totals["31-60"] == Decimal("60.00") and sum(totals.values()) == Decimal("60.00")
    assert reports.families_owing(bill.studio) == 3


def test_teacher_hours_load_after_the_page_with_the_lessons_taught(admin_client, bill):
    first, _last = bill.last_month()
    bill.lesson(bill.sam, first, minutes=45)
    bill.lesson(bill.lily, first + timedelta(days=1), minutes=30, status="no_show")
    db.session.commit()

    page = admin_client.get("/reports").get_data(as_text=True)
    assert 'hx-get="/reports/teacher-hours?start=' in page and 'hx-trigger="load"' in page
    assert "Theo Marsh" not in page and 'id="lessons-taught">…<' in page

    panel = admin_client.get("/reports/teacher-hours", headers=HX)
    body = panel.get_data(as_text=True)
    assert "<html" not in body and "Theo Marsh" in body and "1.25" in body  # 75 minutes
    assert 'id="lessons-taught" hx-swap-oob="true">1<' in body

    fallback = admin_client.get("/reports/teacher-hours").get_data(as_text=True)
    assert "<html" in fallback and "Theo Marsh" in fallback and "hx-swap-oob" not in fallback


def test_a_teacher_sees_their_own_hours_in_the_page(app, bill, make):
    first, _last = bill.last_month()
    bill.lesson(bill.sam, first, minutes=60)
    other = make.teacher(bill.studio, first_name="Zoe", last_name="Young")
    make.lesson(bill.studio, other, [bill.lily], start=bill.at(first), minutes=20, status="completed")
    db.session.commit()
    client = app.test_client()
    web_login(client, bill.teacher_user.email)

    html = client.get("/reports").get_data(as_text=True)

    assert "My hours" in html and "Theo Marsh" in html and "Zoe Young" not in html
    assert "hx-get" not in html.split("My hours")[1].split("</article>")[0]
    panel = client.get("/reports/teacher-hours", headers=HX).get_data(as_text=True)
    assert "Zoe Young" not in panel and "hx-swap-oob" not in panel


def test_payments_count_in_the_studios_local_month(bill):
    """New York: 00:30 on March 1 is 05:30 UTC; 23:30 on February 28 is 04:30 UTC on March 1."""
    invoice = bill.make.invoice(bill.studio, bill.family, send=True,
                                lines=(("Lessons", 1, "100.00"),), issue_date=date(2026, 2, 1))
    march = datetime.combine(date(2026, 3, 1), time(0, 30), tzinfo=bill.tz)
    february = datetime.combine(date(2026, 2, 28), time(23, 30), tzinfo=bill.tz)
    bill.make.payment(bill.studio, invoice, "10.00", paid_at=march)
    bill.make.payment(bill.studio, invoice, "7.50", method="check", paid_at=february)
    db.session.flush()

    months = reports.revenue_by_month(bill.studio, date(2026, 2, 1), date(2026, 3, 31))
    methods = {m.method: (m.count, m.amount) for m in
               reports.payments_by_method(bill.studio, date(2026, 2, 1), date(2026, 3, 31))}

    assert [(m.month, m.collected) for m in months] == [(date(2026, 2, 1), Decimal("7.50")),
                                                       (date(2026, 3, 1), Decimal("10.00"))]
    assert months[0].invoiced == invoice.total
    assert methods["cash"] == (1, Decimal("10.00")) and methods["check"] == (1, Decimal("7.50"))
    only_march = reports.payments_by_method(bill.studio, date(2026, 3, 1), date(2026, 3, 31))
    assert sum(m.amount for m in only_march) == Decimal("10.00")
