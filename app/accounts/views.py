"""HTML pages: sign-in, sign-up, password reset, invitations, account, studio settings and members."""
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import services
from app.accounts.forms import (
    ROLE_CHOICES,
    AcceptInvitationForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    MemberRoleForm,
    PasswordForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
    StudioSettingsForm,
    TeachingForm,
)
from app.accounts.models import Invitation, Membership
from app.accounts.services import sign_ins
from app.core import files
from app.core.db import utcnow
from app.core.errors import DomainError, NotAuthenticated, RateLimited, ValidationFailed
from app.core.forms import EmptyForm, apply_errors
from app.core.permissions import PARENT, requires
from app.core.ratelimit import login_attempt, password_reset_attempt
from app.core.tenancy import current_role, current_studio, get_or_404, parse_uuid
from app.core.views import form_status, safe_next
from app.messaging import services as messaging
from app.people import services as people

auth_bp = Blueprint("auth", __name__)
account_bp = Blueprint("account", __name__, url_prefix="/account")
settings_bp = Blueprint("settings", __name__, url_prefix="/settings")


def _start_session(user, studio_id=None, remember=False):
    session.clear()
    sign_ins.start_sign_in(user, "browser", ip=request.remote_addr or "",
                           user_agent=request.user_agent.string)
    login_user(user, remember=remember)
    if studio_id:
        session["studio_id"] = str(studio_id)


def _end_session():
    logout_user()
    session.clear()


# ------------------------------------------------------------------ sign in / out / up

