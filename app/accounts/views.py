"""HTML pages: sign-in, sign-up, invitations, account, studio settings and members."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import services
from app.accounts.forms import (
    AcceptInvitationForm,
    EmptyForm,
    InviteForm,
    LoginForm,
    MemberRoleForm,
    PasswordForm,
    ProfileForm,
    SignupForm,
    StudioSettingsForm,
)
from app.accounts.models import Membership
from app.core.errors import DomainError, NotAuthenticated, RateLimited, ValidationFailed
from app.core.forms import apply_errors
from app.core.permissions import requires
from app.core.ratelimit import hit_login_limit
from app.core.tenancy import current_studio, get_or_404, parse_uuid

auth_bp = Blueprint("auth", __name__)
account_bp = Blueprint("account", __name__, url_prefix="/account")
settings_bp = Blueprint("settings", __name__, url_prefix="/settings")


def _safe_next(default_endpoint="dashboard.index"):
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and "\\" not in target:
        return target
    return url_for(default_endpoint)


def _start_session(user, studio_id=None, remember=False):
    session.clear()
    login_user(user, remember=remember)
    if studio_id:
        session["studio_id"] = str(studio_id)


# ------------------------------------------------------------------ sign in / out / up

@auth_bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            hit_login_limit(form.email.data)
            user = services.authenticate(form.email.data, form.password.data)
        except RateLimited as exc:
            form.form_errors.append(exc.detail)
        except NotAuthenticated as exc:
            form.form_errors.append(exc.detail)
        else:
            _start_session(user, remember=form.remember.data)
            flash(f"Welcome back, {user.first_name or user.email}.", "success")
            return redirect(_safe_next())
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@auth_bp.route("/logout", methods=["POST"])
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        session.clear()
        flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))


@auth_bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user, studio = services.sign_up(
                form.studio_name.data, form.first_name.data, form.last_name.data,
                form.email.data, form.password.data, timezone=form.timezone.data,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            _start_session(user, studio.id)
            flash(f"Welcome to Cadenza! {studio.name} is ready.", "success")
            return redirect(url_for("dashboard.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/signup.html", form=form), status


@auth_bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        invitation = services.find_invitation(token)
    except DomainError as exc:
        return render_template("auth/invitation_invalid.html", detail=exc.detail), 404
    existing = services.find_user_by_email(invitation.email)
    form = AcceptInvitationForm() if existing is None else EmptyForm()
    signed_in_as_invitee = current_user.is_authenticated and current_user.email == invitation.email
    if request.method == "POST" and form.validate_on_submit():
        try:
            if existing is None:
                user, membership = services.accept_invitation(
                    token, first_name=form.first_name.data, last_name=form.last_name.data,
                    password=form.password.data,
                )
            elif signed_in_as_invitee:
                user, membership = services.accept_invitation(token, user=current_user)
            else:
                abort(403)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            _start_session(user, membership.studio_id)
            flash(f"You joined {invitation.studio.name}.", "success")
            return redirect(url_for("dashboard.index"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "auth/accept_invitation.html", form=form, invitation=invitation, existing=existing,
        signed_in_as_invitee=signed_in_as_invitee,
    ), status


# ------------------------------------------------------------------ the signed-in user

@account_bp.route("/", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user, first_name=form.first_name.data, last_name=form.last_name.data,
                email=form.email.data, phone=form.phone.data,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("account.profile"))
    status = 422 if form.errors else 200
    return render_template("account/profile.html", form=form, password_form=PasswordForm()), status


@account_bp.route("/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            login_user(current_user._get_current_object())  # stay signed in on this device
            flash("Your password is changed. Other devices are signed out.", "success")
            return redirect(url_for("account.profile"))
    return render_template(
        "account/profile.html", form=ProfileForm(obj=current_user), password_form=form
    ), 422


@account_bp.route("/studio", methods=["POST"])
@login_required
def switch_studio():
    form = EmptyForm()
    studio_id = parse_uuid(request.form.get("studio_id"))  # None would mean "the first studio"
    membership = services.membership_for(current_user, studio_id) if studio_id else None
    if form.validate_on_submit() and membership is not None:
        session["studio_id"] = str(membership.studio_id)
        flash(f"You are now working in {membership.studio.name}.", "success")
    else:
        flash("That studio is not available.", "error")
    return redirect(url_for("dashboard.index"))


# ------------------------------------------------------------------ studio settings

@settings_bp.route("/studio", methods=["GET", "POST"])
@login_required
@requires("studio.manage")
def studio():
    studio = current_studio()
    form = StudioSettingsForm(obj=studio)
    if form.validate_on_submit():
        fields = {name: form[name].data for name in services.STUDIO_FIELDS}
        try:
            services.update_studio(studio, current_user, **fields)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Studio settings are saved.", "success")
            return redirect(url_for("settings.studio"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("settings/studio.html", form=form, studio=studio), status


@settings_bp.route("/members")
@login_required
@requires("members.view")
def members():
    studio = current_studio()
    return render_template(
        "settings/members.html", studio=studio, members=services.list_members(studio),
        invitations=services.pending_invitations(studio), invite_form=InviteForm(),
        action_form=EmptyForm(), role_form=MemberRoleForm(),
    )


@settings_bp.route("/members/invite", methods=["POST"])
@login_required
@requires("members.invite")
def invite():
    studio = current_studio()
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation, _link = services.invite_member(
                studio, current_user, form.email.data, form.role.data, first_name=form.first_name.data,
            )
        except DomainError as exc:
            apply_errors(form, exc if isinstance(exc, ValidationFailed) else ValidationFailed(
                exc.detail, field_errors=exc.field_errors))
        else:
            flash(f"Invitation sent to {invitation.email}.", "success")
            return redirect(url_for("settings.members"))
    return render_template(
        "settings/members.html", studio=studio, members=services.list_members(studio),
        invitations=services.pending_invitations(studio), invite_form=form,
        action_form=EmptyForm(), role_form=MemberRoleForm(),
    ), 422


def _member(member_id):
    return get_or_404(Membership, member_id)


@settings_bp.route("/members/<member_id>/role", methods=["POST"])
@login_required
@requires("members.manage")
def change_role(member_id):
    membership = _member(member_id)
    form = MemberRoleForm()
    if form.validate_on_submit():
        try:
            services.change_member_role(current_studio(), current_user, membership, form.role.data)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(f"{membership.user.full_name} is now {form.role.data}.", "success")
    else:
        flash("Choose a valid role.", "error")
    return redirect(url_for("settings.members"))


@settings_bp.route("/members/<member_id>/<any(activate, deactivate):action>", methods=["POST"])
@login_required
@requires("members.manage")
def set_active(member_id, action):
    membership = _member(member_id)
    if EmptyForm().validate_on_submit():
        try:
            services.set_member_active(current_studio(), current_user, membership, action == "activate")
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(f"{membership.user.full_name} is {action}d.", "success")
    return redirect(url_for("settings.members"))


@settings_bp.route("/members/<member_id>/transfer-ownership", methods=["POST"])
@login_required
@requires("studio.transfer_ownership")
def transfer_ownership(member_id):
    membership = _member(member_id)
    if EmptyForm().validate_on_submit():
        try:
            services.transfer_ownership(current_studio(), current_user, membership)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(f"{membership.user.full_name} now owns the studio; you are an admin.", "success")
    return redirect(url_for("settings.members"))


@settings_bp.route("/invitations/<invitation_id>/revoke", methods=["POST"])
@login_required
@requires("members.invite")
def revoke_invitation(invitation_id):
    from app.accounts.models import Invitation

    invitation = get_or_404(Invitation, invitation_id)
    if EmptyForm().validate_on_submit():
        services.revoke_invitation(current_studio(), current_user, invitation)
        flash(f"The invitation to {invitation.email} is revoked.", "success")
    return redirect(url_for("settings.members"))


