"""What every operation of the document says, by rule, so that no operation can leave it out:
a one-sentence summary, its security, the `X-Studio-ID` header, each error it can answer
(with the one error body) and an example of each request body.

An apispec plugin (`OperationRules`) applies the rules as each path is added, after
flask-smorest and marshmallow have documented it; what a module says itself (a 404's own
description, a 409 it lists) is kept, and the rules only fill in what is missing:

- security: the document's global requirements, unless the operation is public (`[]`) or
  states its own (a method guarded by `requires` names the credentials and scopes that may
  call it: core.permissions.security_requirements);
- authenticated: `X-Studio-ID`, 401, 403 (a role or a key's scopes can refuse) and 404 (a
  studio you do not belong to);
- an id in the path: 404; input (a body or query parameters): 400; a body: 413;
- every operation: 429, except on blueprints exempt from rate limits.
"""
import re
from copy import deepcopy

from apispec import BasePlugin

from app.core.schemas import CLOCK_PATTERN

ERROR_REF = {"$ref": "#/components/schemas/Error"}
STUDIO_HEADER = "StudioID"
STUDIO_HEADER_PARAMETER = {
    "in": "header", "name": "X-Studio-ID", "required": False,
    "schema": {"type": "string", "format": "uuid"},
    "description": "The studio to act in, one you are a member of; without it, your first "
                   "studio. A studio you are not a member of answers 404. An API key or an "
                   "app's token acts in its own studio: any other answers 404.",
}
RULE_DESCRIPTIONS = {
    400: "Not valid: `field_errors` names each field and what is wrong with it.",
    401: "No credentials, or an access token or API key that is not valid, has expired or "
         "was revoked.",
    403: "Your role, or the scopes of the API key or app acting for you, may not do this.",
    404: "Not in your studio or not visible to you; or `X-Studio-ID` names a studio you are "
         "not a member of.",
    413: "The request body is larger than the server accepts.",
    429: "Too many requests: 1,000 an hour per user or API key, 100 an hour without "
         "credentials. `Retry-After` gives the seconds to wait.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                               "schema": {"type": "integer"}}}
# The first sentence of a docstring's first paragraph is the summary; the rest is description.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(\"])")
METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


class OperationRules(BasePlugin):
    """Applies the module's rules to each operation as its path is added to the spec.
    `unlimited` holds the names of blueprints exempt from rate limits (no 429)."""

    def __init__(self, unlimited):
        self.spec = None
        self.unlimited = unlimited

    def init_spec(self, spec):
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        blueprint = rule.endpoint.partition(".")[0] if rule is not None else None
        for method, operation in operations.items():
            if method in METHODS:
                self.document(path, operation, rate_limited=blueprint not in self.unlimited)

    def document(self, path, operation, *, rate_limited):
        _split_summary(operation)
        if "security" not in operation:
            operation["security"] = deepcopy(self.spec.options.get("security", []))
        authenticated = bool(operation["security"])
        responses = operation.setdefault("responses", {})
        takes_query = any(isinstance(p, dict) and p.get("in") == "query"
                          for p in operation.get("parameters", []))
        wanted = {
            400: "requestBody" in operation or takes_query,
            401: authenticated,
            403: authenticated,
            404: authenticated or "{" in path,
            413: "requestBody" in operation,
            429: rate_limited,
        }
        present = {str(status) for status in responses}
        for status, applies in wanted.items():
            if applies and str(status) not in present:
                responses[status] = {"description": RULE_DESCRIPTIONS[status]}
        for status, response in responses.items():
            if str(status).isdigit() and int(status) >= 400 and isinstance(response, dict):
                if "content" not in response and "$ref" not in response:
                    response["content"] = {"application/json": {"schema": dict(ERROR_REF)}}
                if int(status) == 429:
                    response.setdefault("headers", deepcopy(RETRY_AFTER))
        if authenticated:
            parameters = operation.setdefault("parameters", [])
            if STUDIO_HEADER not in parameters:
                parameters.append(STUDIO_HEADER)
        if "requestBody" in operation:
            self._add_example(operation["requestBody"])

    # ------------------------------------------------------------------ examples

    def _add_example(self, request_body):
        """An example of each body whose schema has none, built from its fields' examples,
        formats and kinds (a schema's own `example` metadata is kept)."""
        for media in request_body.get("content", {}).values():
            schema = media.get("schema")
            if not isinstance(schema, dict) or "example" in media or "examples" in media:
                continue
            target = self._resolved(schema)
            if "example" not in target:
                component = schema.get("$ref", "").rsplit("/", 1)[-1]
                target["example"] = self.example_of(target, component=component)

    def _resolved(self, schema):
        ref = schema.get("$ref")
        if ref is None:
            return schema
        return self.spec.components.schemas[ref.rsplit("/", 1)[1]]

    def example_of(self, schema, name="", depth=0, component=""):
        schema = self._resolved(schema)
        named = _named_example(schema, name, component)
        if named is not None:
            return named
        if "example" in schema:
            return schema["example"]
        if schema.get("enum"):
            return next((value for value in schema["enum"] if value is not None), None)
        for combined in ("allOf", "anyOf", "oneOf"):
            if schema.get(combined):
                return self.example_of(schema[combined][0], name, depth, component)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self._object_example(schema, depth, component)
        if kind == "array":
            count = max(1, schema.get("minItems", 1))
            return [self.example_of(schema.get("items", {}), name, depth + 1, component)] * count
        if kind in ("integer", "number"):
            return schema.get("minimum", min(1, schema.get("maximum", 1)))
        if kind == "boolean":
            return True
        return _string_example(schema, name)

    def _object_example(self, schema, depth, component):
        properties = {key: value for key, value in schema.get("properties", {}).items()
                      if not value.get("readOnly")}
        required = schema.get("required", [])
        chosen = [key for key in properties if key in required or "example" in properties[key]]
        if not chosen and depth == 0:
            chosen = list(properties)[:2]
        return {key: self.example_of(properties[key], key, depth + 1, component) for key in chosen}


STRING_FORMATS = {
    "uuid": "0b7e7dee-87c4-4e2a-8c1f-5c1a2f3b4d5e",
    "date": "2026-01-20",
    "date-time": "2026-01-20T14:00:00Z",
    "email": "ada@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "binary": "(the file's bytes)",
    "decimal": "45.00",
}
# Values by field name (and, for a name that means different things, the kind of value).
NAMED_EXAMPLES = {
    ("start_time", "clock"): "15:00", ("end_time", "clock"): "19:00",
    ("start_time", "date-time"): "2026-01-20T14:00:00Z",
    ("end_time", "date-time"): "2026-01-20T15:00:00Z",
    ("scheduled_end", "date-time"): "2026-01-20T14:45:00Z",
    ("end_date", "date"): "2026-01-31", ("period_end", "date"): "2026-01-31",
    ("period_start", "date"): "2026-01-01", ("start_date", "date"): "2026-01-20",
    ("duration_minutes", "integer"): 45, ("minutes", "integer"): 30,
    ("capacity", "integer"): 4, ("quantity", "integer"): 1,
}
# What a `name` is, by the schema it belongs to.
NAMES_BY_SCHEMA = (("Family", "Lovelace family"), ("Room", "Studio A"),
                   ("Closure", "Winter break"), ("Studio", "Riverside Music"),
                   ("Item", "Yamaha P-45 keyboard"), ("Band", "Jazz combo"))
STRING_NAMES = {
    "first_name": "Ada", "last_name": "Lovelace", "name": "Riverside Music", "title": "Scales",
    "refresh": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl",
    "token": "kX3v9Qm2a7Jd0sLwYp4TzR8uN1cE6bHf", "subject": "Recital on Saturday",
    "body": "The recital starts at **3 pm**.", "summary": "Worked on the G major scale.",
    "description": "Two octaves, hands together.", "notes": "Paid at the front desk.",
    "relation": "Mother", "response": "Approved: see you next week.",
    "initial_message": "Who plays first at the recital?", "bio": "Pianist and composer.",
    "email": "ada@example.com", "password": "correct horse battery staple",
    "current_password": "correct horse battery staple",
    "new_password": "a longer passphrase 2026", "phone": "+1 555 0100",
    "phone_number": "+1 555 0100", "instrument": "Piano", "reason": "Feeling unwell.",
    "timezone": "America/New_York", "currency": "USD", "locale": "en-US", "color": "#1f6feb",
}


def _named_example(schema, name, component):
    kind = schema.get("format") or schema.get("type")
    if schema.get("pattern") == CLOCK_PATTERN:
        kind = "clock"
    if name == "name" and kind == "string":
        return next((value for part, value in NAMES_BY_SCHEMA if part in component), None)
    return NAMED_EXAMPLES.get((name, kind))


def _string_example(schema, name):
    if schema.get("format") in STRING_FORMATS:
        return STRING_FORMATS[schema["format"]]
    if name in STRING_NAMES:
        return STRING_NAMES[name]
    words = name.replace("_", " ").strip().capitalize() or "Text"
    return words[: schema.get("maxLength", len(words))]


def _split_summary(operation):
    """A summary of one sentence on one line; the rest of the paragraph opens the
    description."""
    summary = " ".join((operation.get("summary") or "").split())
    first = SENTENCE_END.split(summary, maxsplit=1)[0]
    rest = summary[len(first):].strip()
    operation["summary"] = first
    if rest:
        operation["description"] = "\n\n".join(filter(None, (rest, operation.get("description"))))
