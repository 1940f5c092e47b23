"""The lesson-plan library (staff), and attaching plans to lessons."""
from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.core import htmx
from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import requires
from app.core.tenancy import current_studio, parse_uuid
from app.core.views import denied_writes_redirect, form_failed, form_status, html_page, render
from app.library import services as library
from app.teaching import access, policies, services
from app.teaching.forms import AttachPlanForm, PlanForm
from app.teaching.models import LessonPlan
from app.teaching.views import teaching_bp
from app.teaching.views.notes import render_panel


@teaching_bp.route("/lesson-plans")
@login_required
@requires("lesson_plans.view")
def plans():
    """The library: public plans and your own, by specialty; search by title."""
    filters = {"specialty": (request.args.get("specialty") or "").strip()[:60],
               "q": (request.args.get("q") or "").strip()[:200],
               "mine": request.args.get("mine") == "1"}
    stmt = services.filter_plans(policies.visible_plans(), specialty=filters["specialty"] or None,
                                 search=filters["q"] or None)
    if filters["mine"]:
        stmt = stmt.where(LessonPlan.author_id == current_user.id)
    stmt = stmt.order_by(LessonPlan.specialty, LessonPlan.title, LessonPlan.id)
    return render("teaching/plans/index.html", "teaching/plans/_results.html",
                  page=html_page(stmt), filters=filters,
                  specialties=services.specialties(policies.visible_plans()))


@teaching_bp.route("/lesson-plans/new", methods=["GET", "POST"])
@login_required
@requires("lesson_plans.manage")
def new_plan():
    form = PlanForm()
    form.resources.choices = library.resource_choices()
    if form.validate_on_submit():
        try:
            plan = services.create_plan(current_studio(), current_user, **form.service_fields())
            library.attach_to_plan(current_studio(), current_user, plan,
                                   [parse_uuid(value) for value in form.resources.data or []])
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash(f"“{plan.title}” is in the library.", "success")
            return redirect(url_for("teaching.plan", plan_id=plan.id))
    return render("teaching/plans/form.html", status=form_status(form), form=form, plan=None)


@teaching_bp.route("/lesson-plans/<plan_id>")
@login_required
@requires("lesson_plans.view")
def plan(plan_id):
    plan = access.visible_plan(plan_id)
    return render("teaching/plans/show.html", plan=plan, may_edit=policies.may_edit_plan(plan),
                  resources=library.attached_to_plan(plan),
                  action_form=EmptyForm())


@teaching_bp.route("/lesson-plans/<plan_id>/edit", methods=["GET", "POST"])
@login_required
@requires("lesson_plans.manage")
@denied_writes_redirect
def edit_plan(plan_id):
    plan = access.editable_plan(plan_id)
    form = PlanForm(obj=plan)
    form.resources.choices = library.resource_choices()
    if request.method == "GET":
        form.resources.data = [str(r.id) for r in library.attached_to_plan(plan)]
    if form.validate_on_submit():
        try:
            services.update_plan(current_studio(), current_user, plan, **form.service_fields())
            library.attach_to_plan(current_studio(), current_user, plan,
                                   [parse_uuid(value) for value in form.resources.data or []])
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash(f"“{plan.title}” is saved.", "success")
            return redirect(url_for("teaching.plan", plan_id=plan.id))
    return render("teaching/plans/form.html", status=form_status(form), form=form, plan=plan)


@teaching_bp.route("/lesson-plans/<plan_id>/delete", methods=["POST"])
@login_required
@requires("lesson_plans.manage")
@denied_writes_redirect
def delete_plan(plan_id):
    plan = access.editable_plan(plan_id)
    if EmptyForm().validate_on_submit():
        services.delete_plan(current_studio(), current_user, plan)
        flash(f"“{plan.title}” is deleted.", "success")
    return redirect(url_for("teaching.plans"))


@teaching_bp.route("/lessons/<lesson_id>/plans", methods=["POST"])
@login_required
@requires("lesson_plans.manage")
@denied_writes_redirect
def attach_plan(lesson_id):
    lesson = access.lesson_for_notes(lesson_id)
    form = AttachPlanForm()
    form.plan.choices = [(request.form.get("plan", ""), "")]
    if form.validate_on_submit():
        plan = access.visible_plan(form.plan.data)
        try:
            services.attach_plan(current_studio(), current_user, lesson, plan)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            _flash_unless_htmx(f"“{plan.title}” is attached to the lesson.")
    return _back_to_panel(lesson)


@teaching_bp.route("/lessons/<lesson_id>/plans/<plan_id>/detach", methods=["POST"])
@login_required
@requires("lesson_plans.manage")
@denied_writes_redirect
def detach_plan(lesson_id, plan_id):
    lesson = access.lesson_for_notes(lesson_id)
    plan = access.visible_plan(plan_id)
    if EmptyForm().validate_on_submit():
        services.detach_plan(current_studio(), current_user, lesson, plan)
        _flash_unless_htmx(f"“{plan.title}” is detached.")
    return _back_to_panel(lesson)


def _flash_unless_htmx(message):
    if not htmx.is_htmx():  # the swapped panel shows the change itself
        flash(message, "success")


def _back_to_panel(lesson):
    """htmx swaps the lesson's teaching panel in place; otherwise show it as a page."""
    if htmx.is_htmx():
        return render_panel(lesson)
    return redirect(url_for("teaching.lesson_panel", lesson_id=lesson.id))
