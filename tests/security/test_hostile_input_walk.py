"""Every page and every API operation, as every role, with hostile values in every query
parameter, form field, JSON field and path parameter: no answer is a 5xx.

Routes come from `app.url_map` (pages) and the OpenAPI document (API operations with their
query parameters and body fields); path parameters are filled with real ids of the demo
studio and with garbage. A new route or field is walked as soon as it exists.
"""
import re
import time
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.extensions import db
from tests.conftest import bearer, csrf_token

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-password"

# One value per way input has broken a server: far and malformed dates, numbers past any
# column, NUL bytes, lone surrogates, very long text, nesting, wrong types, paths, CRLF.
TEXT_VALUES = [
    "9999-12-31", "0001-01-01", "-1", "99999999999999999999999", "nul\x00byte", "x" * 5000,
    "/%0d%0aSet-Cookie:x=1", "../..%ff%fe[]\r\n",
]
JSON_VALUES = [
    None, "", -1, 2 ** 63, 1e308, True, [], {"a": {"b": {}}}, "9999-12-31",
    "0001-01-01T00:00:00+14:00", "nul\x00byte", "x" * 5000, "\r\nSet-Cookie: x=1", "1e2",
]
# Every JSON field alone (a partial update reaches the service): the values most likely to
# pass the schema and break a rule below it.
ONE_FIELD_VALUES = [None, "", "9999-12-31T23:59:59-12:00"]
# Form posts: every field of every form at once.
FORM_VALUES = ["9999-12-31", "0001-01-01", "-99999999999999999999999", "x" * 5000 + "\x00", "1e2"]
RAW_BODIES = ["[" * 1000 + "]" * 1000, '{"a": "\\ud800"}', '{"\\udfff": 1}', "{", "null", '"x"']
GARBAGE_IDS = ["00000000-0000-0000-0000-000000000000", "..%2F..%2Fetc%00", "x" * 300]

TABLE_OF_PARAM = {
    "lesson_id": "lesson", "invoice_id": "invoice", "family_id": "family", "student_id": "student",
    "teacher_id": "teacher_profile", "plan_id": "lesson_plan", "request_id": "cancellation_request",
    "goal_id": "goal", "member_id": "membership", "room_id": "room",
    "reservation_id": "room_reservation", "series_id": "recurring_series", "note_id": "lesson_note",
    "payment_id": "payment", "guardian_id": "family_guardian", "batch_id": "import_batch",
    "closure_id": "studio_closure", "log_id": "practice_log", "invitation_id": "invitation",
    "line_id": "invoice_line_item", "credit_id": "family_credit", "id": None,
}
SKIPPED_ENDPOINTS = {"static", "auth.logout", "docs.asset"}
LAST_METHODS = ("DELETE",)


def page_query_names():
    """Every query argument a page reads, found in the views' source."""
    pattern = re.compile(r"""args(?:\.get|\.getlist)?[(\[]["'](\w+)["']""")
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        names.update(pattern.findall(path.read_text()))
    return sorted(names | {"next"})


def form_field_names():
    """Every field of every WTForms form."""
    names, pending = set(), list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        names.update(name for name in dir(form) if not name.startswith("_")
                     and hasattr(getattr(form, name), "field_class"))
    return sorted(names - {"csrf_token"})


@pytest.fixture()
def demo(app, monkeypatch):
    from app import demo as demo_data

    for name in ("RATELIMIT_API_AUTHENTICATED", "RATELIMIT_API_ANONYMOUS"):
        monkeypatch.setitem(app.config, name, "1000000/hour")
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "1000000/minute")
    with app.app_context():
        demo_data.seed()
        db.session.commit()
        ids = {}
        for param, table_name in TABLE_OF_PARAM.items():
            if table_name:
                table = db.metadata.tables[table_name]
                ids[param] = [str(v) for v in db.session.scalars(select(table.c.id).limit(2))]
    return ids


class Walk:
    """Sends the requests and remembers every 5xx."""

    def __init__(self, client):
        self.client, self.failures, self.count = client, [], 0

    def send(self, method, path, **kwargs):
        self.count += 1
        try:
            response = self.client.open(path, method=method, **kwargs)
        except Exception as exc:  # an exception escaping the app is a 500 too
            self.failures.append(f"{method} {path[:120]} raised {exc!r:.200}")
            return
        if response.status_code >= 500:
            detail = {k: (str(v)[:40]) for k, v in (kwargs.get("json") or kwargs.get("data") or {}).items()} \
                if isinstance(kwargs.get("json") or kwargs.get("data"), dict) else str(kwargs)[:200]
            self.failures.append(f"{method} {path[:160]} {detail} -> {response.status_code}")


def path_variants(rule, ids, garbage):
    """The rule's URL with real ids, then with each garbage value in every parameter."""
    def build(values):
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", values[name], path)
        return path

    def real(name):
        converter = rule._converters[name]
        if hasattr(converter, "items"):
            return sorted(converter.items)[0]
        return (ids.get(name) or ["00000000-0000-0000-0000-000000000000"])[0]

    reals = {name: real(name) for name in rule.arguments}
    yield build(reals)
    for value in garbage:
        yield build({name: (reals[name] if hasattr(rule._converters[name], "items") else value)
                     for name in rule.arguments})


