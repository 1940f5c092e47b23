"""Loaders the pages use: an app or an authorization the caller may act on, else 404 (another
studio's, someone else's, revoked or malformed ids alike)."""
from app.core.errors import NotFound
from app.core.tenancy import parse_uuid
from app.extensions import db
from app.oauth.models import OAuthApp, OAuthGrant


def _get(model, object_id):
    parsed = parse_uuid(object_id)
    return db.session.get(model, parsed) if parsed else None


def studio_grant_or_404(studio, grant_id):
    grant = _get(OAuthGrant, grant_id)
    if grant is None or grant.studio_id != studio.id or grant.revoked_at is not None:
        raise NotFound("Authorization not found.")
    return grant


def own_grant_or_404(user, grant_id):
    grant = _get(OAuthGrant, grant_id)
    if grant is None or grant.user_id != user.id or grant.revoked_at is not None:
        raise NotFound("Authorization not found.")
    return grant


def studio_app_or_404(studio, app_id):
    app = _get(OAuthApp, app_id)
    if app is None or app.studio_id != studio.id:
        raise NotFound("App not found.")
    return app
