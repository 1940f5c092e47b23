"""JSON API: auth, the current user, studios, health."""
from flask import g, request
from flask.views import MethodView
from sqlalchemy import select, text

from app.accounts import authn, services
from app.accounts.models import Membership, Studio
from app.accounts.schemas import (
    HealthSchema,
    LoginResponseSchema,
    LoginSchema,
    PasswordChangeSchema,
    PasswordResetConfirmSchema,
    PasswordResetRequestedSchema,
    PasswordResetRequestSchema,
    RefreshSchema,
    StudioListQuerySchema,
    StudioSchema,
    StudioUpdateSchema,
    TokenPairSchema,
    UserSchema,
    UserUpdateSchema,
)
from app.core.api import Blueprint, refused_when
from app.core.pagination import apply_ordering, page_schema, paginate
from app.core.permissions import requires
from app.core.ratelimit import login_attempt, password_reset_attempt
from app.core.schemas import ErrorSchema
from app.core.search import matches
from app.core.tenancy import api_login_required, current_studio, refuse_api_keys
from app.extensions import db
from app.messaging import services as messaging

PUBLIC = {"security": []}

auth_blp = Blueprint("Auth", __name__, url_prefix="/api/v1/auth", description="Sign in and tokens.")
users_blp = Blueprint("Users", __name__, url_prefix="/api/v1/users", description="The signed-in user.")
studios_blp = Blueprint(
    "Studios", __name__, url_prefix="/api/v1/studios", description="Studios you belong to."
)
# Load balancers poll it: exempt from rate limits.
health_blp = Blueprint("Health", __name__, url_prefix="/api/v1/health", description="Liveness.",
                       rate_limited=False)

for _blp in (users_blp, studios_blp):
    _blp.before_request(api_login_required)
users_blp.before_request(refuse_api_keys)  # a key acts for its studio, not as a person


@auth_blp.route("/login")
class Login(MethodView):
    @auth_blp.doc(**PUBLIC)
    @auth_blp.arguments(LoginSchema)
    @auth_blp.response(200, LoginResponseSchema)
    @auth_blp.alt_response(401, schema=ErrorSchema, description="Email or password is not correct.")
    @auth_blp.alt_response(429, schema=ErrorSchema, description=(
        "Too many failed sign-ins from this client address: 10 a minute for this email, or 50 "
        "in 10 minutes whatever the email. `Retry-After` gives the seconds to wait."))
    def post(self, data):
        """Sign in with email and password; returns an access and a refresh token.

        Failed sign-ins are limited per client address: 10 a minute for one email and 50 in
        10 minutes for all emails together. Over either limit the answer is 429
        `RATE_LIMITED` with `Retry-After`, whatever the password, until the window ends;
        sign-ins that succeed are not counted, and failures from other addresses never block
        yours. After 10 failures in an hour the account's owner is emailed. The counters are
        shared by every server process (Redis, or the database).
        """
        with login_attempt(data["email"]):
            return authn.login(data["email"], data["password"])


@auth_blp.route("/refresh")
class Refresh(MethodView):
    @auth_blp.doc(**PUBLIC)
    @auth_blp.arguments(RefreshSchema)
    @auth_blp.response(200, TokenPairSchema)
    @auth_blp.alt_response(401, schema=ErrorSchema,
                           description="The refresh token is invalid, expired, rotated or revoked.")
    def post(self, data):
        """Exchange a refresh token for a new pair. The presented token stops working.

        A refresh token rotates once: of simultaneous calls with the same token exactly one
        succeeds. Presenting a rotated token again is taken as theft: the sign-in ends and
        every token of it, the newest pair included, answers 401 from then on."""
        return authn.refresh_tokens(data["refresh"])


@auth_blp.route("/logout")
class Logout(MethodView):
    @auth_blp.doc(**PUBLIC)
    @auth_blp.arguments(RefreshSchema)
    @auth_blp.response(204)
    @auth_blp.alt_response(401, schema=ErrorSchema, description="The refresh token is not valid.")
    def post(self, data):
        """Sign out: revoke the refresh token and every access token issued with it.

        The sign-in the token belongs to (the login that issued it and all its rotations)
        ends at once: its refresh token and its access tokens answer 401 on the next request,
        without waiting for the access token to expire. Other sign-ins of the same user
        (other devices, other logins) keep working. Changing the password, or "Sign out
        everywhere" on the profile page, ends them all."""
        authn.logout(data["refresh"])


