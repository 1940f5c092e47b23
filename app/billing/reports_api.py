"""JSON API: /api/v1/reports/revenue, /outstanding, /teacher-hours, /attendance."""
from flask import jsonify
from flask.views import MethodView

from app.billing import access
from app.billing.schemas import (
    AttendanceReportSchema,
    OutstandingReportSchema,
    ReportQuerySchema,
    RevenueReportSchema,
    TeacherHoursQuerySchema,
    TeacherHoursReportSchema,
)
from app.billing.services import reports
from app.core.api import Blueprint, refused_when
from app.core.errors import ValidationFailed
from app.core.money import ZERO
from app.core.permissions import requires
from app.core.schemas import Money
from app.core.tenancy import api_login_required, current_studio
from app.core.timeutil import local_today

reports_blp = Blueprint("Reports", __name__, url_prefix="/api/v1/reports",
                        description="Revenue, outstanding balances, teacher hours, attendance.")
reports_blp.before_request(api_login_required)


MAX_REPORT_DAYS = 3660  # ten years: a report's months are one query each


def _range(studio, args):
    """The dates asked for, defaults filled in; then at most ten years, in order."""
    start, end = reports.default_range(studio)
    start, end = args.get("start_date") or start, args.get("end_date") or end
    if end < start:
        raise ValidationFailed(field_errors={"end_date": ["Must be on or after start_date."]})
    if (end - start).days > MAX_REPORT_DAYS:
        raise ValidationFailed(field_errors={"end_date": ["Ask for at most ten years."]})
    return start, end


def revenue_report(studio, start, end):
    payments = reports.payment_totals(studio, start, end)
    months = reports.revenue_by_month(studio, start, end, payments)
    return {
        "start_date": start, "end_date": end, "currency": studio.currency,
        "months": [{"month": f"{m.month:%Y-%m}", "invoiced": m.invoiced, "collected": m.collected}
                   for m in months],
        "total_invoiced": sum((m.invoiced for m in months), ZERO),
        "total_collected": sum((m.collected for m in months), ZERO),
        "by_method": reports.payments_by_method(studio, start, end, payments),
    }


def _aging(buckets):
    return {"d0_30": buckets["0-30"], "d31_60": buckets["31-60"], "d61_90": buckets["61-90"],
            "d90_plus": buckets["90+"], "total": sum(buckets.values(), ZERO)}


def outstanding_report(studio):
    rows, totals = reports.outstanding(studio)
    return {
        "as_of": local_today(studio), "currency": studio.currency, "buckets": _aging(totals),
        "families": [{"family": r.family_id, "family_name": r.family_name, **_aging(r.buckets)}
                     for r in rows],
    }


def teacher_hours_rows(studio, start, end, teacher_id=None):
    return [{"teacher": r.teacher.id, "teacher_name": r.teacher.full_name, "lessons": r.lessons,
             "no_shows": r.no_shows, "hours": str(r.hours), "hourly_rate": r.teacher.hourly_rate,
             "pay": r.pay} for r in reports.teacher_hours(studio, start, end, teacher_id)]


@reports_blp.route("/revenue")
class Revenue(MethodView):
    @requires("reports.view")
    @reports_blp.arguments(ReportQuerySchema, location="query")
    @reports_blp.response(200, RevenueReportSchema)
    @reports_blp.alt_response(400, **refused_when(
        "`end_date` (or today, its default) is before `start_date` (or its default, the first day of "
        "11 months ago), or more than ten years after it."))
    def get(self, args):
        """Invoiced and collected per month (default: the last 12 months), and payments by
        method."""
        studio = current_studio()
        return revenue_report(studio, *_range(studio, args))


@reports_blp.route("/outstanding")
class Outstanding(MethodView):
    @requires("reports.view")
    @reports_blp.response(200, OutstandingReportSchema)
    def get(self):
        """Open balances by days past the due date: 0-30, 31-60, 61-90, 90+, per family."""
        report = outstanding_report(current_studio())
        # Every family that owes (thousands in a large studio): their rows are written as
        # OutstandingFamilySchema would, without a field object per value.
        families = report.pop("families")
        data = OutstandingReportSchema().dump(report)
        data["families"] = [outstanding_family(row) for row in families]
        return jsonify(data)


_MONEY = Money()


def outstanding_family(row):
    """OutstandingFamilySchema's dump of one row of `outstanding_report`."""
    amount = _MONEY.format
    return {"0-30": amount(row["d0_30"]), "31-60": amount(row["d31_60"]), "61-90": amount(row["d61_90"]),
            "90+": amount(row["d90_plus"]), "total": amount(row["total"]), "family": str(row["family"]),
            "family_name": row["family_name"]}


@reports_blp.route("/teacher-hours")
class TeacherHours(MethodView):
    @requires("reports.teacher_hours")
    @reports_blp.arguments(TeacherHoursQuerySchema, location="query")
    @reports_blp.response(200, TeacherHoursReportSchema)
    @reports_blp.alt_response(400, **refused_when(
        "`end_date` (or today, its default) is before `start_date` (or its default, the first day of "
        "11 months ago), or more than ten years after it."))
    def get(self, args):
        """Lessons taught, no-shows and hours per teacher, with pay at the hourly rate.
        Teachers get their own row only."""
        studio = current_studio()
        start, end = _range(studio, args)
        teacher_id = access.hours_scope(args.get("teacher"))
        return {"start_date": start, "end_date": end,
                "results": teacher_hours_rows(studio, start, end, teacher_id)}


@reports_blp.route("/attendance")
class Attendance(MethodView):
    @requires("reports.view")
    @reports_blp.arguments(ReportQuerySchema, location="query")
    @reports_blp.response(200, AttendanceReportSchema)
    @reports_blp.alt_response(400, **refused_when(
        "`end_date` (or today, its default) is before `start_date` (or its default, the first day of "
        "11 months ago), or more than ten years after it."))
    def get(self, args):
        """Lessons in the range by status."""
        studio = current_studio()
        start, end = _range(studio, args)
        return {"start_date": start, "end_date": end, **reports.attendance(studio, start, end)}
