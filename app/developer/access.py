"""Loaders of API keys for the pages and the API: one of the current studio's keys, or 404."""
from app.core.tenancy import get_or_404
from app.developer.models import ApiKey


def studio_api_key(key_id):
    return get_or_404(ApiKey, key_id)
