"""What the developer platform offers the other domains: finding the API key a request
presents (accounts' API authentication)."""
from app.developer.services.api_keys import (
    KEY_PREFIX,
    authenticate_api_key,
    create_api_key,
    end_of_day,
    is_api_key,
    last_day,
    list_api_keys,
    revoke_api_key,
    studio_api_keys,
)

__all__ = [
    "KEY_PREFIX", "is_api_key", "authenticate_api_key", "create_api_key", "end_of_day",
    "last_day", "list_api_keys",
    "revoke_api_key", "studio_api_keys",
]
