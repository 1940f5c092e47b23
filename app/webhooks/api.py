"""JSON API: /api/v1/webhooks (+ deliveries, test, redeliver, secret).

Owners and admins only (`webhooks.manage`), also through an API key with the `write` or
`studio:write` scope; another studio's ids answer 404. The description of the tag says what
a receiver gets and how to check it.
"""
from flask import g
from flask.views import MethodView

from app.core.api import Blueprint, loads, refused_when
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.core.tenancy import api_login_required, current_studio, scoped
from app.core.webhook_events import EVENT_AREAS
from app.webhooks import access, services
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.schemas import (
    DeliveryListQuerySchema,
    DeliveryPageSchema,
    DeliverySchema,
    WebhookCreateSchema,
    WebhookListQuerySchema,
    WebhookPageSchema,
    WebhookSchema,
    WebhookUpdateSchema,
    WebhookWithSecretSchema,
)

NOT_FOUND = {"description": "Not in your studio."}
FORBIDDEN = {"description": "Only owners and admins manage webhooks."}
URL_RULES = ("`url` is not http(s), or its host is localhost or a loopback, private, "
             "link-local, multicast, reserved or unspecified address; `events` names an "
             "unknown event.")


def _event_list():
    return "\n".join(f"- `{name}`: {text}" for area in EVENT_AREAS.values()
                     for name, text in area.items())


DESCRIPTION = f"""
Endpoints the studio's events are POSTed to, and the log of those deliveries.

**Body** (JSON): `{{"id", "event", "created_at", "data"}}`. `id` is the event's id: the same
in a retry or a redelivery, so deduplicate on it. `data` is a stable subset of the object
(ids, status, times, money as strings), not the whole API answer: fetch the object for more.
The test event is `webhook.test`.

**Signature**: every request carries `X-Cadenza-Signature: t=<unix time>,v1=<hex>`, where
`<hex>` is the HMAC-SHA256, keyed with the endpoint's secret, of `<t>.<raw body>`. Recompute it
over the bytes you received, compare in constant time, and refuse a `t` more than 5 minutes
(300 s) from your clock (the replay window). Also sent: `X-Cadenza-Event`,
`X-Cadenza-Delivery` (the delivery's id).

**Delivery**: a 2xx answer within 10 seconds is a success; anything else (a 3xx too:
redirects are not followed) is retried after 1 min, 5, 25, 2 h, 6 h, 12 h and 24 h (8
attempts), then given up. Events of one object arrive in the order they happened: a later
one waits while an earlier one is being retried. An endpoint that has failed every attempt for
3 days is disabled and the studio's owners and admins are emailed; PATCH `is_active: true`
enables it again. Each attempt is logged: status, response code, time, the first kilobyte of
the answer. `POST /webhooks/{{id}}/deliveries/{{delivery_id}}/redeliver` sends one event again.

**Addresses**: http or https; hosts that are localhost or resolve to loopback, private,
link-local, multicast, reserved or unspecified addresses are refused (400 when saved, a failed
attempt at delivery, where every resolved address is checked and the connection goes to the
checked one).

**Events**:
{_event_list()}
""".strip()

webhooks_blp = Blueprint("Webhooks", __name__, url_prefix="/api/v1/webhooks",
                         description=DESCRIPTION)
webhooks_blp.before_request(api_login_required)
blueprints = (webhooks_blp,)

ORDERING = {"created_at": WebhookEndpoint.created_at, "url": WebhookEndpoint.url}


def _actor():
    return g.api_principal.user


@webhooks_blp.route("")
class Webhooks(MethodView):
    @requires("webhooks.manage")
    @webhooks_blp.arguments(WebhookListQuerySchema, location="query")
    @webhooks_blp.response(200, WebhookPageSchema)
    @webhooks_blp.alt_response(403, **FORBIDDEN)
    def get(self, args):
        """List the studio's webhook endpoints (filter: is_active; search in URL and
        description)."""
        stmt = scoped(WebhookEndpoint)
        if args.get("is_active") is not None:
            stmt = stmt.where(WebhookEndpoint.is_active.is_(args["is_active"]))
        if args.get("search"):
            pattern = f"%{args['search']}%"
            stmt = stmt.where(WebhookEndpoint.url.ilike(pattern)
                              | WebhookEndpoint.description.ilike(pattern))
        stmt = apply_created_range(stmt, WebhookEndpoint, args)
        stmt = apply_ordering(stmt, WebhookEndpoint, args.get("ordering"), ORDERING, "created_at")
        return paginate(stmt, args)

    @requires("webhooks.manage")
    @webhooks_blp.arguments(WebhookCreateSchema)
    @webhooks_blp.response(201, WebhookWithSecretSchema)
    @webhooks_blp.alt_response(400, **refused_when(URL_RULES))
    @webhooks_blp.alt_response(403, **FORBIDDEN)
    @webhooks_blp.alt_response(409, description="The studio has the most endpoints it may (20).")
    def post(self, data):
        """Add an endpoint; the answer holds its signing `secret`."""
        return services.create_endpoint(current_studio(), _actor(), **data)


