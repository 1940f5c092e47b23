"""The reports page (charts as server-rendered SVG) and its CSV exports."""
from flask import abort
from flask_login import login_required

from app.billing.access import hours_scope
from app.billing.services import reports
from app.billing.views import activity_reports, billing_bp, charts
from app.billing.views.common import csv_download, report_range
from app.core import htmx
from app.core.errors import NotFound
from app.core.formatting import date_filter, money_filter
from app.core.money import ZERO
from app.core.permissions import can, requires
from app.core.tenancy import current_studio
from app.core.timeutil import local_today
from app.core.views import render

OUTSTANDING_ROWS = 20  # the largest balances; the CSV has every family


def _months(studio, months):
    return charts.month_categories(months, lambda day, fmt: date_filter(day, fmt, studio))


def revenue_chart(studio, months):
    """Bars (invoiced, collected) per month."""
    return charts.bar_chart(_months(studio, [m.month for m in months]), [
        charts.Series("invoiced", "Invoiced", [m.invoiced for m in months]),
        charts.Series("collected", "Collected", [m.collected for m in months]),
    ], lambda value: money_filter(value, studio))


@billing_bp.route("/reports")
@login_required
@requires("reports.teacher_hours")
def reports_page():
    """Managers see every report; the teacher-hours table loads after the page (it adds up a
    year of lessons). A teacher sees their own hours only."""
    studio = current_studio()
    start, end = report_range(studio)
    context = {"studio": studio, "start": start, "end": end, "full": can("reports.view"),
               "hours": None, "lessons_taught": None}
    if not context["full"]:
        context["hours"] = reports.teacher_hours(studio, start, end, hours_scope(None))
        return render("billing/reports.html", **context)
    payments = reports.payment_totals(studio, start, end)
    months = reports.revenue_by_month(studio, start, end, payments)
    aging_rows, aging_totals = reports.outstanding(studio, limit=OUTSTANDING_ROWS)
    context.update(
        months=months, chart=revenue_chart(studio, months),
        invoiced=sum((m.invoiced for m in months), ZERO),
        collected=sum((m.collected for m in months), ZERO),
        aging_rows=aging_rows, aging_totals=aging_totals, aging_labels=reports.AGING_LABELS,
        families_owing=(reports.families_owing(studio) if len(aging_rows) == OUTSTANDING_ROWS
                        else len(aging_rows)),
        methods=reports.payments_by_method(studio, start, end, payments),
    )
    return render("billing/reports.html", **context)


@billing_bp.route("/reports/teacher-hours")
@login_required
@requires("reports.teacher_hours")
def teacher_hours_report():
    """The teacher-hours table (htmx: with the page's "Lessons taught" figure), or its page."""
    studio = current_studio()
    start, end = report_range(studio)
    full = can("reports.view")
    hours = reports.teacher_hours(studio, start, end, None if full else hours_scope(None))
    return render("billing/teacher_hours.html", partial="billing/_teacher_hours.html",
                  studio=studio, start=start, end=end, full=full, hours=hours, oob=htmx.is_htmx())


@billing_bp.route("/reports/<name>.csv")
@login_required
@requires("reports.teacher_hours")
def report_csv(name):
    studio = current_studio()
    start, end = report_range(studio)
    suffix = f"{name}-{start:%Y%m%d}-{end:%Y%m%d}"
    if name == "teacher-hours":
        teacher_id = None if can("reports.view") else hours_scope(None)
        rows = reports.teacher_hours(studio, start, end, teacher_id)
        return csv_download(suffix, ["teacher", "lessons", "no_shows", "hours", "hourly_rate", "pay"],
                    [(r.teacher.full_name, r.lessons, r.no_shows, r.hours,
                      r.teacher.hourly_rate or "", r.pay if r.pay is not None else "") for r in rows])
    if name == "utilisation":
        return activity_reports.utilisation_csv(studio, start, end, suffix)
    if not can("reports.view"):
        raise NotFound()
    if name in activity_reports.MANAGER_CSVS:
        return activity_reports.MANAGER_CSVS[name](studio, start, end, suffix)
    if name == "revenue":
        return csv_download(suffix, ["month", "invoiced", "collected"],
                    [(f"{m.month:%Y-%m}", m.invoiced, m.collected)
                     for m in reports.revenue_by_month(studio, start, end)])
    if name == "payments-by-method":
        return csv_download(suffix, ["payment_method", "payments", "amount"],
                    [(m.method, m.count, m.amount) for m in reports.payments_by_method(studio, start, end)])
    if name == "outstanding":
        rows, _totals = reports.outstanding(studio)
        keys = [key for key, *_ in reports.AGING_BUCKETS]
        return csv_download(f"outstanding-{local_today(studio):%Y%m%d}",
                    ["family", *[f"days_{k}" for k in keys], "total"],
                    [(r.family_name, *[r.buckets[k] for k in keys], r.total) for r in rows])
    abort(404)
