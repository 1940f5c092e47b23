"""Loaders: the endpoint or delivery of the current studio named in a URL, else 404. Pages
and the API check `webhooks.manage` before they load."""
from sqlalchemy import select

from app.core.errors import NotFound
from app.core.tenancy import current_studio, get_or_404, parse_uuid
from app.extensions import db
from app.webhooks.models import WebhookDelivery, WebhookEndpoint


def studio_endpoint(endpoint_id):
    return get_or_404(WebhookEndpoint, endpoint_id)


def endpoint_delivery(endpoint, delivery_id):
    parsed = parse_uuid(delivery_id)
    delivery = db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.studio_id == current_studio().id,
        WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.id == parsed)) if parsed else None
    if delivery is None:
        raise NotFound("WebhookDelivery not found.")
    return delivery
