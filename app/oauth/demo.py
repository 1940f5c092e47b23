"""A demo third-party app for Harmony Music Studio: "Practice Buddy", registered by the admin,
which the demo parent has connected (Studio → Apps and Connected apps, and the parent's
profile, show it). Its secret and tokens are thrown away: nothing can use them."""
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Membership, User
from app.core.db import utcnow
from app.extensions import db
from app.oauth.models import OAuthGrant
from app.oauth.services import apps
from app.oauth.services import grants as grant_store
from app.oauth.services.scopes import scopes_for_role


def _member(studio, email):
    return db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.studio_id == studio.id, User.email == email))


def seed_oauth(studio):
    admin, parent = _member(studio, "admin@demo.test"), _member(studio, "parent@demo.test")
    app, _secret = apps.register_app(
        studio, admin, name="Practice Buddy",
        redirect_uris=["https://practicebuddy.example.com/oauth/callback"],
        scopes=["scheduling:read", "teaching:read"])
    connected = utcnow() - timedelta(days=9)
    grant = OAuthGrant(studio_id=studio.id, app_id=app.id, user_id=parent.id,
                       scopes=" ".join(scopes_for_role(app.scopes.split(), "parent")),
                       created_at=connected, last_used_at=utcnow() - timedelta(hours=5))
    db.session.add(grant)
    db.session.flush()
    grant_store.store_tokens(grant, grant_store.new_access_token(),
                             grant_store.new_refresh_token(), grant.scopes)
    db.session.flush()
    return app
