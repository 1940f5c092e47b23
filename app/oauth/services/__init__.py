"""The third-party app verbs. Services take plain values and the acting user and only flush;
the request commits (or rolls back) at the edge. Accounts read `principal_for_access_token`
to authenticate API requests made with an app's token."""
from app.oauth.services.apps import (
    app_by_client_id,
    apps_of,
    delete_app,
    register_app,
    rotate_secret,
    update_app,
)
from app.oauth.services.grants import (
    ACCESS_TOKEN_PREFIX,
    grants_in_studio,
    grants_of_user,
    revoke_grant,
)
from app.oauth.services.scopes import describe_scope, scope_choices, scopes_for_role
from app.oauth.services.tokens import principal_for_access_token

__all__ = [
    "ACCESS_TOKEN_PREFIX", "app_by_client_id", "apps_of", "delete_app", "describe_scope",
    "grants_in_studio", "grants_of_user", "principal_for_access_token", "register_app",
    "revoke_grant", "rotate_secret", "scope_choices", "scopes_for_role", "update_app",
]
