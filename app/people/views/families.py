"""Family pages: list with balances, detail, create/edit, contact details, guardians."""
from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func

from app.core import htmx
from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import requires
from app.core.tenancy import current_studio
from app.core.views import deny, form_failed, html_page, render, render_form, text_arg
from app.people import policies, services
from app.people.access import FAMILY_LOAD, family_guardian, visible_family
from app.people.forms import FamilyContactForm, FamilyForm, GuardianForm
from app.people.models import Family
from app.people.views import people_bp
from app.scheduling import services as scheduling


def _back_to(family):
    return redirect(url_for("people.family", family_id=family.id))


@people_bp.route("/families")
@login_required
@requires("people.directory")
def families():
    query = text_arg("q")
    stmt = services.filter_families(policies.visible_families().options(*FAMILY_LOAD), search=query)
    page = html_page(stmt.order_by(func.lower(Family.name), Family.id))
    return render("people/families/index.html", "people/families/_results.html",
                           page=page, q=query, balances=services.balances(page["results"]))


def _family_fields(form):
    return {name: form[name].data or "" for name in ("name", "phone", "billing_email", "address", "notes")}


@people_bp.route("/families/new", methods=["GET", "POST"])
@login_required
@requires("families.manage")
def new_family():
    form = FamilyForm()
    del form.primary_contact
    if form.validate_on_submit():
        try:
            family = services.create_family(current_studio(), current_user, **_family_fields(form))
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash(f"{family.name} is created. Add its guardians and students.", "success")
            return _back_to(family)
    return render_form("people/families/form.html", form, family=None)


def _family_context(family, guardian_form=None):
    return {
        "family": family, "balance": services.family_balance(family),
        "credits": scheduling.family_credits(current_studio(), family.id),
        "offers_credits": current_studio().makeup_credits_enabled,
        "invited": services.invited_guardian_emails(current_studio(), family),
        "guardian_form": guardian_form or GuardianForm(), "action_form": EmptyForm(),
    }


@people_bp.route("/families/<family_id>")
@login_required
@requires("families.view")
def family(family_id):
    family = visible_family(family_id)
    return render_template("people/families/show.html", **_family_context(family))


def _contact_choices(family):
    choices = [("", "No primary contact")]
    return choices + [(str(g.user_id), g.full_name) for g in family.guardians if g.user_id]


@people_bp.route("/families/<family_id>/edit", methods=["GET", "POST"])
@login_required
@requires("families.manage")
def edit_family(family_id):
    family = visible_family(family_id)
    form = FamilyForm(obj=family)
    form.primary_contact.choices = _contact_choices(family)
    if not form.is_submitted():
        form.primary_contact.data = str(family.primary_contact_id or "")
    if form.validate_on_submit():
        try:
            services.update_family(current_studio(), current_user, family, **_family_fields(form),
                                   primary_contact=form.primary_contact.data or None)
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash("The family is saved.", "success")
            return _back_to(family)
    return render_form("people/families/form.html", form, family=family)


@people_bp.route("/families/<family_id>/contact", methods=["GET", "POST"])
@login_required
@requires("families.edit_contact")
def family_contact(family_id):
    family = visible_family(family_id)
    if not policies.may_edit_family_contact(family):
        return deny("You may only change your own family's contact details.",
                    url_for("people.family", family_id=family.id))
    form = FamilyContactForm(obj=family)
    if form.validate_on_submit():
        changes = {name: form[name].data or "" for name in services.CONTACT_FIELDS}
        try:
            services.update_family(current_studio(), current_user, family, **changes)
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash("Your contact details are saved.", "success")
            return _back_to(family)
    return render_form("people/families/contact.html", form, family=family)


@people_bp.route("/families/<family_id>/guardians", methods=["POST"])
@login_required
@requires("families.manage")
def add_guardian(family_id):
    family = visible_family(family_id)
    form = GuardianForm()
    if form.validate_on_submit():
        fields = {name: form[name].data or "" for name in services.families.GUARDIAN_FIELDS}
        try:
            guardian, invitation = services.add_guardian(
                current_studio(), current_user, family, invite=form.invite.data, **fields)
        except DomainError as exc:
            form_failed(form, exc)
        else:
            sent = f" and invited {invitation.email} to sign in" if invitation else ""
            flash(f"Added {guardian.full_name} to {family.name}{sent}.", "success")
            if htmx.is_htmx():
                return htmx.hx_redirect(make_response("", 200), url_for("people.family", family_id=family.id))
            return _back_to(family)
    return render_form("people/families/show.html", form, partial="people/families/_guardian_form.html",
                       **_family_context(family, guardian_form=form))


@people_bp.route("/families/<family_id>/guardians/<guardian_id>/<any(remove, invite, primary):action>",
                 methods=["POST"])
@login_required
@requires("families.manage")
def guardian_action(family_id, guardian_id, action):
    family = visible_family(family_id)
    guardian = family_guardian(family, guardian_id)
    if EmptyForm().validate_on_submit():
        studio = current_studio()
        try:
            if action == "remove":
                services.remove_guardian(studio, current_user, family, guardian)
                flash(f"{guardian.full_name} is no longer a guardian of {family.name}.", "success")
            elif action == "primary":
                services.make_primary_contact(studio, current_user, family, guardian)
                flash(f"{guardian.full_name} is now the primary contact of {family.name}.", "success")
            else:
                invitation = services.invite_guardian(studio, current_user, guardian)
                flash(f"Invitation sent to {invitation.email}.", "success")
        except DomainError as exc:
            flash(exc.detail if not exc.field_errors else " ".join(sum(exc.field_errors.values(), [])),
                  "error")
    return _back_to(family)


@people_bp.route("/families/<family_id>/delete", methods=["POST"])
@login_required
@requires("families.manage")
def delete_family(family_id):
    family = visible_family(family_id)
    if EmptyForm().validate_on_submit():
        try:
            services.delete_family(current_studio(), current_user, family)
        except DomainError as exc:
            flash(exc.detail, "error")
            return _back_to(family)
        flash(f"{family.name} is deleted.", "success")
    return redirect(url_for("people.families"))


@people_bp.route("/my/family")
@login_required
@requires("families.view_own")
def my_family():
    families = services.families_of(current_studio(), current_user)
    if len(families) == 1:
        return _back_to(families[0])
    return render_template("people/families/mine.html", families=families)