@auth_blp.route("/password-reset")
class PasswordReset(MethodView):
    @auth_blp.doc(**PUBLIC)
    @auth_blp.arguments(PasswordResetRequestSchema)
    @auth_blp.response(202, PasswordResetRequestedSchema)
    @auth_blp.alt_response(429, schema=ErrorSchema, description=(
        "Too many reset requests from this client address: 5 an hour for one email, or 20 an "
        "hour whatever the email. `Retry-After` gives the seconds to wait."))
    def post(self, data):
        """Email a link to choose a new password.

        The answer is 202 whether or not the email has an account, so it cannot be used to
        find out who has one. An active account gets an email with a link that works once,
        for one hour; asking again sends another link, and the earlier ones keep working until
        one of them is used. Requests are limited per client address (5 an hour for one email,
        20 an hour in all), counted whether or not the email has an account."""
        password_reset_attempt(data["email"])
        services.request_password_reset(data["email"], ip=request.remote_addr or "")
        return {"detail": services.PASSWORD_RESET_SENT}


@auth_blp.route("/password-reset/confirm")
class PasswordResetConfirm(MethodView):
    @auth_blp.doc(**PUBLIC)
    @auth_blp.arguments(PasswordResetConfirmSchema)
    @auth_blp.response(204)
    @auth_blp.alt_response(400, **refused_when(
        "`token` is not a live reset link: unknown, used already, or expired.",
        "`password` is shorter than 8 characters or equals the account's email."))
    def post(self, data):
        """Set a new password with the token of an emailed reset link.

        The token works once: it stops working when used, when it expires (one hour), or when
        the password changes in any other way. Every sign-in of the account ends: its browser
        sessions, refresh tokens and access tokens answer 401 from then on. Sign in again with
        `POST /auth/login`."""
        services.reset_password(data["token"], data["password"])


@users_blp.route("/me")
class Me(MethodView):
    @users_blp.response(200, UserSchema)
    def get(self):
        """Your profile, with your role in the current studio."""
        return g.api_principal.user

    @users_blp.arguments(UserUpdateSchema)
    @users_blp.response(200, UserSchema)
    @users_blp.alt_response(400, **refused_when(
        "`email` belongs to another account.",
        "`avatar` is not an http:// or https:// address with a host; `preferences.timezone` is not "
        "an IANA time zone of a place.",
        "`notification_preferences` names a type that is not chosen by email."))
    def patch(self, data):
        """Change your profile and preferences.

        Name, email, phone, avatar, preferences, and which notifications also come by email
        (`notification_preferences`)."""
        user = g.api_principal.user
        choices = data.pop("notification_preferences", None)
        if choices:
            messaging.set_email_preferences(
                user, {kind: choice["email"] for kind, choice in choices.items()})
        return services.update_profile(user, **data)


@users_blp.route("/me/password")
class MyPassword(MethodView):
    @users_blp.arguments(PasswordChangeSchema)
    @users_blp.response(204)
    @users_blp.alt_response(400, **refused_when(
        "`current_password` is not your password.",
        "`new_password` is shorter than 8 characters or equals your email."))
    def post(self, data):
        """Change your password. Every sign-in of yours ends: all refresh and access tokens
        (this one included) and every browser session answer 401 from then on."""
        services.change_password(g.api_principal.user, data["current_password"], data["new_password"])


StudioPageSchema = page_schema(StudioSchema)


@studios_blp.route("")
class Studios(MethodView):
    @studios_blp.arguments(StudioListQuerySchema, location="query")
    @studios_blp.response(200, StudioPageSchema)
    def get(self, args):
        """Studios you are an active member of. Send X-Studio-ID to act in another one."""
        stmt = (
            select(Studio).join(Membership)
            .where(Membership.user_id == g.api_principal.user.id, Membership.is_active.is_(True))
        )
        if g.api_principal.api_key_id:  # a key knows its own studio only
            stmt = stmt.where(Studio.id == g.api_principal.studio.id)
        if args.get("search"):
            stmt = stmt.where(matches(args["search"], Studio.search_text))
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
    @studios_blp.alt_response(400, **refused_when(
        "`timezone` is not an IANA zone, `currency` not an ISO 4217 code, `locale` not a"
        " locale Cadenza formats in (like en_US).",
        "`tax_rate` is outside 0-100; `late_fee` is negative.",
        "`name`, `invoice_prefix`, `invoice_due_days`, `billing_mode`,"
        " `cancellation_notice_hours`, `makeup_credit_expiry_days`,"
        " `makeup_credits_enabled`, `lesson_buffer_minutes`, `reminder_lead_hours`, `classmate_names` or"
        " `teachers_see_all_students` hold a value a studio cannot use; an address part,"
        " `tax_id` or `payment_instructions` is too long"
        " (a blank name, a prefix with spaces, a number out of range); nested `settings` keys"
        " are named as `settings.<key>`."))
    @studios_blp.alt_response(403, schema=ErrorSchema, description="Only owners and admins may.")
    def patch(self, data):
        """Change the studio's settings (owner/admin).

        Its name, locale, money and policy settings, and the details its invoices print
        (address, tax id, payment instructions)."""
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