def page_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS or rule.rule.startswith("/api/") \
                or rule.endpoint.startswith("api-docs") or "filename" in rule.arguments:
            continue
        yield rule


def walk_pages(walk, app, ids, plan, token):
    names, fields = page_query_names(), form_field_names()
    rules = sorted(page_rules(app), key=lambda r: any(m in LAST_METHODS for m in r.methods))
    for rule in rules:
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for index, path in enumerate(path_variants(rule, ids, plan.garbage)):
            for method in methods:
                if index:
                    walk.send(method, path, data={"csrf_token": token})
                elif method == "GET":
                    for value in plan.text:
                        walk.send("GET", path, query_string={name: value for name in names})
                    for value in plan.text[:1]:
                        walk.send("GET", path, query_string={name: value for name in names},
                                  headers={"HX-Request": "true"})
                else:
                    for value in plan.form:
                        walk.send(method, path, query_string={"next": value},
                                  data={**{name: value for name in fields}, "csrf_token": token})


def api_operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method.upper(), operation


def body_fields(spec, operation):
    content = (operation.get("requestBody") or {}).get("content") or {}
    schema = (content.get("application/json") or {}).get("schema") or {}
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return list((schema.get("properties") or {}).keys()), bool(content)


def api_rules(app):
    return {rule.rule.replace("<", "{").replace(">", "}"): rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1")}


def walk_api(walk, app, ids, headers, spec, plan):
    rules = {re.sub(r"\{(?:[^:{}]+:)?(\w+)\}", r"{\1}", k): v for k, v in api_rules(app).items()}
    operations = sorted(api_operations(spec), key=lambda op: op[1] in LAST_METHODS)
    for path, method, operation in operations:
        rule = rules.get(path) or rules.get(path.rstrip("/"))
        assert rule is not None, f"no route for {path}"
        query_names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
        fields, has_body = body_fields(spec, operation)
        for index, url in enumerate(path_variants(rule, ids, plan.garbage)):
            if index:
                walk.send(method, url, headers=headers, json={} if has_body else None)
                continue
            for value in plan.text if query_names else ():
                walk.send(method, url, headers=headers,
                          query_string={name: value for name in query_names})
            if not has_body:
                continue
            for value in plan.json:
                walk.send(method, url, headers=headers, json={name: value for name in fields})
            for value in plan.one_field:
                for name in fields:
                    walk.send(method, url, headers=headers, json={name: value})
            for raw in plan.raw:
                walk.send(method, url, headers=headers, data=raw, content_type="application/json")


def sign_in_web(client, email):
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    return csrf_token(client, "/account/") if client.get("/account/").status_code == 200 \
        else token


class Plan:
    """Which values a role is sent. The first role gets the whole table; the others fewer,
    since authorization comes before input (a 403 or 404 reads no body)."""

    def __init__(self, full):
        self.text = TEXT_VALUES if full else TEXT_VALUES[:1]
        self.form = FORM_VALUES if full else FORM_VALUES[:1]
        self.json = JSON_VALUES if full else JSON_VALUES[:3]
        self.one_field = ONE_FIELD_VALUES if full else ()
        self.raw = RAW_BODIES if full else RAW_BODIES[:2]
        self.garbage = GARBAGE_IDS if full else GARBAGE_IDS[:1]


def walk_as(app, demo, spec, role):
    """Every route as `role` (None: signed out); the 5xx answers, and a line of timings."""
    started = time.monotonic()
    plan = Plan(full=role == "admin")
    client = app.test_client()
    pages = Walk(client)
    token = sign_in_web(client, f"{role}@demo.test") if role else csrf_token(client, "/login")
    walk_pages(pages, app, demo, plan, token)
    pages_done = time.monotonic()

    api_client = app.test_client()
    headers = {}
    if role:
        login = api_client.post("/api/v1/auth/login",
                                json={"email": f"{role}@demo.test", "password": DEMO_PASSWORD})
        headers = bearer(login.get_json())
    api = Walk(api_client)
    walk_api(api, app, demo, headers, spec, plan)
    print(f"{role}: {pages.count} page requests in {pages_done - started:.1f} s, "
          f"{api.count} API requests in {time.monotonic() - pages_done:.1f} s")
    return [f"[{role}] {failure}" for failure in pages.failures + api.failures], \
        pages.count + api.count


@pytest.mark.parametrize("roles", [("admin",), ("teacher", "parent", "student", None)],
                         ids=["admin", "other-roles"])
def test_no_route_answers_5xx_to_hostile_input(app, demo, roles):
    spec = app.test_client().get("/api/openapi.json").get_json()
    failures, count = [], 0
    for role in roles:
        found, sent = walk_as(app, demo, spec, role)
        failures, count = failures + found, count + sent

    assert not failures, f"{len(failures)} of {count} requests answered 5xx:\n" + "\n".join(failures[:60])
