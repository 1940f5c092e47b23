"""The calendar (day, week, month), subscription links, iCal feeds and closures."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core import validation
from app.core.errors import ValidationFailed
from app.core.forms import EmptyForm, apply_errors
from app.core.permissions import can, requires
from app.core.tenancy import current_principal, current_studio, parse_uuid
from app.core.timeutil import day_bounds, local_today
from app.core.views import render
from app.extensions import db, limiter
from app.people.services import own_teacher_profile
from app.scheduling import calendar as cal
from app.scheduling import policies, services
from app.scheduling.access import visible_closure
from app.scheduling.forms import ClosureForm
from app.scheduling.models import Lesson, StudioClosure
from app.scheduling.views import scheduling_bp
from app.scheduling.views.common import colors_for, room_choices, student_choices, studio_teachers

ALL = "all"


def _parse_date(value, default):
    return validation.page_date(value, default)


def calendar_filters(args):
    """The calendar's filters from the query string. Teachers see their own lessons unless
    they pick another teacher (or "all")."""
    principal = current_principal()
    teacher = args.get("teacher", "")
    if "teacher" not in args and principal.role == "teacher":
        own = own_teacher_profile(principal)
        teacher = str(own.id) if own else ""
    return {
        "view": args.get("view") if args.get("view") in cal.VIEWS else "week",
        "teacher": "" if teacher == ALL else teacher,
        "room": args.get("room", ""), "student": args.get("student", ""),
    }


def _query_filters(filters):
    return {name: parse_uuid(filters[name]) for name in ("teacher", "room", "student")
            if parse_uuid(filters[name])}


def _lessons_for(principal, first, last, filters):
    """Lessons of the visible range and how many start on each day; when there are too many
    for a grid, only the counts."""
    counts = services.lessons_per_day(principal, first, last, **_query_filters(filters))
    limit = cal.TOO_MANY * 4 if filters["view"] == "month" else cal.TOO_MANY
    if sum(counts.values()) > limit:
        return [], counts
    start, end = day_bounds(principal.studio, first, last)
    stmt = services.lesson_query(principal, start=start, end=end, **_query_filters(filters))
    return db.session.scalars(stmt.order_by(Lesson.start_at, Lesson.id)).unique().all(), counts


def calendar_url(filters, anchor, **overrides):
    params = {"view": filters["view"], "date": anchor.isoformat(), "teacher": filters["teacher"] or None,
              "room": filters["room"] or None, "student": filters["student"] or None}
    if current_principal().role == "teacher" and not filters["teacher"]:
        params["teacher"] = ALL
    params.update(overrides)
    return url_for("scheduling.calendar", **{k: v for k, v in params.items() if v})


@scheduling_bp.route("/calendar")
@login_required
@requires("lessons.view")
def calendar():
    principal = current_principal()
    studio = principal.studio
    today = local_today(studio)
    filters = calendar_filters(request.args)
    anchor = _parse_date(request.args.get("date"), today)
    first, last = cal.visible_range(filters["view"], anchor)
    lessons, counts = _lessons_for(principal, first, last, filters)
    every_teacher = studio_teachers(active_only=False)
    colors = colors_for(every_teacher)
    calendar_view = cal.build(studio, filters["view"], anchor, today, lessons, colors)
    if not lessons and any(counts.values()):
        _count_only(calendar_view, counts)
    return render(
        "scheduling/calendar.html", "scheduling/_calendar.html", cal=calendar_view, filters=filters,
        teachers=[t for t in every_teacher if t.is_active], colors=colors,
        rooms=room_choices(blank=None),
        students=student_choices() if principal.role != "student" else [],
        calendar_url=calendar_url, can_book=can("lessons.schedule"), all_value=ALL,
        may_move=policies.may_manage_lesson if can("lessons.manage") else _never,
    )


def _never(lesson):
    return False


def _count_only(calendar_view, counts):
    """Too many lessons for a grid: show how many there are per day."""
    calendar_view.too_many = True
    calendar_view.lesson_count = sum(counts.values())
    for day in calendar_view.days:
        day.overflow_count = counts.get(day.day, 0)


# ---------------------------------------------------------------- iCal subscription

def _feed_key():
    """Calendar services poll many users' feeds from a few shared addresses: limit per link."""
    return "feed:" + (request.view_args or {}).get("token", "")[:40]


@scheduling_bp.route("/calendar/<token>.ics")
@limiter.limit("60/hour", key_func=_feed_key)
def calendar_feed(token):
    """The private iCal feed (no login: the unguessable URL is the key)."""
    feed = services.feed_for_token(token)
    if feed is None:
        abort(404)
    body = services.render_feed(feed)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="lessons.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@scheduling_bp.route("/calendar/subscribe", methods=["GET", "POST"])
@login_required
@requires("calendar.subscribe")
def subscribe():
    studio, form = current_studio(), EmptyForm()
    new_url = webcal_url = None
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("action") == "revoke":
            services.revoke_feeds(studio, current_user)
            flash("Your subscription link is revoked. Calendars using it stop updating.", "success")
            return redirect(url_for("scheduling.subscribe"))
        _feed, token = services.create_feed(studio, current_user)
        new_url, webcal_url = services.feed_urls(token)
        flash("Your new private link is ready. Copy it now: it is shown only once.", "success")
    feed = services.active_feed(studio, current_user)
    return render_template("scheduling/subscribe.html", feed=feed, form=form, new_url=new_url,
                           webcal_url=webcal_url)


# ---------------------------------------------------------------- closures

@scheduling_bp.route("/calendar/closures", methods=["GET", "POST"])
@login_required
@requires("closures.manage")
def closures():
    studio = current_studio()
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            closure, cancelled = services.create_closure(
                studio, current_user, name=form.name.data, start_date=form.start_date.data,
                end_date=form.end_date.data, cancel_lessons=form.cancel_lessons.data,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            extra = f" {len(cancelled)} lessons were cancelled." if cancelled else ""
            flash(f"The studio is closed for {closure.name}.{extra}", "success")
            return redirect(url_for("scheduling.closures"))
    items = db.session.scalars(select(StudioClosure).where(StudioClosure.studio_id == studio.id)
                               .order_by(StudioClosure.start_date.desc())).all()
    status = 422 if form.errors or form.form_errors else 200
    return render_template("scheduling/closures.html", form=form, closures=items,
                           delete_form=EmptyForm(), today=local_today(studio)), status


@scheduling_bp.route("/calendar/closures/<closure_id>/delete", methods=["POST"])
@login_required
@requires("closures.manage")
def delete_closure(closure_id):
    closure = visible_closure(closure_id)
    if EmptyForm().validate_on_submit():
        services.delete_closure(current_studio(), current_user, closure)
        flash(f"{closure.name} is removed; those days are open again.", "success")
    return redirect(url_for("scheduling.closures"))
