"""The application factory.

It imports the rest of the app inside its functions, on purpose: this file is the `app`
package's own module, run before any `app.*` module loads, so imports at its top would load
every domain whenever one module (a model, a test helper) is imported, and would run into
the half-loaded modules of that import. Everything else imports at the top of its module.
"""
import logging
import re
import uuid
from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user

from config import INSTANCE_DIR, config_for

ROOT = Path(__file__).resolve().parent.parent
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

STRICT_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config_name=None, **overrides):
    config = config_for(config_name)
    app = Flask(
        __name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config)
    app.config.update(overrides)
    from app.core.api import JSONProvider

    app.json = JSONProvider(app)
    app.json.sort_keys = False  # keep schema field order (id first)
    if hasattr(config, "validate"):
        config.validate(app.config.get("SECRET_KEY"))  # the key in force, overrides included
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault("JWT_SECRET_KEY", app.config["SECRET_KEY"])
    from app.core.ratelimit_storage import storage_uri

    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("REDIS_URL")))
    logging.basicConfig(level=logging.INFO)

    _register_request_id(app)
    _init_extensions(app)
    _register_web(app)
    _register_api(app)
    _register_email_attachments()
    from app.core.errors import register_error_handlers

    register_error_handlers(app)
    _register_unit_of_work(app)
    from app import cli

    cli.register(app)
    return app


def _register_request_id(app):
    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id") or uuid.uuid4().hex
        return response


def _init_extensions(app):
    from app.extensions import csrf, db, jwt, limiter, login_manager, migrate, talisman

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    jwt.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app, content_security_policy=STRICT_CSP, force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True, frame_options="DENY",
        strict_transport_security=app.config["FORCE_HTTPS"],
        referrer_policy="strict-origin-when-cross-origin",
    )
    _import_models()  # first: the jobs' modules build queries over every model
    from app import jobs
    from app.accounts.services.sign_ins import signed_in_user

    jobs.init_app(app)

    @login_manager.user_loader
    def load_user(sign_in_id):
        return signed_in_user(sign_in_id, "browser", ip=request.remote_addr or "")


def _import_models():
    """Every model module, so metadata (and Alembic) sees all tables; core's versions learn
    which tables list the studios and the memberships."""
    from app.accounts.models import Membership, Studio
    from app.billing import models as _billing  # noqa: F401
    from app.core import audit as _audit  # noqa: F401
    from app.core import files as _files  # noqa: F401
    from app.core import idempotency as _idempotency  # noqa: F401
    from app.core import jobs as _jobs  # noqa: F401
    from app.core import ratelimit_storage as _ratelimit_storage  # noqa: F401
    from app.core import versions as _versions  # noqa: F401
    from app.developer import models as _developer  # noqa: F401
    from app.inventory import models as _inventory  # noqa: F401
    from app.library import models as _library  # noqa: F401
    from app.messaging import models as _messaging  # noqa: F401
    from app.oauth import models as _oauth  # noqa: F401
    from app.people import hooks as _people_hooks  # noqa: F401
    from app.people import models as _people  # noqa: F401
    from app.scheduling import models as _scheduling  # noqa: F401
    from app.teaching import models as _teaching  # noqa: F401
    from app.webhooks import models as _webhooks  # noqa: F401

    _versions.register_studio_tables(studios=Studio.__table__, memberships=Membership.__table__)


def _register_web(app):
    from app.accounts.services import membership_for
    from app.accounts.views import account_bp, auth_bp, settings_bp
    from app.billing.views import billing_bp
    from app.core import formatting
    from app.core.docs import docs_bp
    from app.core.errors import is_api_request
    from app.core.job_views import jobs_bp
    from app.core.navigation import nav_sections
    from app.core.permissions import ROLE_LABELS, can
    from app.core.tenancy import Principal, current_principal, parse_uuid
    from app.dashboard.views import dashboard_bp
    from app.developer.views import developer_bp
    from app.extensions import csrf
    from app.inventory.views import inventory_bp
    from app.library.views import library_bp
    from app.messaging.views import messaging_bp
    from app.oauth import server as oauth_server
    from app.oauth.endpoints import oauth_endpoints_bp
    from app.oauth.views import oauth_pages_bp
    from app.people.views import people_bp
    from app.scheduling.views import scheduling_bp
    from app.teaching.views import teaching_bp
    from app.webhooks.views import webhooks_bp

    for blueprint in (auth_bp, account_bp, settings_bp, dashboard_bp, docs_bp, jobs_bp, people_bp,
                      scheduling_bp, teaching_bp, billing_bp, inventory_bp, library_bp, messaging_bp,
                      developer_bp, webhooks_bp, oauth_pages_bp, oauth_endpoints_bp):
        app.register_blueprint(blueprint)
    oauth_server.init_app(app)
    csrf.exempt(oauth_endpoints_bp)  # apps authenticate with client credentials, no cookies
    formatting.register(app)

    @app.before_request
    def refuse_nul_bytes():
        """Pages read query and form text straight into queries; the API's schemas refuse
        NUL bytes themselves."""
        if not is_api_request():
            from app.core.validation import without_nul

            without_nul(request.args.items(multi=True))
            without_nul(request.form.items(multi=True))

    @app.before_request
    def load_web_principal():
        if is_api_request() or request.endpoint == "static" or not current_user.is_authenticated:
            return
        user = current_user._get_current_object()
        membership = (membership_for(user, parse_uuid(session.get("studio_id")))
                      or membership_for(user))
        g.web_principal = Principal(
            user=user, studio=membership.studio if membership else None,
            role=membership.role if membership else None,
        )

    @app.context_processor
    def inject_shell():
        # Emails are rendered by the worker too, outside any request: no principal there.
        principal = current_principal() if has_request_context() and not is_api_request() else None
        return {
            "can": can, "principal": principal, "nav_sections": nav_sections if principal else list,
            "role_labels": ROLE_LABELS,
        }


