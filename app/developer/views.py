"""Pages: Settings → API keys, for owners and admins. The secret of a new key is shown on
the page that answers the form, once; it is never stored, so it cannot be shown again."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.core.forms import EmptyForm, apply_errors
from app.core.permissions import SCOPE_AREAS, requires
from app.core.tenancy import current_studio
from app.developer import access, services
from app.developer.forms import ApiKeyForm

developer_bp = Blueprint("developer", __name__, url_prefix="/settings/api-keys")


def _page(form, *, created=None, secret=None, status=200):
    studio = current_studio()
    keys = services.list_api_keys(studio)
    return render_template(
        "developer/api_keys.html", studio=studio, keys=keys, form=form, created=created,
        secret=secret, scope_areas=SCOPE_AREAS, action_form=EmptyForm(), now=utcnow(),
        last_day=lambda key: services.last_day(studio, key),
    ), status


@developer_bp.route("")
@login_required
@requires("api_keys.manage")
def api_keys():
    return _page(ApiKeyForm(formdata=None))


@developer_bp.route("", methods=["POST"])
@login_required
@requires("api_keys.manage")
def create_api_key():
    form = ApiKeyForm()
    if form.validate_on_submit():
        studio = current_studio()
        try:
            expires_at = (services.end_of_day(studio, form.expires_on.data)
                          if form.expires_on.data else None)
            key, secret = services.create_api_key(studio, current_user, name=form.name.data,
                                                  scopes=form.scopes.data, expires_at=expires_at)
        except ValidationFailed as exc:
            apply_errors(form, exc, aliases={"expires_at": "expires_on"})
        else:
            html, status = _page(ApiKeyForm(formdata=None), created=key, secret=secret)
            return html, status, {"Cache-Control": "no-store"}  # the page holds the secret
    return _page(form, status=422)


@developer_bp.route("/<api_key_id>/revoke", methods=["POST"])
@login_required
@requires("api_keys.manage")
def revoke_api_key(api_key_id):
    key = access.studio_api_key(api_key_id)
    if EmptyForm().validate_on_submit():
        services.revoke_api_key(current_studio(), current_user, key)
        flash(f"The key “{key.name}” is revoked: it stops working at once.", "success")
    return redirect(url_for("developer.api_keys"))
