"""Every operation of the document is complete: a summary, tags, security, the `X-Studio-ID`
header, each error response it can give (with the one error body), an example of each
request body, and money typed as a decimal string. The test walks the whole document, so an
operation added later is held to it too; the rules themselves are in app.core.openapi."""
import re
from copy import deepcopy

import jsonschema
import pytest
from marshmallow import fields

from app.core.api import Blueprint
from app.core.schemas import Money
from tests.conftest import api_login, bearer

SPEC = "/api/openapi.json"
METHODS = ("get", "put", "post", "patch", "delete")
ERROR_REF = "#/components/schemas/Error"
# Operations exempt from rate limits (core.api.Blueprint(rate_limited=False)): no 429.
UNLIMITED = {("get", "/api/v1/health")}


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get(SPEC).json


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method], item.get("parameters", [])


def resolve(document, node):
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def each(document, check):
    """Run `check(path, method, operation, path_parameters)` on every operation and report
    every operation it fails for, not only the first."""
    failures = []
    for path, method, operation, parameters in operations(document):
        problem = check(path, method, operation, parameters)
        if problem:
            failures.append(f"{method.upper()} {path}: {problem}")
    assert not failures, "\n".join(failures)


def is_authenticated(operation):
    return operation["security"] != []


def takes_query(document, operation):
    return any(resolve(document, p)["in"] == "query" for p in operation.get("parameters", []))


# ------------------------------------------------------------------ summary and tags

def test_the_document_has_every_operation(document):
    assert sum(1 for _ in operations(document)) >= 150


def test_every_operation_has_a_one_line_summary(document):
    def check(path, method, operation, _):
        summary = operation.get("summary") or ""
        if not summary.strip():
            return "no summary"
        if "\n" in summary or len(summary) > 120:
            return f"summary is not one short line: {summary!r}"
        return None

    each(document, check)


def test_every_operation_has_a_tag_described_at_the_top(document):
    described = {tag["name"] for tag in document.get("tags", []) if tag.get("description")}

    def check(path, method, operation, _):
        tags = operation.get("tags") or []
        if not tags:
            return "no tag"
        undescribed = set(tags) - described
        return f"tags not described at the top level: {sorted(undescribed)}" if undescribed else None

    each(document, check)


# ------------------------------------------------------------------ security and the studio header

def test_every_operation_states_its_security(document):
    schemes = set(document["components"]["securitySchemes"])

    def check(path, method, operation, _):
        if "security" not in operation:
            return "no security requirements (use [] for a public operation)"
        named = {name for requirement in operation["security"] for name in requirement}
        if named - schemes:
            return f"unknown security schemes {sorted(named - schemes)}"
        if operation["security"] and "bearerAuth" not in named:
            return "a signed-in person's token is not accepted"
        return None

    each(document, check)


def _requirements(document, method, path):
    security = document["paths"][path][method]["security"]
    oauth = [requirement["oauth2"] for requirement in security if "oauth2" in requirement]
    assert all(len(scopes) == 1 for scopes in oauth)  # one scope each: OpenAPI ANDs a list
    return {name for requirement in security for name in requirement}, {s[0] for s in oauth}


@pytest.mark.parametrize("method, path, api_key, scopes", [
    ("get", "/api/v1/invoices", True, {"read", "write", "billing:read", "billing:write"}),
    ("post", "/api/v1/invoices", True, {"write", "billing:write"}),
    ("get", "/api/v1/students", True, {"read", "write", "people:read", "people:write"}),
    ("get", "/api/v1/notifications", False, {"read", "write", "messaging:read", "messaging:write"}),
    ("get", "/api/v1/webhooks", True, set()),
    ("get", "/api/v1/api-keys", False, set()),
])
def test_each_operation_names_the_scopes_and_credentials_that_may_call_it(
        document, method, path, api_key, scopes):
    schemes, allowing = _requirements(document, method, path)
    assert "bearerAuth" in schemes
    assert ("apiKey" in schemes) is api_key
    assert allowing == scopes
    assert ("oauth2" in schemes) is bool(scopes)


def test_every_scope_requirement_is_a_declared_scope(document):
    declared = set(document["components"]["securitySchemes"]["oauth2"]["flows"]
                   ["authorizationCode"]["scopes"])

    def check(path, method, operation, _):
        named = {scope for requirement in operation["security"]
                 for scope in requirement.get("oauth2", [])}
        return f"undeclared scopes {sorted(named - declared)}" if named - declared else None

    each(document, check)


def test_public_operations_are_few_and_known(document):
    public = {(method, path) for path, method, operation, _ in operations(document)
              if not is_authenticated(operation)}

    assert ("post", "/api/v1/auth/login") in public
    assert ("get", "/api/v1/health") in public
    assert all(path.startswith(("/api/v1/auth/", "/api/v1/health", "/api/v1/oauth"))
               for _, path in public), sorted(public)


def test_operations_that_state_security_refuse_a_request_without_credentials(app, document,
                                                                            monkeypatch):
    """What the document says is what the server does: every authenticated operation answers
    401 to a request without credentials, whatever else is wrong with it."""
    monkeypatch.setitem(app.config, "RATELIMIT_API_ANONYMOUS", "1000000/hour")
    client = app.test_client()

    def check(path, method, operation, _):
        if not is_authenticated(operation):
            return None
        url = re.sub(r"\{[^}]+\}", "0b7e7dee-87c4-4e2a-8c1f-5c1a2f3b4d5e", path)
        status = client.open(url, method=method.upper()).status_code
        return f"answered {status} without credentials" if status != 401 else None

    each(document, check)