@webhooks_blp.route("/<uuid:endpoint_id>")
class Webhook(MethodView):
    @requires("webhooks.manage")
    @loads("endpoint", access.studio_endpoint)
    @webhooks_blp.response(200, WebhookSchema)
    @webhooks_blp.alt_response(403, **FORBIDDEN)
    @webhooks_blp.alt_response(404, **NOT_FOUND)
    def get(self, endpoint):
        """One endpoint (without its secret)."""
        return endpoint

    @requires("webhooks.manage")
    @loads("endpoint", access.studio_endpoint)
    @webhooks_blp.arguments(WebhookUpdateSchema)
    @webhooks_blp.response(200, WebhookSchema)
    @webhooks_blp.alt_response(400, **refused_when(URL_RULES))
    @webhooks_blp.alt_response(403, **FORBIDDEN)
    @webhooks_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, endpoint):
        """Change the URL, events or description; `is_active` disables or enables it."""
        return services.update_endpoint(current_studio(), _actor(), endpoint, **data)

    @requires("webhooks.manage")
    @loads("endpoint", access.studio_endpoint)
    @webhooks_blp.response(204)
    @webhooks_blp.alt_response(403, **FORBIDDEN)
    @webhooks_blp.alt_response(404, **NOT_FOUND)
    def delete(self, endpoint):
        """Delete the endpoint with its delivery log; nothing more is sent to it."""
        services.delete_endpoint(current_studio(), _actor(), endpoint)


@webhooks_blp.route("/<uuid:endpoint_id>/secret")
class WebhookSecret(MethodView):
    @requires("webhooks.manage")
    @loads("endpoint", access.studio_endpoint)
    @webhooks_blp.response(200, WebhookWithSecretSchema)
    @webhooks_blp.alt_response(403, **FORBIDDEN)
    @webhooks_blp.alt_response(404, **NOT_FOUND)
    def post(self, endpoint):
        """Roll the signing secret: a new one signs from now on, the answer holds it."""
        return services.roll_secret(current_studio(), _actor(), endpoint)


@webhooks_blp.route("/<uuid:endpoint_id>/deliveries")
class Deliveries(MethodView):
    @requires("webhooks.manage")
    @loads("endpoint", access.studio_endpoint)
    @webhooks_blp.arguments(DeliveryListQuerySchema, location="query")
    @webhooks_blp.response(200, DeliveryPageSchema)
    @webhooks_blp.alt_response(403, **FORBIDDEN)
    @webhooks_blp.alt_response(404, **NOT_FOUND)
    def get(self, args, endpoint):
        """The endpoint's deliveries, newest first.

        Filters: status, event; search in the event name. Each has its status, the last
        response code, time and body excerpt, attempts, the next attempt. Finished deliveries
        are kept for 30 days."""
        stmt = services.deliveries_of(endpoint)
        if args.get("status"):
            stmt = stmt.where(WebhookDelivery.status == args["status"])
        if args.get("event"):
            stmt = stmt.where(WebhookDelivery.event == args["event"])
        if args.get("search"):
            stmt = stmt.where(WebhookDelivery.event.ilike(f"%{args['search']}%"))
        stmt = apply_created_range(stmt, WebhookDelivery, args)
        if args.get("ordering") == "created_at":
            stmt = stmt.order_by(None).order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        return paginate(stmt, args)


@webhooks_blp.route("/<uuid:endpoint_id>/test")
class WebhookTest(MethodView):
    @requires("webhooks.manage")
    @loads("endpoint", access.studio_endpoint)
    @webhooks_blp.response(201, DeliverySchema)
    @webhooks_blp.alt_response(403, **FORBIDDEN)
    @webhooks_blp.alt_response(404, **NOT_FOUND)
    def post(self, endpoint):
        """Send a `webhook.test` event to this endpoint (also a disabled one).

        Answers the new delivery, which the worker sends within a minute."""
        return services.send_test_event(current_studio(), _actor(), endpoint)


@webhooks_blp.route("/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/redeliver")
class Redeliver(MethodView):
    @requires("webhooks.manage")
    @loads("endpoint", access.studio_endpoint)
    @webhooks_blp.response(201, DeliverySchema)
    @webhooks_blp.alt_response(403, **FORBIDDEN)
    @webhooks_blp.alt_response(404, **NOT_FOUND)
    def post(self, endpoint, delivery_id):
        """Send this delivery's event again, as a new delivery (same body and event `id`)."""
        delivery = access.endpoint_delivery(endpoint, delivery_id)
        return services.redeliver(current_studio(), _actor(), delivery)
