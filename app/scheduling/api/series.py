"""/api/v1/recurring-patterns: weekly, biweekly and monthly lessons."""
from flask.views import MethodView

from app.core.api import loads, refused_when
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.core.tenancy import scoped
from app.scheduling import policies, services
from app.scheduling.access import managed_series, visible_series
from app.scheduling.api.common import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    actor,
    blueprint,
    ensure_may_set_rate,
    students_named,
    studio,
)
from app.scheduling.models import RecurringSeries
from app.scheduling.schemas import (
    RecurringPatternCreateSchema,
    RecurringPatternListQuerySchema,
    RecurringPatternPageSchema,
    RecurringPatternSchema,
    RecurringPatternUpdateSchema,
)

series_blp = blueprint("Recurring patterns", "/api/v1/recurring-patterns",
                       "Recurring lessons. Creating a pattern creates its lessons (to its end "
                       "date, or 26 weeks ahead and extended daily), skipping studio closures.")

ORDERING = {"start_date": RecurringSeries.start_date, "created_at": RecurringSeries.created_at,
            "day_of_week": RecurringSeries.day_of_week}


def _pattern_fields(data):
    fields = dict(data)
    if "time" in fields:
        fields["start_time"] = fields.pop("time")
    return fields


@series_blp.route("")
class Patterns(MethodView):
    @requires("series.view")
    @series_blp.arguments(RecurringPatternListQuerySchema, location="query")
    @series_blp.response(200, RecurringPatternPageSchema)
    def get(self, args):
        """List recurring patterns you may see."""
        stmt = policies.restrict_series(scoped(RecurringSeries))
        if args.get("teacher"):
            stmt = stmt.where(RecurringSeries.teacher_id == args["teacher"])
        if args.get("student"):
            stmt = stmt.where(RecurringSeries.student_id == args["student"])
        if args.get("search"):
            stmt = stmt.where(RecurringSeries.student_id.in_(students_named(args["search"])))
        if args.get("is_active") is not None:
            stmt = stmt.where(RecurringSeries.ended_at.is_(None) if args["is_active"]
                              else RecurringSeries.ended_at.is_not(None))
        stmt = apply_created_range(stmt, RecurringSeries, args)
        stmt = apply_ordering(stmt, RecurringSeries, args.get("ordering"), ORDERING, "start_date")
        return paginate(stmt, args)

    @requires("series.manage")
    @series_blp.arguments(RecurringPatternCreateSchema)
    @series_blp.response(201, RecurringPatternSchema)
    @series_blp.alt_response(400, **refused_when(
        "`teacher`, `student` or `room` are not in your studio, archived or no longer in use.",
        "`end_date` is before `start_date`, more than three years after it, or leaves no lesson "
        "(closures included); `time` does not exist on a day of the series (a DST gap).",
        "`duration_minutes`, `lesson_type`, `online_url`, `location` and `rate` as for a lesson."))
    @series_blp.alt_response(403, **FORBIDDEN)
    @series_blp.alt_response(409, **CONFLICT)
    def post(self, data):
        """Create a pattern and its lessons. Every occurrence is checked first: if any
        clashes, nothing is created and the 409 lists all clashes with their `date`."""
        ensure_may_set_rate(data)
        the_studio = studio()
        teacher = services.resolve_teacher(the_studio, data.pop("teacher"))
        policies.ensure_may_teach(teacher)
        placement = services.Placement(
            teacher=teacher, students=(data["student"],), lesson_type=data.get("lesson_type"),
            room=data.get("room"), location=data.get("location", ""),
            online_url=data.get("online_url", ""), rate=data.get("rate"), notes=data.get("notes", ""),
        )
        repeats = services.Pattern(
            frequency=data["frequency"], day_of_week=data["day_of_week"], start_time=data["time"],
            duration_minutes=data["duration_minutes"], start_date=data["start_date"],
            end_date=data.get("end_date"),
        )
        series, lessons = services.create_series(the_studio, actor(), placement, repeats)
        series.lessons_created = len(lessons)
        return series


@series_blp.route("/<uuid:series_id>")
class Pattern(MethodView):
    @requires("series.view")
    @loads("series", visible_series)
    @series_blp.response(200, RecurringPatternSchema)
    @series_blp.alt_response(404, **NOT_FOUND)
    def get(self, series):
        """One pattern."""
        return series

    @requires("series.manage")
    @loads("series", managed_series)
    @series_blp.arguments(RecurringPatternUpdateSchema)
    @series_blp.response(200, RecurringPatternSchema)
    @series_blp.alt_response(400, **refused_when(
        "`teacher` or `room` are not in your studio, archived or no longer in use; `apply_to` does "
        "not fit this pattern.",
        "`end_date` is before the start date or more than three years after it; `time` does not exist"
        " on a day of the series.",
        "`duration_minutes`, `online_url`, `location` and `rate` as for a lesson."))
    @series_blp.alt_response(403, **FORBIDDEN)
    @series_blp.alt_response(404, **NOT_FOUND)
    @series_blp.alt_response(409, **CONFLICT)
    def patch(self, data, series):
        """Change the pattern from `effective_from` (default today) on. Untouched future
        lessons follow; completed, cancelled, billed or individually changed ones stay."""
        ensure_may_set_rate(data)
        if "teacher" in data:
            policies.ensure_may_teach(services.resolve_teacher(studio(), data["teacher"]))
        fields = _pattern_fields(data)
        effective_from = fields.pop("effective_from", None)
        return services.update_series(studio(), actor(), series, effective_from=effective_from, **fields)

    @requires("series.manage")
    @loads("series", managed_series)
    @series_blp.response(204)
    @series_blp.alt_response(403, **FORBIDDEN)
    @series_blp.alt_response(404, **NOT_FOUND)
    def delete(self, series):
        """End the pattern today: its future scheduled lessons are cancelled (no charge);
        past lessons stay."""
        services.end_series(studio(), actor(), series)