@auth_bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    refused = None
    if form.validate_on_submit():
        try:
            with login_attempt(form.email.data):
                user = services.authenticate(form.email.data, form.password.data)
        except RateLimited as exc:
            form.form_errors.append(exc.detail)
            refused = exc
        except NotAuthenticated as exc:
            form.form_errors.append(exc.detail)
        else:
            _start_session(user, remember=form.remember.data)
            flash(f"Welcome back, {user.first_name or user.email}.", "success")
            return redirect(safe_next(url_for("dashboard.index")))
    if refused:
        return render_template("auth/login.html", form=form), 429, refused.headers
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@auth_bp.route("/logout", methods=["POST"])
def logout():
    if EmptyForm().validate_on_submit():
        if current_user.is_authenticated:
            sign_ins.end_sign_in(current_user.current_sign_in)
        _end_session()
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
            if form.teaches.data:
                people.set_teaching(studio, user, teaches=True)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            _start_session(user, studio.id)
            flash(f"Welcome to Cadenza! {studio.name} is ready.", "success")
            return redirect(url_for("dashboard.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/signup.html", form=form), status


@auth_bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset_attempt(form.email.data)
            services.request_password_reset(form.email.data, ip=request.remote_addr or "")
        except RateLimited as exc:
            form.form_errors.append(exc.detail)
            return render_template("auth/forgot_password.html", form=form), 429, exc.headers
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return redirect(url_for("auth.password_reset_sent"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/forgot_password.html", form=form), status


@auth_bp.route("/forgot-password/sent")
def password_reset_sent():
    return render_template("auth/password_reset_sent.html", lifetime=services.reset_link_lifetime())


def _invalid_reset_link(exc):
    return render_template("auth/reset_link_invalid.html", detail=exc.detail,
                           lifetime=services.reset_link_lifetime()), 404


@auth_bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        reset = services.find_password_reset(token)
    except ValidationFailed as exc:
        return _invalid_reset_link(exc)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except ValidationFailed as exc:
            if "token" in exc.field_errors:  # used at the same moment elsewhere
                return _invalid_reset_link(exc)
            apply_errors(form, exc)
        else:
            _start_session(user)
            flash("Your password is changed, and every other device is signed out.", "success")
            return redirect(url_for("dashboard.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/reset_password.html", form=form, email=reset.user.email), status


@auth_bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        invitation = services.find_invitation(token)
    except DomainError as exc:
        return render_template("auth/invitation_invalid.html", detail=exc.detail), 404
    existing = services.find_user_by_email(invitation.email)
    waiting = existing  # a teacher added before they joined has an account without a password
    if existing is not None and not existing.password_hash:
        existing = None
    form = AcceptInvitationForm(obj=waiting) if existing is None else EmptyForm()
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
    if request.method == "GET":
        form.timezone.data = (current_user.preferences or {}).get("timezone") or ""
    if form.validate_on_submit():
        # A form without the field (an older page) keeps the member's choice.
        chosen = {"preferences": {"timezone": form.timezone.data or None}} \
            if "timezone" in request.form else {}
        try:
            services.update_profile(
                current_user, first_name=form.first_name.data, last_name=form.last_name.data,
                email=form.email.data, phone=form.phone.data, **chosen,
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("account.profile"))
    status = 422 if form.errors else 200
    return _profile_page(form, PasswordForm()), status


def _profile_page(form, password_form):
    return render_template(
        "account/profile.html", form=form, password_form=password_form,
        sign_ins=sign_ins.live_sign_ins(current_user), this_sign_in=current_user.current_sign_in,
        active_since=utcnow() - sign_ins.SEEN_PRECISION,
        email_choices=messaging.email_choices(current_user, current_role()),
        email_hints=messaging.EMAIL_CHOICE_HINTS,
        notification_form=EmptyForm(),
    )


@account_bp.route("/notifications", methods=["POST"])
@login_required
def notification_preferences():
    """Which notifications also come by email: one checkbox (`email`) per type."""
    if EmptyForm().validate_on_submit():
        chosen = set(request.form.getlist("email"))
        shown = messaging.email_choices(current_user, current_role())
        messaging.set_email_preferences(current_user, {kind: kind in chosen for kind in shown})
        flash("Your email choices are saved.", "success")
    else:
        flash("The form expired; reload the page and try again.", "error")
    return redirect(url_for("account.profile") + "#notifications")


@account_bp.route("/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data,
                                     keep_sign_in=current_user.current_sign_in.id)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Your password is changed. Other devices are signed out.", "success")
            return redirect(url_for("account.profile"))
    return _profile_page(ProfileForm(obj=current_user), form), 422


@account_bp.route("/sessions/<sign_in_id>/end", methods=["POST"])
@login_required
def end_sign_in(sign_in_id):
    if not EmptyForm().validate_on_submit():
        flash("The form expired. Try again.", "error")
        return redirect(url_for("account.profile"))
    ended = sign_ins.end_sign_in_of(current_user, sign_in_id)
    if ended.id == current_user.current_sign_in.id:
        _end_session()
        flash("You are signed out.", "success")
        return redirect(url_for("auth.login"))
    flash(f"{ended.device} is signed out.", "success")
    return redirect(url_for("account.profile"))


@account_bp.route("/sessions/end-all", methods=["POST"])
@login_required
def end_all_sign_ins():
    if not EmptyForm().validate_on_submit():
        flash("The form expired. Try again.", "error")
        return redirect(url_for("account.profile"))
    sign_ins.end_sign_ins(current_user)
    _end_session()
    flash("You are signed out on every device, and every API token is revoked.", "success")
    return redirect(url_for("auth.login"))


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
            if form.logo_upload.data:
                services.set_studio_logo(studio, current_user,
                                         form.logo_upload.data.read(services.MAX_LOGO_BYTES + 1))
            elif form.remove_logo.data:
                services.remove_studio_logo(studio, current_user)
        except ValidationFailed as exc:
            apply_errors(form, exc, aliases={"logo": "logo_upload"})
        else:
            flash("Studio settings are saved.", "success")
            return redirect(url_for("settings.studio"))
    status = 422 if form.errors or form.form_errors else 200
    storage = {"used": files.storage_usage(studio.id), "quota": files.storage_quota(studio)}
    return render_template("settings/studio.html", form=form, studio=studio, storage=storage), status


@settings_bp.route("/studio/logo")
@login_required
@requires("studio.view")
def studio_logo():
    """The current studio's logo for its members (invoices in the portal show it too)."""
    studio = current_studio()
    logo = studio.logo if studio.logo_digest else None
    if logo is None:
        abort(404)
    response = make_response(logo)
    response.headers["Content-Type"] = services.LOGO_CONTENT_TYPE
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(studio.logo_digest)
    return response.make_conditional(request)


@settings_bp.route("/checklist/dismiss", methods=["POST"])
@login_required
@requires("studio.manage")
def dismiss_checklist():
    if EmptyForm().validate_on_submit():
        services.dismiss_checklist(current_studio(), current_user)
        flash("The checklist is hidden. Studio settings are always under Settings.", "success")
    return redirect(url_for("dashboard.index"))


@settings_bp.route("/teaching", methods=["GET", "POST"])
@login_required
@requires("studio.manage")
def teaching():
    studio = current_studio()
    form = TeachingForm()
    if request.method == "GET":
        form.teaches.data = people.teaches(studio, current_user)
    if form.validate_on_submit():
        people.set_teaching(studio, current_user, teaches=form.teaches.data)
        flash("You are on the teachers list." if form.teaches.data
              else "You are no longer on the teachers list.", "success")
        return redirect(url_for("settings.teaching"))
    return render_template("settings/teaching.html", form=form, studio=studio), form_status(form)


@settings_bp.route("/members")
@login_required
@requires("members.view")
def members():
    """The members, pending invitations and the invitation form, pre-filled from the link
    that opened it (`?email=&first_name=&role=&family=`, e.g. a family page's)."""
    studio = current_studio()
    query = " ".join(request.args.get("q", "").split())[:200]
    prefill = {name: request.args.get(name, "")[:254]
               for name in ("email", "first_name", "family", "family_name")}
    if request.args.get("role") in dict(ROLE_CHOICES):
        prefill["role"] = request.args["role"]
    return _members_page(studio, InviteForm(formdata=None, **prefill), query=query)


def _members_page(studio, invite_form, *, query="", status=200):
    invite_form.family.choices = [("", "A new family (name it below)"), *people.family_choices(studio)]
    return render_template(
        "settings/members.html", studio=studio, members=services.list_members(studio, query), q=query,
        invitations=services.pending_invitations(studio), invite_form=invite_form,
        action_form=EmptyForm(), role_form=MemberRoleForm(),
    ), status


def _send_invitation(studio, form):
    """Invite as the form says; a parent into a family. Returns the flash message."""
    if form.role.data != PARENT:
        invitation, _link = services.invite_member(
            studio, current_user, form.email.data, form.role.data, first_name=form.first_name.data)
        return f"Invitation sent to {invitation.email}."
    family, guardian, invitation = people.invite_parent(
        studio, current_user, form.email.data, first_name=form.first_name.data,
        family=form.family.data or None, family_name=form.family_name.data)
    if invitation is None:
        return f"{guardian.full_name} already signs in; they are now a parent of {family.name}."
    return f"Invitation sent to {invitation.email} to join {family.name}."


@settings_bp.route("/members/invite", methods=["POST"])
@login_required
@requires("members.invite")
def invite():
    studio = current_studio()
    form = InviteForm()
    if form.validate_on_submit():
        try:
            message = _send_invitation(studio, form)
        except DomainError as exc:
            apply_errors(form, exc if isinstance(exc, ValidationFailed) else ValidationFailed(
                exc.detail, field_errors=exc.field_errors))
        else:
            flash(message, "success")
            return redirect(url_for("settings.members"))
    return _members_page(studio, form, status=422)


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
    invitation = get_or_404(Invitation, invitation_id)
    if EmptyForm().validate_on_submit():
        services.revoke_invitation(current_studio(), current_user, invitation)
        flash(f"The invitation to {invitation.email} is revoked.", "success")
    return redirect(url_for("settings.members"))