def test_the_studio_header_is_declared_once_and_used_by_every_authenticated_operation(document):
    parameter = document["components"]["parameters"]["StudioID"]
    assert (parameter["in"], parameter["name"]) == ("header", "X-Studio-ID")
    assert parameter["schema"] == {"type": "string", "format": "uuid"}
    assert parameter["description"]
    reference = {"$ref": "#/components/parameters/StudioID"}

    def check(path, method, operation, _):
        if is_authenticated(operation) and reference not in operation.get("parameters", []):
            return "does not declare X-Studio-ID"
        return None

    each(document, check)


def test_a_studio_you_do_not_belong_to_is_not_found(client, studio_setup):
    headers = bearer(api_login(client, studio_setup.users["admin"].email))

    response = client.get("/api/v1/students", headers={
        **headers, "X-Studio-ID": "0b7e7dee-87c4-4e2a-8c1f-5c1a2f3b4d5e"})

    assert response.status_code == 404
    assert response.json["code"] == "NOT_FOUND"


# ------------------------------------------------------------------ error responses

def expected_errors(document, path, method, operation):
    """The errors an operation can give, by rule."""
    authenticated = is_authenticated(operation)
    body = "requestBody" in operation
    expected = {
        "400": body or takes_query(document, operation),
        "401": authenticated,
        "403": authenticated,
        "404": authenticated or "{" in path,
        "413": body,
        "429": (method, path) not in UNLIMITED,
    }
    return {status for status, applies in expected.items() if applies}


def test_every_operation_documents_the_errors_it_can_give(document):
    def check(path, method, operation, _):
        missing = expected_errors(document, path, method, operation) - set(operation["responses"])
        return f"does not document {sorted(missing)}" if missing else None

    each(document, check)


def test_every_client_error_has_the_error_body(document):
    def check(path, method, operation, _):
        wrong = []
        for status, response in operation["responses"].items():
            if not status.startswith("4"):
                continue
            response = resolve(document, response)
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if schema != {"$ref": ERROR_REF} or not response.get("description"):
                wrong.append(status)
        return f"responses without the error body or a description: {wrong}" if wrong else None

    each(document, check)


def test_rate_limited_answers_say_when_to_retry(document):
    def check(path, method, operation, _):
        response = resolve(document, operation["responses"].get("429", {}))
        if response and "Retry-After" not in response.get("headers", {}):
            return "429 without Retry-After"
        return None

    each(document, check)


def test_an_operation_exempt_from_rate_limits_really_is(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API_ANONYMOUS", "1/hour")
    client = app.test_client()

    statuses = [client.get("/api/v1/health").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert {name for name in Blueprint.UNLIMITED} == {"Health"}


# ------------------------------------------------------------------ examples

def json_schema(document, schema):
    """An OpenAPI 3.0 schema as JSON Schema: `nullable` becomes a null type."""
    node = deepcopy(schema)

    def convert(value):
        if isinstance(value, dict):
            if value.pop("nullable", False):
                if "type" in value:
                    value["type"] = [value["type"], "null"]
                else:
                    value = {"anyOf": [value, {"type": "null"}]}
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    node = convert(node)
    node["components"] = convert(deepcopy(document["components"]))
    return node


def request_body_examples(document, operation):
    for media_type, media in resolve(document, operation["requestBody"])["content"].items():
        schema = media["schema"]
        example = media.get("example", resolve(document, schema).get("example"))
        yield media_type, schema, example


def test_every_request_body_has_an_example(document):
    def check(path, method, operation, _):
        if "requestBody" not in operation:
            return None
        missing = [media_type for media_type, _, example in request_body_examples(document, operation)
                   if example is None]
        return f"no example for {missing}" if missing else None

    each(document, check)


def test_every_request_body_example_is_valid_by_its_schema(document):
    checker = jsonschema.Draft4Validator.FORMAT_CHECKER

    def check(path, method, operation, _):
        if "requestBody" not in operation:
            return None
        for media_type, schema, example in request_body_examples(document, operation):
            validator = jsonschema.Draft4Validator(json_schema(document, schema),
                                                   format_checker=checker)
            errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                      for e in validator.iter_errors(example)]
            if errors:
                return f"{media_type} example {example} is not valid: {errors}"
        return None

    each(document, check)


# ------------------------------------------------------------------ money

def api_schemas(app):
    """(component name, marshmallow schema) of every schema in the document."""
    from app.extensions import api

    return [(name, key[0]()) for key, name in api.ma_plugin.converter.refs.items()]


def test_money_is_a_decimal_string_in_the_document(app, document):
    components = document["components"]["schemas"]
    failures = []
    for name, schema in api_schemas(app):
        for field_name, field in schema.fields.items():
            if not isinstance(field, Money) or name not in components:
                continue
            prop = components[name]["properties"].get(field.data_key or field_name)
            if prop is None:
                continue
            strings = [p for p in prop.get("anyOf", [prop]) if p.get("type") == "string"]
            others = [p for p in prop.get("anyOf", []) if p.get("type") != "string"]
            typed = strings and all(p.get("format") == "decimal" and p.get("pattern") for p in strings)
            if not typed or any(p.get("type") != "number" for p in others):
                failures.append(f"{name}.{field_name}: {prop}")
    assert not failures, "\n".join(failures)


def test_no_schema_takes_or_gives_money_as_a_float(app):
    floats = [f"{name}.{field_name}" for name, schema in api_schemas(app)
              for field_name, field in schema.fields.items()
              if isinstance(field, (fields.Float, fields.Decimal))]

    assert floats == []
