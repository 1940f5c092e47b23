"""HTML pages for the resource library: the list with search and filters, upload, the
resource page (player, preview, download, sharing, loans), editing and loans."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.core import files
from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import requires
from app.core.tenancy import current_studio
from app.core.timeutil import local_today
from app.core.views import (
    choice_arg,
    denied_writes_redirect,
    form_failed,
    form_status,
    html_page,
    render,
    text_arg,
)
from app.extensions import db
from app.library import access, policies, services
from app.library.forms import (
    TYPE_LABELS,
    VISIBILITY_LABELS,
    EditResourceForm,
    LendForm,
    ResourceForm,
    ShareForm,
)
from app.library.models import (
    LOAN_STATUSES,
    RESOURCE_TYPES,
    VISIBILITIES,
    Resource,
    ResourceCheckout,
)
from app.people.models import Student
from app.people.services import visible_students

library_bp = Blueprint("library", __name__)
LOAN_TABS = ("checked_out", "overdue", "returned", "all")


@library_bp.record_once
def _labels(state):
    """Labels as template globals: the library's macros use them on other domains' pages."""
    state.app.jinja_env.globals.update(resource_type_labels=TYPE_LABELS,
                                       visibility_labels=VISIBILITY_LABELS,
                                       attached_resources=services.attached_to_note)


@library_bp.route("/resources")
@login_required
@requires("resources.view")
def resources():
    """The library: search titles, descriptions and tags; filter by type, category, tag."""
    filters = {"q": text_arg("q"), "type": choice_arg("type", RESOURCE_TYPES, ""),
               "category": text_arg("category", 80), "tag": text_arg("tag", 40),
               "visibility": choice_arg("visibility", VISIBILITIES, "")}
    visible = policies.visible_resources()
    stmt = services.filter_resources(
        visible, resource_type=filters["type"] or None, category=filters["category"] or None,
        tags=[filters["tag"]] if filters["tag"] else (), search=filters["q"] or None,
        visibility=(filters["visibility"] or None) if policies.is_staff() else None)
    stmt = stmt.order_by(Resource.created_at.desc(), Resource.id.desc())
    return render("library/index.html", "library/_results.html", page=html_page(stmt),
                  filters=filters, categories=services.categories(visible),
                  tags=services.tag_choices(visible), staff=policies.is_staff())


@library_bp.route("/resources/new", methods=["GET", "POST"])
@login_required
@requires("resources.manage")
def new_resource():
    form = ResourceForm()
    if form.validate_on_submit():
        try:
            resource = services.create_resource(current_studio(), current_user,
                                                **form.service_fields())
        except DomainError as exc:
            form_failed(form, exc, aliases={"upload": "file"})
        else:
            flash(f"“{resource.title}” is in the library.", "success")
            return redirect(url_for("library.resource", resource_id=resource.id))
    return render("library/form.html", status=form_status(form), form=form, resource=None)


def _share_form(resource):
    form = ShareForm()
    students = db.session.scalars(policies.shareable_students()
                                  .order_by(Student.first_name, Student.last_name)).all()
    form.students.choices = [(str(s.id), s.full_name) for s in students]
    if request.method == "GET":
        form.students.data = [str(i) for i in services.shared_student_ids(resource)]
    return form


def _lend_form():
    form = LendForm()
    students = db.session.scalars(_lendable_students()).all()
    form.student.choices = [("", "Choose a student")] + [(str(s.id), s.full_name) for s in students]
    return form


def _lendable_students():
    return (visible_students().where(Student.is_active.is_(True))
            .order_by(Student.first_name, Student.last_name))


def _show(resource, *, share_form=None, lend_form=None, status=200):
    staff = policies.is_staff()
    loans = []
    if resource.resource_type == "physical":
        loans = db.session.scalars(
            policies.visible_checkouts().where(ResourceCheckout.resource_id == resource.id)
            .order_by(ResourceCheckout.status, ResourceCheckout.checked_out_at.desc())
            .limit(50)).all()
    shared_with = [share.student for share in resource.shares] if staff else []
    return render(
        "library/show.html", status=status, resource=resource, staff=staff,
        may_edit=policies.may_edit(resource), may_share=policies.may_share(resource),
        may_lend=policies.may_lend(resource), shared_with=shared_with, loans=loans,
        today=local_today(current_studio()),
        share_form=share_form or (_share_form(resource) if staff else None),
        lend_form=lend_form or (_lend_form() if policies.may_lend(resource) else None),
        action_form=EmptyForm())


@library_bp.route("/resources/<resource_id>")
@login_required
@requires("resources.view")
def resource(resource_id):
    return _show(access.visible_resource(resource_id))


@library_bp.route("/resources/<resource_id>/download")
@login_required
@requires("resources.view")
def download(resource_id):
    """The file, authorised on every request; `?inline=1` to play or view it in the page."""
    resource = access.downloadable_resource(resource_id)
    return files.file_response(resource.file, inline=request.args.get("inline") == "1")


@library_bp.route("/resources/<resource_id>/edit", methods=["GET", "POST"])
@login_required
@requires("resources.manage")
@denied_writes_redirect
def edit_resource(resource_id):
    resource = access.editable_resource(resource_id)
    form = EditResourceForm(obj=resource)
    if request.method == "GET":
        form.tags.data = ", ".join(resource.tags or [])
    if form.validate_on_submit():
        try:
            services.update_resource(current_studio(), current_user, resource,
                                     **form.service_fields_for(resource))
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash(f"“{resource.title}” is saved.", "success")
            return redirect(url_for("library.resource", resource_id=resource.id))
    return render("library/form.html", status=form_status(form), form=form, resource=resource)


@library_bp.route("/resources/<resource_id>/delete", methods=["POST"])
@login_required
@requires("resources.manage")
@denied_writes_redirect
def delete_resource(resource_id):
    resource = access.editable_resource(resource_id)
    if EmptyForm().validate_on_submit():
        try:
            services.delete_resource(current_studio(), current_user, resource)
        except DomainError as exc:
            flash(exc.detail, "error")
            return redirect(url_for("library.resource", resource_id=resource_id))
        flash(f"“{resource.title}” was deleted.", "success")
    return redirect(url_for("library.resources"))


@library_bp.route("/resources/<resource_id>/share", methods=["POST"])
@login_required
@requires("resources.manage")
@denied_writes_redirect
def share_resource(resource_id):
    resource = access.shareable_resource(resource_id)
    form = _share_form(resource)
    if form.validate_on_submit():
        try:
            students = access.students_named(form.students.data or [])
            services.share_resource(current_studio(), current_user, resource, students,
                                    shareable=access.shareable_student_ids())
        except DomainError as exc:
            form_failed(form, exc)
        else:
            names = ", ".join(s.full_name for s in students) or "none of your students"
            flash(f"“{resource.title}” is shared with {names}.", "success")
            return redirect(url_for("library.resource", resource_id=resource.id))
    return _show(resource, share_form=form, status=422)


@library_bp.route("/resources/<resource_id>/lend", methods=["POST"])
@login_required
@requires("resources.lend")
@denied_writes_redirect
def lend(resource_id):
    resource = access.lendable_resource(resource_id)
    form = _lend_form()
    if form.validate_on_submit():
        try:
            student = access.students_named([form.student.data], field="student")[0]
            services.lend_copy(current_studio(), current_user, resource, student,
                               due_date=form.due_date.data, notes=form.notes.data or "")
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash(f"A copy of “{resource.title}” is lent to {student.full_name}.", "success")
            return redirect(url_for("library.resource", resource_id=resource.id))
    return _show(resource, lend_form=form, status=422)


@library_bp.route("/resource-checkouts/<checkout_id>/return", methods=["POST"])
@login_required
@requires("resources.lend")
@denied_writes_redirect
def return_copy(checkout_id):
    checkout = access.returnable_checkout(checkout_id)
    if EmptyForm().validate_on_submit():
        try:
            services.return_copy(current_studio(), current_user, checkout)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(f"The copy of “{checkout.resource.title}” is back.", "success")
    return redirect(url_for("library.resource", resource_id=checkout.resource_id))


@library_bp.route("/resource-checkouts")
@login_required
@requires("resources.view")
def checkouts():
    """Loans: staff see every copy lent out; families their own."""
    status = choice_arg("status", LOAN_TABS, "checked_out")
    stmt = services.filter_checkouts(policies.visible_checkouts(), current_studio(),
                                     status=status if status in LOAN_STATUSES else None,
                                     overdue=status == "overdue")
    stmt = stmt.order_by(ResourceCheckout.checked_out_at.desc(), ResourceCheckout.id.desc())
    return render("library/checkouts.html", page=html_page(stmt), loan_status=status,
                  staff=policies.is_staff(), today=local_today(current_studio()),
                  action_form=EmptyForm())
