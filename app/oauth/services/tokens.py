"""Who an API request made with an app's access token acts as: Authlib's resource protector
reads the bearer token, and the token's grant says who, where and with which scopes."""
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenValidator

from app.core.tenancy import Principal
from app.oauth.services import grants


class AccessTokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        return grants.token_by_access(token_string)


resource_protector = ResourceProtector()
resource_protector.register_token_validator(AccessTokenValidator())


def principal_for_access_token():
    """The Principal of the request's `Authorization: Bearer cdz_at_…`: the user who
    authorized the app, in the app's studio, with their role there narrowed by the granted
    scopes. None when the token is unknown, expired or revoked, or the user is no longer an
    active member of the studio."""
    try:
        token = resource_protector.acquire_token()
    except OAuth2Error:
        return None
    parts = grants.principal_parts(token)
    if parts is None:
        return None
    user, studio, role, scopes = parts
    return Principal(user=user, studio=studio, role=role, scopes=scopes,
                     app_grant_id=token.grant_id)
