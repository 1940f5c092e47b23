"""JSON API: auth, the current user, studios, health."""
from flask import g
from flask.views import MethodView
from sqlalchemy import select, text

from app.accounts import authn, services
from app.accounts.models import Membership, Studio
from app.accounts.schemas import (
    HealthSchema,
    LoginResponseSchema,
    LoginSchema,
    PasswordChangeSchema,
    RefreshSchema,
    StudioSchema,
    StudioUpdateSchema,
    TokenPairSchema,
    UserSchema,
    UserUpdateSchema,
)
from app.core.api import Blueprint
from app.core.pagination import ListQuerySchema, apply_ordering, page_schema, paginate
from app.core.permissions import requires
from app.core.ratelimit import hit_login_limit
from app.core.schemas import ErrorSchema
from app.core.tenancy import api_login_required, current_studio
from app.extensions import db

PUBLIC = {"security": []}

auth_blp = Blueprint("Auth", __name__, url_prefix="/api/v1/auth", description="Sign in and tokens.")
users_blp = Blueprint("Users", __name__, url_prefix="/api/v1/users", description="The signed-in user.")
studios_blp = Blueprint(
    "Studios", __name__, url_prefix="/api/v1/studios", description="Studios you belong to."
)
health_blp = Blueprint("Health", __name__, url_prefix="/api/v1/health", description="Liveness.")

for _blp in (users_blp, studios_blp):
    _blp.before_request(api_login_required)


@auth_blp.route("/login")
class Login(MethodView):
    @auth_blp.doc(**PUBLIC)
    @auth_blp.arguments(LoginSchema)
    @auth_blp.response(200, LoginResponseSchema)
    @auth_blp.alt_response(401, schema=ErrorSchema, description="Email or password is not correct.")
    @auth_blp.alt_response(429, schema=ErrorSchema,
                           description="More than 10 attempts a minute for this IP and email.")
    def post(self, data):
        """Sign in with email and password; returns an access and a refresh token."""
        hit_login_limit(data["email"])
        return authn.login(data["email"], data["password"])


@auth_blp.route("/refresh")
class Refresh(MethodView):
    @auth_blp.doc(**PUBLIC)
    @auth_blp.arguments(RefreshSchema)
    @auth_blp.response(200, TokenPairSchema)
    @auth_blp.alt_response(401, schema=ErrorSchema,
                           description="The refresh token is invalid, expired, rotated or revoked.")
    def post(self, data):
        """Exchange a refresh token for a new pair. The presented token stops working."""
        return authn.refresh_tokens(data["refresh"])


@auth_blp.route("/logout")
class Logout(MethodView):
    @auth_blp.doc(**PUBLIC)
    @auth_blp.arguments(RefreshSchema)
    @auth_blp.response(204)
    @auth_blp.alt_response(401, schema=ErrorSchema, description="The refresh token is not valid.")
    def post(self, data):
        """Revoke a refresh token."""
        authn.logout(data["refresh"])


@users_blp.route("/me")
class Me(MethodView):
    @users_blp.response(200, UserSchema)
    def get(self):
        """Your profile, with your role in the current studio."""
        return g.api_principal.user

    @users_blp.arguments(UserUpdateSchema)
    @users_blp.response(200, UserSchema)
    def patch(self, data):
        """Change your name, email, phone, avatar or preferences."""
        return services.update_profile(g.api_principal.user, **data)


@users_blp.route("/me/password")
class MyPassword(MethodView):
    @users_blp.arguments(PasswordChangeSchema)
    @users_blp.response(204)
    def post(self, data):
        """Change your password. Every refresh token you hold is revoked."""
        services.change_password(g.api_principal.user, data["current_password"], data["new_password"])


StudioPageSchema = page_schema(StudioSchema)


@studios_blp.route("")
class Studios(MethodView):
    @studios_blp.arguments(ListQuerySchema, location="query")
    @studios_blp.response(200, StudioPageSchema)
    def get(self, args):
        """Studios you are an active member of. Send X-Studio-ID to act in another one."""
        stmt = (
            select(Studio).join(Membership)
            .where(Membership.user_id == g.api_principal.user.id, Membership.is_active.is_(True))
        )
        if args.get("search"):
            stmt = stmt.where(Studio.name.ilike(f"%{args['search']}%"))
        stmt = apply_ordering(stmt, Studio, args.get("ordering"),
                              {"name": Studio.name, "created_at": Studio.created_at}, "name")
        return paginate(stmt, args)


@studios_blp.route("/current")
class CurrentStudio(MethodView):
    @studios_blp.response(200, StudioSchema)
    def get(self):
        """The studio this request acts in (X-Studio-ID, or your first studio)."""
        return current_studio()

    @requires("studio.manage")
    @studios_blp.arguments(StudioUpdateSchema)
    @studios_blp.response(200, StudioSchema)
    @studios_blp.alt_response(403, schema=ErrorSchema, description="Only owners and admins may.")
    def patch(self, data):
        """Change the studio's name, locale, money and policy settings (owner/admin)."""
        fields = {**data.pop("settings", {}), **data}
        return services.update_studio(current_studio(), g.api_principal.user, **fields)


@health_blp.route("")
class Health(MethodView):
    @health_blp.doc(**PUBLIC)
    @health_blp.response(200, HealthSchema)
    @health_blp.alt_response(503, schema=HealthSchema, description="The database is unreachable.")
    def get(self):
        """Is the service up, and can it reach its database?"""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:
            db.session.rollback()
            return {"status": "error", "database": "error"}, 503
        return {"status": "ok", "database": "ok"}


blueprints = (auth_blp, users_blp, studios_blp, health_blp)
