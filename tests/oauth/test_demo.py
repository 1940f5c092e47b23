"""`flask seed-demo` shows a registered app and a parent's connection to it, with tokens no
one holds."""
from sqlalchemy import select

from app.demo import seed
from app.extensions import db
from app.oauth.models import OAuthApp, OAuthGrant, OAuthToken
from tests.conftest import web_login


def test_the_demo_has_practice_buddy_connected_by_the_parent(app, ctx):
    studio = seed()
    db.session.commit()
    [registered] = db.session.scalars(select(OAuthApp).where(OAuthApp.studio_id == studio.id))
    assert registered.name == "Practice Buddy" and registered.secret_hash
    [grant] = db.session.scalars(select(OAuthGrant).where(OAuthGrant.app_id == registered.id))
    assert grant.user.email == "parent@demo.test" and grant.is_live
    assert set(grant.scopes.split()) <= {"scheduling:read", "teaching:read"} and grant.scopes
    assert db.session.scalar(select(OAuthToken).where(OAuthToken.grant_id == grant.id))

    client = app.test_client()
    web_login(client, "admin@demo.test", "demo-password")
    page = client.get("/settings/connected-apps").get_data(as_text=True)
    assert "Practice Buddy" in page and "Paula Bennett" in page
