"""HTML pages: the consent page of /oauth/authorize, the studio's apps, the authorizations
given in the studio, and revoking one's own."""
from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts import services as accounts
from app.core.errors import ValidationFailed
from app.core.forms import EmptyForm, apply_errors
from app.core.permissions import requires
from app.core.tenancy import current_studio
from app.core.views import form_status
from app.extensions import talisman
from app.oauth import access, services
from app.oauth.forms import AppForm, RegisterAppForm
from app.oauth.server import authorization_server

oauth_pages_bp = Blueprint("oauth", __name__)


@oauth_pages_bp.app_context_processor
def connected_apps():
    """`connected_apps_of(user)` for the profile page's "Connected apps" section."""
    return {"connected_apps_of": services.grants_of_user, "describe_scope": services.describe_scope}


# ------------------------------------------------------------------ consent

def _consent_error(error):
    """An error with a verified redirect URI goes back to the app (RFC 6749 §4.1.2.1);
    without one (unknown app, redirect URI not registered) the person is told here."""
    if error.redirect_uri:
        return authorization_server().handle_error_response(None, error)
    return render_template("oauth/error.html", error=error), 400


def _policy(redirect_uri=None):
    """The app's Content-Security-Policy, with the consent form allowed to end at the app's
    redirect URI: browsers hold a form's redirects to `form-action` too, and the answer to
    Allow or Deny is a redirect to the app."""
    policy = dict(talisman.content_security_policy)
    if redirect_uri:
        parts = urlsplit(redirect_uri)
        policy["form-action"] = f"'self' {parts.scheme}://{parts.netloc}"
    return "; ".join(f"{name} {' '.join(value) if isinstance(value, list) else value}"
                     for name, value in policy.items())


@oauth_pages_bp.route("/oauth/authorize", methods=["GET", "POST"])
@talisman(content_security_policy=None)  # set below, per answer
@login_required
def authorize():
    redirect_uri = None
    try:
        response, redirect_uri = _authorize()
    except OAuth2Error as error:
        response, redirect_uri = _consent_error(error), error.redirect_uri
    response = make_response(response)
    response.headers["Content-Security-Policy"] = _policy(redirect_uri)
    return response


def _authorize():
    """(the answer, the app's verified redirect URI)."""
    server = authorization_server()
    grant = server.get_consent_grant(end_user=current_user)
    redirect_uri = grant.redirect_uri
    app = grant.client.app
    membership = accounts.membership_for(current_user, app.studio_id)
    if membership is None:
        return (render_template("oauth/error.html", error=None, foreign=True), 403), None
    scopes = services.scopes_for_role(grant.request.scope.split(), membership.role)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash("The form expired. Try again.", "error")
            return redirect(request.full_path), None
        allowed = request.form.get("decision") == "allow" and bool(scopes)
        return server.create_authorization_response(
            grant=grant, grant_user=current_user._get_current_object() if allowed else None
        ), redirect_uri
    page = render_template("oauth/consent.html", app=app, studio=membership.studio,
                           scopes=scopes, form=form)
    return page, redirect_uri


# ------------------------------------------------------------------ the studio's apps

def _apps_page(form, status=200):
    studio = current_studio()
    return render_template("oauth/apps.html", apps=services.apps_of(studio), form=form,
                           studio=studio), status


def _secret_page(app, secret, *, registered):
    return render_template("oauth/secret.html", app=app, secret=secret, registered=registered)


@oauth_pages_bp.route("/settings/apps", methods=["GET", "POST"])
@login_required
@requires("studio.manage")
def apps():
    form = RegisterAppForm()
    if form.validate_on_submit():
        try:
            app, secret = services.register_app(
                current_studio(), current_user, confidential=form.kind.data != "public",
                **form.service_fields())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"{app.name} is registered.", "success")
            return _secret_page(app, secret, registered=True), 201
    return _apps_page(form, form_status(form))


@oauth_pages_bp.route("/settings/apps/<app_id>", methods=["GET", "POST"])
@login_required
@requires("studio.manage")
def edit_app(app_id):
    app = access.studio_app_or_404(current_studio(), app_id)
    form = AppForm(obj=app, data=None if request.method == "POST" else {
        "scopes": app.scope_list, "redirect_uris": "\n".join(app.redirect_uri_list)})
    if form.validate_on_submit():
        try:
            services.update_app(app, current_user, **form.service_fields())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"{app.name} is saved.", "success")
            return redirect(url_for("oauth.apps"))
    return render_template("oauth/edit_app.html", app=app, form=form,
                           action_form=EmptyForm()), form_status(form)


@oauth_pages_bp.route("/settings/apps/<app_id>/rotate-secret", methods=["POST"])
@login_required
@requires("studio.manage")
def rotate_secret(app_id):
    app = access.studio_app_or_404(current_studio(), app_id)
    if not EmptyForm().validate_on_submit():
        flash("The form expired. Try again.", "error")
        return redirect(url_for("oauth.edit_app", app_id=app.id))
    try:
        secret = services.rotate_secret(app, current_user)
    except ValidationFailed as exc:
        flash(exc.detail, "error")
        return redirect(url_for("oauth.edit_app", app_id=app.id))
    return _secret_page(app, secret, registered=False)


@oauth_pages_bp.route("/settings/apps/<app_id>/delete", methods=["POST"])
@login_required
@requires("studio.manage")
def delete_app(app_id):
    app = access.studio_app_or_404(current_studio(), app_id)
    if EmptyForm().validate_on_submit():
        name = app.name
        services.delete_app(app, current_user)
        flash(f"{name} is deleted; its tokens no longer work.", "success")
    else:
        flash("The form expired. Try again.", "error")
    return redirect(url_for("oauth.apps"))


# ------------------------------------------------------------------ authorizations

@oauth_pages_bp.route("/settings/connected-apps")
@login_required
@requires("studio.manage")
def connected():
    studio = current_studio()
    return render_template("oauth/connected.html", grants=services.grants_in_studio(studio),
                           studio=studio)


@oauth_pages_bp.route("/settings/connected-apps/<grant_id>/revoke", methods=["POST"])
@login_required
@requires("studio.manage")
def revoke_in_studio(grant_id):
    grant = access.studio_grant_or_404(current_studio(), grant_id)
    if EmptyForm().validate_on_submit():
        services.revoke_grant(grant)
        flash(f"{grant.app.name} no longer acts for {grant.user.full_name}.", "success")
    else:
        flash("The form expired. Try again.", "error")
    return redirect(url_for("oauth.connected"))


@oauth_pages_bp.route("/account/apps/<grant_id>/revoke", methods=["POST"])
@login_required
def revoke_own(grant_id):
    grant = access.own_grant_or_404(current_user, grant_id)
    if EmptyForm().validate_on_submit():
        services.revoke_grant(grant)
        flash(f"{grant.app.name} is disconnected; its tokens no longer work.", "success")
    else:
        flash("The form expired. Try again.", "error")
    return redirect(url_for("account.profile") + "#connected-apps")
