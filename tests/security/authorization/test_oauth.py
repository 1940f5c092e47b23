"""Third-party apps: every route × every caller. Owners and admins register and manage the
studio's apps and see every authorization given in it; everyone connects an app of their own
studio and disconnects their own authorizations; another studio's apps and authorizations
are 404. /oauth/token and /oauth/revoke answer apps, not people: OAuth errors to everyone
who is not an authenticated app. The server's metadata is public."""
import pytest

from app.extensions import db
from tests.security.authorization.engine import (
    ALL,
    DONE,
    M,
    Row,
    cases,
    check,
    page,
)

CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
AUTHORIZE = ("/oauth/authorize?response_type=code&client_id={oauth_client_id}"
             "&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb&state=s&scope=read"
             f"&code_challenge={CHALLENGE}&code_challenge_method=S256")
NEW_APP = {"name": "Matrix app", "redirect_uris": "https://matrix.example.test/cb",
           "scopes": "read", "kind": "confidential"}
EDITED = {"name": "Renamed", "redirect_uris": "https://app.example.test/cb", "scopes": "read"}
EVERY_CALLER = ("owner", "admin", "teacher", "parent", "student", "other", "anonymous")


def _everyone(status):
    return dict.fromkeys(EVERY_CALLER, status)


ROWS = [
    Row("GET", AUTHORIZE, page(ALL, 200, other=403), label="an app of the studio"),
    Row("POST", AUTHORIZE, page(ALL, DONE, other=403), {"decision": "deny"}, label="deny"),
    Row("GET", "/oauth/authorize", page(ALL, 400, other=400), label="no client"),
    Row("GET", "/settings/apps", page(M, 200, other=200)),
    Row("POST", "/settings/apps", page(M, 201, other=201), NEW_APP),
    Row("POST", "/settings/apps", page(M, 422, other=422), {"name": ""}, label="invalid"),
    Row("GET", "/settings/apps/{oauth_app}", page(M, 200)),
    Row("POST", "/settings/apps/{oauth_app}", page(M, DONE), EDITED),
    Row("POST", "/settings/apps/{oauth_app}", page(M, 422), {"name": ""}, label="invalid"),
    Row("POST", "/settings/apps/{oauth_app}/rotate-secret", page(M, 200)),
    Row("POST", "/settings/apps/{new_oauth_app}/delete", page(M, DONE)),
    Row("POST", "/settings/apps/{missing}/delete", page((), hidden=M), label="unknown id"),
    Row("GET", "/settings/connected-apps", page(M, 200, other=200)),
    Row("POST", "/settings/connected-apps/{new_oauth_grant}/revoke", page(M, DONE)),
    Row("POST", "/account/apps/{new_own_oauth_grant}/revoke", page(ALL, DONE, other=DONE),
        label="one's own"),
    Row("POST", "/account/apps/{new_oauth_grant}/revoke",
        page((), hidden=ALL, admin=DONE), label="the admin's"),
    # Apps' endpoints: no session, no CSRF; without client credentials OAuth's errors.
    Row("POST", "/oauth/token", _everyone(400), label="no grant type"),
    Row("POST", "/oauth/revoke", _everyone(401), {"token": "cdz_at_x"}, label="no client"),
    Row("GET", "/.well-known/oauth-authorization-server", _everyone(200), label="public"),
]


@pytest.fixture(scope="module", autouse=True)
def oauth_app(matrix):
    """An app of the studio, registered once in the matrix's world."""
    import uuid

    from app.accounts.models import Studio, User
    from app.oauth import services

    world = matrix.world
    with matrix.app.test_request_context():
        studio = db.session.get(Studio, uuid.UUID(world.studio_id))
        admin = db.session.get(User, uuid.UUID(world.user_ids["admin"]))
        app, _secret = services.register_app(
            studio, admin, name="Matrix", redirect_uris=["https://app.example.test/cb"],
            scopes=["read"])
        world.ids.update(oauth_app=str(app.id), oauth_client_id=app.client_id)
        db.session.commit()
        db.session.remove()
    yield


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
