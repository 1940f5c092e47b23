"""The reports page (charts as server-rendered SVG) and its CSV exports."""
import csv
import io
from dataclasses import dataclass

from flask import Response, abort
from flask_login import login_required

from app.billing.reports_api import hours_scope
from app.billing.services import reports
from app.billing.views import billing_bp
from app.billing.views.common import date_arg, render
from app.core import htmx
from app.core.errors import NotFound
from app.core.formatting import date_filter
from app.core.money import ZERO
from app.core.permissions import can, requires
from app.core.tenancy import current_studio

CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 720, 260, 16, 36
OUTSTANDING_ROWS = 20  # the largest balances; the CSV has every family


def _range(studio):
    start, end = reports.default_range(studio)
    start, end = date_arg("start") or start, date_arg("end") or end
    if end < start or (end - start).days > 3660:
        start, end = reports.default_range(studio)
    return start, end


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


def revenue_chart(studio, months):
    """Bars (invoiced, collected) per month, scaled to the chart's plot area."""
    from app.core.formatting import money_filter

    top = max([m.invoiced for m in months] + [m.collected for m in months] + [ZERO])
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = CHART_WIDTH / max(len(months), 1)
    width = slot * 0.36
    bars, labels = [], []
    for i, month in enumerate(months):
        name = date_filter(month.month, "MMM y", studio)
        labels.append((i * slot + slot / 2, date_filter(month.month, "MMM", studio)))
        for j, (css, value, what) in enumerate((("invoiced", month.invoiced, "invoiced"),
                                                ("collected", month.collected, "collected"))):
            height = float(max(value, ZERO) / top * plot) if top else 0.0
            bars.append(Bar(round(i * slot + slot * 0.12 + j * width, 1),
                            round(CHART_TOP + plot - height, 1), round(width, 1),
                            round(height, 1), css, f"{name}: {money_filter(value, studio)} {what}"))
    return {"bars": bars, "labels": labels, "width": CHART_WIDTH, "height": CHART_HEIGHT,
            "baseline": CHART_HEIGHT - CHART_BOTTOM, "top": top}


@billing_bp.route("/reports")
@login_required
@requires("reports.teacher_hours")
def reports_page():
    """Managers see every report; the teacher-hours table loads after the page (it adds up a
    year of lessons). A teacher sees their own hours only."""
    studio = current_studio()
    start, end = _range(studio)
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
    start, end = _range(studio)
    full = can("reports.view")
    hours = reports.teacher_hours(studio, start, end, None if full else hours_scope(None))
    return render("billing/teacher_hours.html", partial="billing/_teacher_hours.html",
                  studio=studio, start=start, end=end, full=full, hours=hours, oob=htmx.is_htmx())


def _safe(value):
    """Spreadsheet formula injection: text cells starting with = + - @ are quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(name, header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"'})


@billing_bp.route("/reports/<name>.csv")
@login_required
@requires("reports.teacher_hours")
def report_csv(name):
    studio = current_studio()
    start, end = _range(studio)
    suffix = f"{name}-{start:%Y%m%d}-{end:%Y%m%d}"
    if name == "teacher-hours":
        teacher_id = None if can("reports.view") else hours_scope(None)
        rows = reports.teacher_hours(studio, start, end, teacher_id)
        return _csv(suffix, ["teacher", "lessons", "no_shows", "hours", "hourly_rate", "pay"],
                    [(r.teacher.full_name, r.lessons, r.no_shows, r.hours,
                      r.teacher.hourly_rate or "", r.pay if r.pay is not None else "") for r in rows])
    if not can("reports.view"):
        raise NotFound()
    if name == "revenue":
        return _csv(suffix, ["month", "invoiced", "collected"],
                    [(f"{m.month:%Y-%m}", m.invoiced, m.collected)
                     for m in reports.revenue_by_month(studio, start, end)])
    if name == "payments-by-method":
        return _csv(suffix, ["payment_method", "payments", "amount"],
                    [(m.method, m.count, m.amount) for m in reports.payments_by_method(studio, start, end)])
    if name == "outstanding":
        rows, _totals = reports.outstanding(studio)
        keys = [key for key, *_ in reports.AGING_BUCKETS]
        return _csv(f"outstanding-{reports.local_today(studio):%Y%m%d}",
                    ["family", *[f"days_{k}" for k in keys], "total"],
                    [(r.family_name, *[r.buckets[k] for k in keys], r.total) for r in rows])
    abort(404)
