"""Pages: Settings → Webhooks, for owners and admins. The list of endpoints with their last
delivery and a form to add one; each endpoint's page shows its secret, edits it, disables or
enables it, sends a test event, and lists its deliveries with "Redeliver"."""
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.errors import Conflict, ValidationFailed
from app.core.forms import EmptyForm, apply_errors
from app.core.htmx import add_vary, is_htmx
from app.core.permissions import requires
from app.core.tenancy import current_studio, scoped
from app.core.webhook_events import EVENT_AREAS
from app.extensions import db
from app.webhooks import access, services
from app.webhooks.forms import EndpointForm
from app.webhooks.models import WebhookEndpoint

webhooks_bp = Blueprint("webhooks", __name__, url_prefix="/settings/webhooks")
LOG_PAGE_SIZE = 20


def _list_page(form, status=200):
    endpoints = db.session.scalars(
        scoped(WebhookEndpoint).order_by(WebhookEndpoint.created_at)).all()
    return render_template("webhooks/index.html", endpoints=endpoints, form=form,
                           event_areas=EVENT_AREAS, action_form=EmptyForm()), status


def _log(endpoint):
    try:
        page = max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    stmt = services.deliveries_of(endpoint)
    rows = db.session.scalars(stmt.limit(LOG_PAGE_SIZE + 1)
                              .offset((page - 1) * LOG_PAGE_SIZE)).all()
    return {"deliveries": rows[:LOG_PAGE_SIZE], "page": page,
            "has_next": len(rows) > LOG_PAGE_SIZE}


def _endpoint_page(endpoint, form, status=200):
    return render_template("webhooks/endpoint.html", endpoint=endpoint, form=form,
                           event_areas=EVENT_AREAS, action_form=EmptyForm(),
                           **_log(endpoint)), status


@webhooks_bp.route("")
@login_required
@requires("webhooks.manage")
def endpoints():
    return _list_page(EndpointForm(formdata=None))


@webhooks_bp.route("", methods=["POST"])
@login_required
@requires("webhooks.manage")
def create_endpoint():
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint = services.create_endpoint(current_studio(), current_user, url=form.url.data,
                                                events=form.events.data,
                                                description=form.description.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.form_errors.append(exc.detail)
        else:
            flash("The endpoint is added. Copy its signing secret below to check our "
                  "signatures.", "success")
            return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))
    return _list_page(form, status=422)


@webhooks_bp.route("/<endpoint_id>")
@login_required
@requires("webhooks.manage")
def endpoint(endpoint_id):
    endpoint = access.studio_endpoint(endpoint_id)
    return _endpoint_page(endpoint, EndpointForm(formdata=None, obj=endpoint))


@webhooks_bp.route("/<endpoint_id>/deliveries")
@login_required
@requires("webhooks.manage")
def deliveries(endpoint_id):
    """The delivery log alone (htmx: "Refresh" and the pages of the log)."""
    endpoint = access.studio_endpoint(endpoint_id)
    if not is_htmx():
        return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id,
                                page=request.args.get("page")))
    response = render_template("webhooks/_deliveries.html", endpoint=endpoint,
                               action_form=EmptyForm(), **_log(endpoint))
    return add_vary(make_response(response))


@webhooks_bp.route("/<endpoint_id>", methods=["POST"])
@login_required
@requires("webhooks.manage")
def update_endpoint(endpoint_id):
    endpoint = access.studio_endpoint(endpoint_id)
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            services.update_endpoint(current_studio(), current_user, endpoint, url=form.url.data,
                                     events=form.events.data, description=form.description.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("The endpoint is saved.", "success")
            return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))
    return _endpoint_page(endpoint, form, status=422)


def _action(endpoint_id, verb, message):
    endpoint = access.studio_endpoint(endpoint_id)
    if EmptyForm().validate_on_submit():
        verb(current_studio(), current_user, endpoint)
        flash(message.format(host=endpoint.host), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))


@webhooks_bp.route("/<endpoint_id>/test", methods=["POST"])
@login_required
@requires("webhooks.manage")
def send_test(endpoint_id):
    return _action(endpoint_id, services.send_test_event,
                   "A test event is on its way to {host}; it shows in the log below within a minute.")


@webhooks_bp.route("/<endpoint_id>/enable", methods=["POST"])
@login_required
@requires("webhooks.manage")
def enable(endpoint_id):
    return _action(endpoint_id, services.enable_endpoint, "The endpoint is enabled.")


@webhooks_bp.route("/<endpoint_id>/disable", methods=["POST"])
@login_required
@requires("webhooks.manage")
def disable(endpoint_id):
    return _action(endpoint_id, services.pause_endpoint,
                   "The endpoint is disabled: nothing is sent to it until you enable it.")


@webhooks_bp.route("/<endpoint_id>/secret", methods=["POST"])
@login_required
@requires("webhooks.manage")
def roll_secret(endpoint_id):
    return _action(endpoint_id, services.roll_secret,
                   "A new signing secret is in force: update your receiver.")


@webhooks_bp.route("/<endpoint_id>/delete", methods=["POST"])
@login_required
@requires("webhooks.manage")
def delete(endpoint_id):
    endpoint = access.studio_endpoint(endpoint_id)
    if EmptyForm().validate_on_submit():
        services.delete_endpoint(current_studio(), current_user, endpoint)
        flash(f"The endpoint {endpoint.host} is deleted.", "success")
        return redirect(url_for("webhooks.endpoints"))
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))


@webhooks_bp.route("/<endpoint_id>/deliveries/<delivery_id>/redeliver", methods=["POST"])
@login_required
@requires("webhooks.manage")
def redeliver(endpoint_id, delivery_id):
    endpoint = access.studio_endpoint(endpoint_id)
    delivery = access.endpoint_delivery(endpoint, delivery_id)
    if EmptyForm().validate_on_submit():
        services.redeliver(current_studio(), current_user, delivery)
        flash(f"The {delivery.event} event will be sent again within a minute.", "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))

