"""flask-smorest glue: our Api and Blueprint (400 for validation), spec security."""
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser

from app.core.schemas import ErrorSchema


class Api(SmorestApi):
    """Documents our error body (errors.error_body) for every error response in the spec."""

    ERROR_SCHEMA = ErrorSchema


class Parser(FlaskParser):
    """Validation errors are 400 with our error body (flask-smorest's default is 422)."""

    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(SmorestBlueprint):
    """Routes answer with and without a trailing slash, never with a redirect."""

    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, **kwargs):
        """As flask-smorest's, with a schema class made an instance once, here: webargs would
        build one for every request."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, **kwargs)

    def route(self, rule, *, parameters=None, tags=None, **options):
        options.setdefault("strict_slashes", False)
        return super().route(rule, parameters=parameters, tags=tags, **options)


def register_security_schemes(api):
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
         "description": "An access token from POST /api/v1/auth/login, or an API key."},
    )
    api.spec.components.security_scheme(
        "apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    )
    api.spec.options["security"] = [{"bearerAuth": []}, {"apiKey": []}]
