"""flask-smorest glue: our Api and Blueprint (400 for validation), spec security, conditional
GETs (ETag, 304) for every API read, the one way request bodies are read as JSON, and the
input rules every schema keeps, said in the document."""
from functools import wraps

from flask import request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import fields
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from app.core import idempotency, preconditions, validation
from app.core.errors import ValidationFailed
from app.core.openapi import STUDIO_HEADER, STUDIO_HEADER_PARAMETER, OperationRules
from app.core.ratelimit import limiter
from app.core.schemas import NO_NUL_PATTERN, YEAR_PATTERN, ErrorSchema


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading through core.validation.json_document: a body nested too deep
    or holding a lone surrogate is a ValueError, which Flask answers with a 400."""

    def loads(self, s, **kwargs):
        return validation.json_document(s)


class Api(SmorestApi):
    """Documents our error body (errors.error_body) for every error response in the spec,
    and the supported years on every date a client sends."""

    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app, *args, spec_kwargs=None, **kwargs):
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs["extra_plugins"] = [*spec_kwargs.get("extra_plugins", ()),
                                        OperationRules(unlimited=Blueprint.UNLIMITED)]
        super().init_app(app, *args, spec_kwargs=spec_kwargs, **kwargs)
        app.after_request(revalidated)
        self.ma_plugin.converter.add_attribute_function(document_input_rules)
        self.spec.components.parameter(STUDIO_HEADER, "header", STUDIO_HEADER_PARAMETER)


def revalidated(response):
    """Every API GET answered with JSON carries an ETag (a digest of its body) and
    `Cache-Control: private, no-cache`: clients may keep it but ask each time, and an
    `If-None-Match` with the current ETag answers 304 with no body. Pages and writes are
    left alone."""
    if (request.method in ("GET", "HEAD") and response.status_code == 200 and not response.is_streamed
            and response.mimetype == "application/json" and request.path.startswith("/api/")):
        response.add_etag()
        response.headers["Cache-Control"] = "private, no-cache"
        response.make_conditional(request)
    return response


def document_input_rules(converter, field, ret, **kwargs):
    """Rules every schema keeps (core.schemas), said in the document of each field they bind,
    so that what the document calls valid is what the server accepts: fields of ours (Money,
    ClockTime...) describe themselves; dates lie within MIN_YEAR..MAX_YEAR; no string takes
    NUL bytes."""
    if hasattr(field, "openapi_properties"):  # a field of ours that says what it takes
        return field.openapi_properties(converter)
    if field.dump_only:
        return {}
    if isinstance(field, (fields.Date, fields.DateTime)):
        described = " ".join(filter(None, (ret.get("description"), validation.DATE_RANGE_NOTE)))
        return {"pattern": YEAR_PATTERN, "description": described}
    if isinstance(field, fields.String) and not {"pattern", "enum"} & set(ret):
        return {"pattern": NO_NUL_PATTERN}
    return {}


class Parser(FlaskParser):
    """Validation errors are 400 with our error body (flask-smorest's default is 422)."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req):
        """Every API body goes through core.validation.json_document, so a document nested
        1,000 deep or a lone surrogate is a 400 here, never a RecursionError or a database
        that cannot store the text."""
        if not is_json_request(req):
            return core.missing
        raw = req.get_data(cache=True)
        if not raw.strip():
            return core.missing
        try:
            return validation.json_document(raw)
        except validation.Invalid as exc:
            raise ValidationFailed(exc.message) from exc


class Blueprint(SmorestBlueprint):
    """Routes answer with and without a trailing slash, never with a redirect. A blueprint
    made with `rate_limited=False` is exempt from rate limits (and its document has no 429)."""

    ARGUMENTS_PARSER = Parser()
    UNLIMITED = set()  # names of the blueprints exempt from rate limits

    def __init__(self, *args, rate_limited=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not rate_limited:
            limiter.exempt(self)
            self.UNLIMITED.add(self.name)
        self._prepare_doc_cbks.append(document_write_rules)

    def response(self, status_code, schema=None, *, idempotent=True, **kwargs):
        """As flask-smorest's, with the write rules of every API operation (`write_rules`).
        `idempotent=False` keeps a creation's answer out of the Idempotency-Key store: one
        that shows a secret once (an API key) must not be kept to be shown again."""
        decorator = super().response(status_code, schema, **kwargs)
        creates = idempotent and int(status_code) == 201
        return lambda view: write_rules(decorator(view), creates=creates)

    def arguments(self, schema, **kwargs):
        """As flask-smorest's, with a schema class made an instance once, here: webargs would
        build one for every request."""
        if isinstance(schema, type):
            schema = schema()
        decorator = super().arguments(schema, **kwargs)
        if kwargs.get("location", "json") != "json" or not kwargs.get("required", True):
            return decorator
        return lambda view: _body_required(decorator(view))

    def route(self, rule, *, parameters=None, tags=None, **options):
        options.setdefault("strict_slashes", False)
        return super().route(rule, parameters=parameters, tags=tags, **options)


def write_rules(view, *, creates):
    """Every API write, in one place, after authorization, loaders and the body's validation:
    PATCH, PUT and DELETE honour `If-Match` (core.preconditions); a POST that creates
    (documented 201) honours `Idempotency-Key` (core.idempotency)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if preconditions.rendering():
            return view(*args, **kwargs)
        if request.method in preconditions.METHODS:
            return preconditions.conditional(lambda: view(*args, **kwargs))
        if creates and request.method == "POST":
            from app.core.tenancy import current_principal  # tenancy -> errors -> views

            return idempotency.idempotent(lambda: view(*args, **kwargs), current_principal())
        return view(*args, **kwargs)

    wrapper._apidoc["idempotent"] = creates
    return wrapper


def document_write_rules(doc, doc_info, *, method, **kwargs):
    """What `write_rules` does, in each operation's document: `If-Match` and its 412 on
    PATCH, PUT and DELETE, `Idempotency-Key` and its 409 on creating POSTs, and the `ETag` a
    GET, PATCH or PUT answers with."""
    responses = doc.setdefault("responses", {})
    parameters = doc.setdefault("parameters", [])
    if method in ("get", "patch", "put"):
        ok = responses.get(200) or responses.get("200")
        if isinstance(ok, dict):
            ok.setdefault("headers", {}).update(preconditions.ETAG_HEADER)
    if method.upper() in preconditions.METHODS:
        parameters.append(dict(preconditions.DOCUMENTED))
        responses["412"] = {"description": preconditions.PRECONDITION_FAILED_NOTE,
                            "content": {"application/json": {"schema": ErrorSchema}}}
    created = responses.get(201) or responses.get("201")
    if method == "post" and isinstance(created, dict) and not doc_info.get("idempotent"):
        created["description"] = f"{created.get('description', 'Created.')} {idempotency.NOT_KEPT}"
    if method == "post" and doc_info.get("idempotent"):
        parameters.append(dict(idempotency.DOCUMENTED))
        conflict = responses.get(409) or responses.get("409")
        if isinstance(conflict, dict):
            conflict["description"] = f"{conflict.get('description', '')} Or: {idempotency.CONFLICT_NOTE}"
        else:
            responses["409"] = {"description": idempotency.CONFLICT_NOTE,
                                "content": {"application/json": {"schema": ErrorSchema}}}
    return doc


def loads(name, loader):
    """Replace the URL's `<name>_id` by the object `loader(id)` returns, before the body is
    parsed: a foreign id is 404 and a forbidden object 403 whatever the body says."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            kwargs[name] = loader(kwargs.pop(f"{name}_id"))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _body_required(view):
    """A documented-required JSON body that is absent is a 400, not an empty object: a PATCH
    with no body is a client's mistake, and so is one of whitespace only (not JSON, though the
    JSON parser reads it as absent). `{}` is a body (a PATCH that changes nothing)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not request.get_data(cache=True).strip():
            raise ValidationFailed("A JSON body is required; send {} to change nothing.")
        return view(*args, **kwargs)

    return wrapper


RULES_INTRO = "Not valid; or valid by the schema but refused by a rule it cannot state:"


def refused_when(*rules):
    """`alt_response(400, **refused_when(...))` for an operation whose schema-valid input can
    still break a rule JSON Schema cannot state (another row, today's date, two fields
    together). Each rule names its fields in backticks; the schemathesis run holds every 400
    answered to valid input to those names."""
    lines = "\n".join(f"- {rule}" for rule in rules)
    return {"schema": ErrorSchema, "description": f"{RULES_INTRO}\n{lines}"}


def register_security_schemes(api):
    from app.core.permissions import SCOPES  # permissions -> views -> extensions -> this module

    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
         "description": "An access token from POST /api/v1/auth/login, or an API key."},
    )
    api.spec.components.security_scheme("apiKey", {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": (
            "A key from POST /api/v1/api-keys (`cdz_live_…`), also accepted as "
            "`Authorization: Bearer <key>`. It acts in its own studio as an admin limited to "
            "its scopes: " + ", ".join(f"`{scope}`" for scope in SCOPES) + ". `write` implies "
            "`read`; `<area>:…` covers one area. An action outside them answers 403."),
    })
    api.spec.components.security_scheme("oauth2", oauth2_scheme())
    api.spec.options["security"] = [{"bearerAuth": []}, {"apiKey": []}, {"oauth2": []}]


def oauth2_scheme():
    """Third-party apps (app/oauth): the authorization-code flow with PKCE, and its scopes,
    the same as API keys'."""
    from app.core.permissions import SCOPE_AREAS, SCOPES

    def described(scope):
        area, _, level = scope.partition(":")
        reach = SCOPE_AREAS[area] if level else "Every area"
        return f"{'Read' if (level or scope) == 'read' else 'Read and write'}: {reach}"

    return {
        "type": "oauth2",
        "description": (
            "A third-party app registered by the studio (Settings → Apps) acts as the person "
            "who allowed it, in the app's studio, with their role narrowed by the granted "
            "scopes; anything outside them answers 403. PKCE with `S256` is required for every "
            "app. Access tokens (`cdz_at_…`) last an hour; refresh tokens (`cdz_rt_…`) are "
            "rotated on each use, and presenting a rotated one ends the authorization. "
            "`POST /oauth/revoke` (RFC 7009) ends it at once. The OAuth endpoints answer "
            "OAuth's own errors (`{\"error\", \"error_description\"}`, RFC 6749 §5.2)."),
        "flows": {"authorizationCode": {
            "authorizationUrl": "/oauth/authorize", "tokenUrl": "/oauth/token",
            "refreshUrl": "/oauth/token",
            "scopes": {scope: described(scope) for scope in SCOPES},
        }},
    }
