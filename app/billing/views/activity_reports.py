"""Report pages over months: attendance, retention and teacher utilisation, each a chart, the
same figures as a table, and a CSV (served by reports.report_csv)."""
from flask_login import login_required

from app.billing.access import hours_scope
from app.billing.services import activity_reports as activity
from app.billing.views import billing_bp, charts
from app.billing.views.common import csv_download, report_range
from app.core.formatting import date_filter, number_filter
from app.core.permissions import can, requires
from app.core.tenancy import current_studio
from app.core.views import render


def _months(studio, months):
    return charts.month_categories(months, lambda day, fmt: date_filter(day, fmt, studio))


def _count(studio):
    return lambda value: number_filter(value, studio)


def _rate(value):
    return "" if value is None else value


# ---------------------------------------------------------------- attendance


def attendance_chart(studio, rows):
    return charts.bar_chart(_months(studio, [r.month for r in rows]), [
        charts.Series("present", "Present", [r.present for r in rows]),
        charts.Series("absent", "Absent", [r.absent for r in rows]),
        charts.Series("excused", "Excused", [r.excused for r in rows]),
        charts.Series("no_show", "No-show", [r.no_show for r in rows]),
    ], _count(studio), stacked=True, whole=True)


@billing_bp.route("/reports/attendance")
@login_required
@requires("reports.view")
def attendance_report():
    """Students' attendance per month: present, absent, excused, no-show, and the rate."""
    studio = current_studio()
    start, end = report_range(studio)
    rows = activity.attendance_by_month(studio, start, end)
    total = activity.AttendanceMonth(None)
    for row in rows:
        for kind in activity.ATTENDANCE_KINDS:
            setattr(total, kind, getattr(total, kind) + getattr(row, kind))
    return render("billing/attendance_report.html", studio=studio, start=start, end=end, rows=rows,
                  total=total, chart=attendance_chart(studio, rows), tab="attendance")


def attendance_csv(studio, start, end, name):
    return csv_download(name, ["month", "present", "absent", "excused", "no_show", "attendance_rate"],
                        [(f"{r.month:%Y-%m}", r.present, r.absent, r.excused, r.no_show, _rate(r.rate))
                         for r in activity.attendance_by_month(studio, start, end)])


# ---------------------------------------------------------------- retention


def retention_chart(studio, rows):
    return charts.bar_chart(_months(studio, [r.month for r in rows]), [
        charts.Series("active", "Active", [r.active for r in rows]),
        charts.Series("new", "New", [r.new for r in rows]),
        charts.Series("churned", "Churned", [r.churned for r in rows]),
    ], _count(studio), whole=True)


@billing_bp.route("/reports/retention")
@login_required
@requires("reports.view")
def retention_report():
    """Active students per month, the new ones, those who left, and the churn rate."""
    studio = current_studio()
    start, end = report_range(studio)
    rows = activity.retention_by_month(studio, start, end)
    return render("billing/retention_report.html", studio=studio, start=start, end=end, rows=rows,
                  chart=retention_chart(studio, rows), tab="retention")


def retention_csv(studio, start, end, name):
    return csv_download(name, ["month", "active", "new", "churned", "churn_rate"],
                        [(f"{r.month:%Y-%m}", r.active, r.new, r.churned, _rate(r.churn_rate))
                         for r in activity.retention_by_month(studio, start, end)])


# ---------------------------------------------------------------- utilisation


def utilisation_chart(studio, months, teachers):
    """Hours taught and hours available per month, all teachers of the report together."""
    taught = [sum(t.months[i].taught_hours for t in teachers) for i in range(len(months))]
    available = [sum(t.months[i].available_hours for t in teachers) for i in range(len(months))]
    return charts.bar_chart(_months(studio, months), [
        charts.Series("taught", "Hours taught", taught),
        charts.Series("available", "Hours available", available),
    ], lambda value: f"{number_filter(value, studio)} h")


def _utilisation(studio, start, end):
    teacher_id = None if can("reports.view") else hours_scope(None)
    return activity.teacher_utilisation(studio, start, end, teacher_id)


@billing_bp.route("/reports/utilisation")
@login_required
@requires("reports.teacher_hours")
def utilisation_report():
    """Per teacher and month: lessons, hours taught, hours available, utilisation. A teacher
    sees their own."""
    studio = current_studio()
    start, end = report_range(studio)
    teachers = _utilisation(studio, start, end)
    months = [span.month for span in activity.month_spans(studio, start, end)]
    return render("billing/utilisation_report.html", studio=studio, start=start, end=end,
                  teachers=teachers, months=months, chart=utilisation_chart(studio, months, teachers),
                  full=can("reports.view"), tab="utilisation")


def utilisation_csv(studio, start, end, name):
    rows = []
    for teacher in _utilisation(studio, start, end):
        rows += [(teacher.teacher.full_name, f"{m.month:%Y-%m}", m.lessons, m.taught_hours,
                  m.available_hours, _rate(m.utilisation)) for m in teacher.months]
    return csv_download(name, ["teacher", "month", "lessons", "taught_hours", "available_hours",
                               "utilisation"], rows)


MANAGER_CSVS = {"attendance": attendance_csv, "retention": retention_csv}