def _register_api(app):
    from app.accounts.api import blueprints as account_blueprints
    from app.accounts.authn import authenticate_api_request
    from app.accounts.sign_in_alerts import warn_of_failed_sign_ins
    from app.billing.api import blueprints as billing_blueprints
    from app.core.api import register_security_schemes
    from app.core.job_api import jobs_blp
    from app.core.ratelimit import alert_failed_sign_ins_with
    from app.core.sync import document_lists
    from app.core.tenancy import authenticate_api_requests_with
    from app.developer.api import blueprints as developer_blueprints
    from app.extensions import api, csrf
    from app.inventory.api import blueprints as inventory_blueprints
    from app.library.api import blueprints as library_blueprints
    from app.messaging.api import blueprints as messaging_blueprints
    from app.people.api import blueprints as people_blueprints
    from app.scheduling.api import blueprints as scheduling_blueprints
    from app.teaching.api import blueprints as teaching_blueprints
    from app.webhooks.api import blueprints as webhook_blueprints

    api.init_app(app, spec_kwargs={
        "info": {"description": API_DESCRIPTION},
        "servers": [{"url": "/", "description": "This server"}],
    })
    register_security_schemes(api)
    authenticate_api_requests_with(authenticate_api_request)
    alert_failed_sign_ins_with(warn_of_failed_sign_ins)
    for blueprint in (*account_blueprints, *people_blueprints, *scheduling_blueprints,
                      *teaching_blueprints, *billing_blueprints, *inventory_blueprints,
                      *library_blueprints, *messaging_blueprints, *developer_blueprints,
                      *webhook_blueprints, jobs_blp):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # token-authenticated, no cookies to forge
    document_lists(api.spec)  # every list's 400 names the `updated_since` rule (core.sync)


def _register_email_attachments():
    """What the outbox attaches when it sends an email: an invoice's PDF."""
    from app.billing.services import INVOICE_PDF, invoice_pdf_attachment
    from app.messaging.services import register_attachment

    register_attachment(INVOICE_PDF, invoice_pdf_attachment)


def _register_unit_of_work(app):
    """One commit per request, at the edge: successful requests commit; failed ones (an error
    status, or a DomainError met on the way, even one a view caught) roll back."""
    from app.core.errors import request_failed
    from app.extensions import db

    @app.after_request
    def commit_or_rollback(response):
        if response.status_code < 400 and not request_failed():
            db.session.commit()
        else:
            db.session.rollback()
        return response


API_DESCRIPTION = """
The Cadenza JSON API. Every response carries `X-Request-ID`; errors share one body
`{detail, code, field_errors, request_id}`.

**Authentication**: `POST /api/v1/auth/login` returns an access token (15 minutes) and a
refresh token (14 days, rotated on each use). Send `Authorization: Bearer <access>`.
Requests act in your first studio; send `X-Studio-ID: <studio id>` to act in another one
(a studio you do not belong to answers 404).

**API keys**: owners and admins make them in Settings → API keys or with
`POST /api/v1/api-keys` (the secret is in that answer only). Send one as `X-API-Key: <key>` or
`Authorization: Bearer <key>`. A key acts in its own studio (an `X-Studio-ID` of another
answers 404) as an admin limited to its scopes: `read` and `write` for every area, or
`<area>:read` and `<area>:write` for one (`studio`, `people`, `scheduling`, `teaching`,
`billing`, `inventory`, `library`, `messaging`); `write` implies `read`, and anything else
answers 403. A key has no profile, inbox, bell or calendar feed, and cannot manage keys.
Unknown, expired and revoked keys answer 401; revoking takes effect on the next request.

**Lists** take `page` and `page_size` (max 100) and answer `{count, next, previous, results}`.

**Formats**: datetimes are ISO 8601 UTC with `Z`; dates `YYYY-MM-DD`; money and percentages
are strings with two decimals (`"216.00"`, `"8.25"`).

**Revalidation**: every GET that answers JSON carries an `ETag` and
`Cache-Control: private, no-cache`. Send the ETag back in `If-None-Match`: while the answer
is unchanged it is `304 Not Modified` with no body (polling a list costs next to nothing).

**Concurrent edits**: send an object's ETag as `If-Match` on its PATCH, PUT or DELETE; if the
object changed since you read it, the answer is `412 PRECONDITION_FAILED` and nothing changes.

**Retries**: a POST that creates takes `Idempotency-Key` (1-255 characters, yours alone, kept
24 hours): a retry with the same key and body answers the first success again and creates
nothing; the same key with another request, or while the first still runs, answers 409.

**Rate limits**: 1000 requests/hour per user or per API key (each key has its own budget),
100/hour per client address for anonymous requests. Sign-in counts failures: 10 a minute per
email and client address, 50 in 10 minutes per address; sign-ins that succeed are not counted.
Every server process counts against the same budget. See the `X-RateLimit-*` headers; a 429
`RATE_LIMITED` answer carries `Retry-After` (seconds).
""".strip()
