"""Goals: a student's Goals tab, new/edit forms and the inline progress update."""
from flask import flash, redirect, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.core import htmx
from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import requires
from app.core.tenancy import current_studio
from app.core.views import denied_writes_redirect, form_failed, form_status, render
from app.extensions import db
from app.teaching import access, policies, services
from app.teaching.forms import GoalForm, ProgressForm
from app.teaching.models import Goal
from app.teaching.views import teaching_bp
from app.teaching.views.common import reads_records

STATUS_ORDER = {"active": 0, "achieved": 1, "abandoned": 2}


def _goals_of(student):
    goals = db.session.scalars(policies.visible_goals().where(Goal.student_id == student.id)
                               .options(selectinload(Goal.history))).unique().all()
    return sorted(goals, key=lambda g: (STATUS_ORDER[g.status], g.target_date is None,
                                        g.target_date or g.created_at.date(), g.title.lower()))


def _goal_back(goal_or_student_id):
    return url_for("people.student", student_id=goal_or_student_id, tab="goals")


@teaching_bp.route("/students/<student_id>/goals")
@login_required
@requires("goals.view")
def student_goals(student_id):
    """The Goals tab: goals with progress bars, history, and (for teachers) quick updates."""
    student = access.visible_student(student_id)
    return render("teaching/students/goals.html", "teaching/students/_goals.html",
                  student=student, goals=_goals_of(student), progress_form=ProgressForm(),
                  may_manage=policies.may_manage_goals(student), action_form=EmptyForm(),
                  reads=reads_records(student))


@teaching_bp.route("/students/<student_id>/goals/new", methods=["GET", "POST"])
@login_required
@requires("goals.manage")
@denied_writes_redirect
def new_goal(student_id):
    student = access.student_for_goals(student_id)
    form = GoalForm()
    if form.validate_on_submit():
        try:
            goal = services.create_goal(current_studio(), current_user, student, **form.service_fields())
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash(f"Goal “{goal.title}” set for {student.first_name}.", "success")
            return redirect(_goal_back(student.id))
    return render("teaching/goals/form.html", "teaching/goals/_form.html", status=form_status(form),
                  form=form, student=student, goal=None)


@teaching_bp.route("/goals/<goal_id>/edit", methods=["GET", "POST"])
@login_required
@requires("goals.manage")
@denied_writes_redirect
def edit_goal(goal_id):
    goal = access.managed_goal(goal_id)
    form = GoalForm(obj=goal)
    if form.validate_on_submit():
        try:
            services.update_goal(current_studio(), current_user, goal, **form.service_fields())
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash(f"Goal “{goal.title}” updated.", "success")
            return redirect(_goal_back(goal.student_id))
    return render("teaching/goals/form.html", "teaching/goals/_form.html", status=form_status(form),
                  form=form, student=goal.student, goal=goal)


@teaching_bp.route("/goals/<goal_id>/progress", methods=["POST"])
@login_required
@requires("goals.manage")
@denied_writes_redirect
def goal_progress(goal_id):
    """Record new progress (inline: htmx swaps the goal card)."""
    goal = access.managed_goal(goal_id)
    form = ProgressForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.update_goal(current_studio(), current_user, goal,
                                 progress_percentage=form.progress_percentage.data,
                                 progress_note=form.progress_note.data or "")
        except DomainError as exc:
            form_failed(form, exc)
            status = 422
        else:
            if not htmx.is_htmx():
                flash(f"Progress on “{goal.title}” is now {goal.progress_percentage}%.", "success")
                return redirect(_goal_back(goal.student_id))
            form = ProgressForm(formdata=None)
    else:
        status = 422
        if not htmx.is_htmx():
            flash(" ".join(form.progress_percentage.errors) or "Check the progress.", "error")
            return redirect(_goal_back(goal.student_id))
    return render("teaching/goals/_goal.html", status=status, goal=goal, progress_form=form,
                  may_manage=True, action_form=EmptyForm())


@teaching_bp.route("/goals/<goal_id>/delete", methods=["POST"])
@login_required
@requires("goals.manage")
@denied_writes_redirect
def delete_goal(goal_id):
    goal = access.managed_goal(goal_id)
    student_id = goal.student_id
    if EmptyForm().validate_on_submit():
        services.delete_goal(current_studio(), current_user, goal)
        flash("The goal is deleted.", "success")
    return redirect(_goal_back(student_id))


