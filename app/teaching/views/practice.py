"""Practice: families log it; teachers read the weekly summary of their students."""
from datetime import timedelta

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.core import validation
from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import can, requires
from app.core.tenancy import current_studio
from app.core.timeutil import local_today, week_bounds
from app.core.views import (
    denied_writes_redirect,
    form_failed,
    form_status,
    html_page,
    render,
    safe_next,
    uuid_arg,
)
from app.extensions import db
from app.people.models import Student
from app.teaching import access, policies, services
from app.teaching.forms import PracticeForm, pieces_list
from app.teaching.models import PracticeLog
from app.teaching.views import teaching_bp
from app.teaching.views.common import reads_records

HISTORY_DAYS = 28


def _week_day():
    day = validation.page_date(request.args.get("week"))
    if day is None:
        return local_today(current_studio())
    return min(day, local_today(current_studio()) + timedelta(days=7 * 52))


def _week_nav(day):
    first, last = week_bounds(day)
    return {"first": first, "last": last, "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7), "is_current": first <= local_today(current_studio()) <= last}


def _own_students():
    return db.session.scalars(policies.record_students().where(Student.is_active.is_(True))
                              .order_by(Student.first_name, Student.last_name)).all()


def _practice_form(students, student=None):
    form = PracticeForm()
    form.student.choices = [(str(s.id), s.full_name) for s in students]
    if request.method == "GET":
        form.date.data = local_today(current_studio())
        if student is not None:
            form.student.data = str(student.id)
    return form


def _recent_logs(student_ids):
    since = local_today(current_studio()) - timedelta(days=HISTORY_DAYS)
    return db.session.scalars(
        services.filter_practice(policies.visible_practice(), start_date=since)
        .where(PracticeLog.student_id.in_(student_ids))
        .order_by(PracticeLog.practice_date.desc(), PracticeLog.created_at.desc())).unique().all()


@teaching_bp.route("/practice", methods=["GET", "POST"])
@login_required
@requires("practice.view")
def practice():
    """Families: log practice and see this week. Staff: the weekly summary per student."""
    if can("practice.summary"):
        return _summary_page()
    students = _own_students()
    form = _practice_form(students)
    if request.method == "POST" and form.validate_on_submit():
        saved = _record(form, students)
        if saved is not None:
            return saved
    day = _week_day()
    return render("teaching/practice/index.html", status=form_status(form), form=form,
                  students=students, week=_week_nav(day),
                  summary=services.weekly_summary(current_studio(), students, day),
                  logs=_recent_logs([s.id for s in students]), action_form=EmptyForm())


def _record(form, students):
    student = next((s for s in students if str(s.id) == form.student.data), None)
    if student is None:
        form.student.errors = [*form.student.errors, "Choose a student."]
        return None
    if not policies.may_record_practice(student):
        form.form_errors.append("You can only log practice for your own students.")
        return None
    try:
        log = services.record_practice(
            current_studio(), current_user, student, date=form.date.data, minutes=form.minutes.data,
            pieces=pieces_list(form.pieces.data), note=form.note.data or "")
    except DomainError as exc:
        form_failed(form, exc, {"practice_date": "date"})
        return None
    flash(f"{log.minutes} minutes of practice logged for {student.first_name}.", "success")
    return redirect(safe_next(url_for("teaching.practice")))


def _summary_page():
    day = _week_day()
    teacher = uuid_arg("teacher") if policies.is_manager() else None
    stmt = policies.record_students().where(Student.is_active.is_(True))
    if teacher is not None:
        stmt = stmt.where(Student.primary_teacher_id == teacher)
    page = html_page(stmt.order_by(Student.first_name, Student.last_name, Student.id), size=50)
    summary = services.weekly_summary(current_studio(), page["results"], day)
    return render("teaching/practice/summary.html", "teaching/practice/_summary.html", page=page,
                  summary=summary, week=_week_nav(day), teacher=teacher)


@teaching_bp.route("/students/<student_id>/practice", methods=["GET", "POST"])
@login_required
@requires("practice.view")
def student_practice(student_id):
    """The Practice tab: this week against the target, recent logs, and the log form."""
    student = access.visible_student(student_id)
    reads = reads_records(student)
    may_record = can("practice.record") and student.is_active and policies.may_record_practice(student)
    form = _practice_form([student], student) if may_record else None
    status = 200
    if request.method == "POST":
        if form is None:
            flash("You can only log practice for your own students.", "error")
            return redirect(url_for("people.student", student_id=student.id, tab="practice"))
        if form.validate_on_submit():
            saved = _record(form, [student])
            if saved is not None:
                return saved
        status = form_status(form) if form.errors or form.form_errors else 422
    day = _week_day()
    summary = services.weekly_summary(current_studio(), [student], day)[0] \
        if reads else None
    return render("teaching/students/practice.html", "teaching/students/_practice.html", status=status,
                  student=student, reads=reads, form=form, summary=summary, week=_week_nav(day),
                  logs=_recent_logs([student.id]) if reads else [], action_form=EmptyForm())


@teaching_bp.route("/practice/<log_id>/delete", methods=["POST"])
@login_required
@requires("practice.record")
@denied_writes_redirect
def delete_practice(log_id):
    log = access.changeable_log(log_id)
    if EmptyForm().validate_on_submit():
        services.delete_practice(current_studio(), current_user, log)
        flash("The practice log is deleted.", "success")
    return redirect(safe_next(url_for("teaching.practice")))
