"""schemathesis over the whole OpenAPI document, every check on, against a populated studio.

Every operation is driven with schema-valid input (it must be accepted: 2xx, or 401/403/404/
409/412/429) and with schema-violating input (it must be refused), and every response must be as
documented: status code, headers, content type and body. Ids in path parameters are drawn from
the studio's real rows, so items are found, changed and deleted, not only missed. A stateful
run then follows the links schemathesis finds in the document (create -> get/patch/delete).

A schema-valid request may still break a rule JSON Schema cannot state (another row, today's
date, two fields together). Only operations whose 400 response lists such rules (see
app.core.api.refused_when) may answer 400 to valid input, and only about the fields their
list names: the `documented_rule` check below holds them to it.

Examples are bounded and derandomized so the run stays fast and reproducible;
SCHEMATHESIS_MAX_EXAMPLES=100 makes a deeper run. (schemathesis' own pytest loader relies on
a pytest internal that pytest 9 removed, so operations are driven through `as_strategy()`.)
"""
import io
import os
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import schemathesis
from flask import current_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from werkzeug.datastructures import FileStorage

from app.core.api import RULES_INTRO
from app.core.jobs import start_job
from app.extensions import db
from tests import factories
from tests.conftest import _clean_database, api_login, bearer
from tests.uploads import acting, png_bytes

# Examples per operation and mode; SCHEMATHESIS_MAX_EXAMPLES=100 makes a deeper run.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", 10))
SETTINGS = settings(derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
# Invalid input is rejected early and simply, so fewer negative examples find what there is.
EXAMPLES = {GenerationMode.POSITIVE: MAX_EXAMPLES, GenerationMode.NEGATIVE: max(1, MAX_EXAMPLES // 2)}
# What "valid input is accepted" means (schemathesis' default), plus 400 where the document
# lists the rules that can refuse valid input. A generated `If-Match` names no version the
# object has, so 412 is the right answer to it.
ACCEPTED = ["2xx", "401", "403", "404", "409", "412", "429"]
SPEC = "/api/openapi.json"
STUDIO_HEADER = "X-Studio-ID"
CREDENTIAL_HEADERS = ("Authorization", "X-API-Key")


# ------------------------------------------------------------------ a populated studio

def _populate():
    """A studio with some of everything, so that ids in paths can be real."""
    from app.billing.services import send_invoice

    make = factories.Maker()
    studio = factories.StudioFactory(name="Schemathesis Studio")
    admin = make.member(studio, "admin")
    make.member(studio, "student")
    teachers = [make.teacher(studio, hourly_rate="50.00") for _ in range(3)]
    rooms = [make.room(studio) for _ in range(2)]
    today = factories.studio_today()
    make.closure(studio, today + timedelta(days=200), today + timedelta(days=202))
    students = []
    for _ in range(3):
        family = make.family(studio, guardians=[make.member(studio, "parent")])
        students += [make.student(studio, family=family) for _ in range(2)]
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    for day, (teacher, student) in enumerate(zip(teachers * 2, students, strict=True)):
        past = make.lesson(studio, teacher=teacher, students=[student], room=rooms[day % 2],
                           start=now - timedelta(days=day + 2), status="completed")
        make.lesson(studio, teacher=teacher, students=[student], start=now + timedelta(days=day + 2))
        make.note(past, author=teacher.user)
        make.goal(student)
        make.practice(student)
    make.plan(studio, teachers[0].user)
    invoices = [make.invoice(studio, family=student.family) for student in students[::2]]
    for invoice in invoices[1:]:
        send_invoice(studio, None, invoice)
    make.payment(studio, invoices[1], "20.00")
    _converse(studio, admin, teachers[0].user)
    _lend(studio, admin, students)
    _shelve(studio, admin, students)
    _integrate(studio, admin)
    start_job(studio, admin, "auto_invoice", period_start=today.isoformat(),
              period_end=today.isoformat())
    db.session.commit()
    return admin.email


def _lend(studio, admin, students):
    """Inventory items with photos, and checkouts waiting, approved and out."""
    from app.inventory import services

    for number in range(2):
        item = services.create_item(studio, admin, name=f"Violin {number}", category="instrument",
                                    quantity=3, rental_fee="15.00")
        with current_app.test_request_context(), acting(admin, studio):
            services.add_photo(studio, admin, item, FileStorage(
                io.BytesIO(png_bytes((60, 40))), filename="violin.png", content_type="image/png"))
        services.request_checkout(studio, admin, item, students[0])
        approved = services.request_checkout(studio, admin, item, students[1])
        services.approve_checkout(studio, admin, approved, hand_out=number == 1)


def _shelve(studio, admin, students):
    """Library resources (a file, a link, a physical book) and a copy of the book lent out."""
    from app.library import services

    with current_app.test_request_context(), acting(admin, studio):
        services.create_resource(studio, admin, title="C major scale", visibility="studio",
                                 upload=FileStorage(io.BytesIO(png_bytes()), filename="scale.png",
                                                    content_type="image/png"))
    services.create_resource(studio, admin, title="IMSLP", resource_type="link",
                             url="https://imslp.org/")
    book = services.create_resource(studio, admin, title="Suzuki Book 1", resource_type="physical",
                                    copies=3)
    services.lend_copy(studio, admin, book, students[0])


def _converse(studio, admin, teacher):
    """A thread with a reply, and an announcement in everyone's bell."""
    from app.core.tenancy import Principal
    from app.messaging.services import announcements, threads

    thread = threads.create_thread(Principal(user=admin, studio=studio, role="admin"),
                                   "Recital", [teacher.id], "Who plays first?")
    threads.post_message(Principal(user=teacher, studio=studio, role="teacher"), thread, "Sam.")
    announcements.send_announcement(studio, admin, subject="Closed on Monday",
                                     body="The studio is **closed**.", audience="everyone")


def _integrate(studio, admin):
    """An API key, and a webhook endpoint with a test delivery waiting."""
    from app.developer.services import create_api_key
    from app.webhooks.services import create_endpoint, send_test_event

    create_api_key(studio, admin, name="Accounting export", scopes=["billing:read"])
    endpoint = create_endpoint(studio, admin, url="https://example.com/hooks",
                               events=["lesson.created", "invoice.paid"])
    send_test_event(studio, admin, endpoint)


# Path parameter -> the models whose ids fill it (a name several routes use takes each's).
def _id_sources():
    from app.billing.models import Invoice, Payment
    from app.core.jobs import Job
    from app.developer.models import ApiKey
    from app.inventory.models import Checkout, InventoryItem, ItemPhoto
    from app.library.models import Resource, ResourceCheckout
    from app.messaging.models import Announcement, Notification, Thread
    from app.people.models import Family, FamilyGuardian, Student, TeacherProfile
    from app.scheduling.models import (
        CancellationRequest,
        Lesson,
        MakeupCredit,
        RecurringSeries,
        Room,
        RoomReservation,
        StudioClosure,
    )
    from app.teaching.models import Goal, LessonNote, LessonPlan, PracticeLog
    from app.webhooks.models import WebhookDelivery, WebhookEndpoint

    return {
        "teacher_id": TeacherProfile, "student_id": Student, "family_id": Family,
        "guardian_id": FamilyGuardian, "lesson_id": Lesson, "series_id": RecurringSeries,
        "room_id": Room, "reservation_id": RoomReservation, "closure_id": StudioClosure,
        "request_id": CancellationRequest, "credit_id": MakeupCredit, "note_id": LessonNote,
        "goal_id": Goal, "plan_id": LessonPlan, "log_id": PracticeLog, "invoice_id": Invoice,
        "payment_id": Payment, "thread_id": Thread, "notification_id": Notification,
        "announcement_id": Announcement, "item_id": InventoryItem, "photo_id": ItemPhoto,
        "checkout_id": (Checkout, ResourceCheckout), "resource_id": Resource, "job_id": Job,
        "api_key_id": ApiKey, "endpoint_id": WebhookEndpoint, "delivery_id": WebhookDelivery,
    }


def real_ids(app):
    """Ids of the rows there are now (earlier operations create and delete some)."""
    with app.app_context():
        return {name: [str(i) for model in (models if isinstance(models, tuple) else (models,))
                       for i in db.session.scalars(db.select(model.id).limit(50))]
                for name, models in _id_sources().items()}


@pytest.fixture()
def admin_headers(app, client):
    with app.app_context():
        email = _populate()
    return bearer(api_login(client, email))


@pytest.fixture()
def generous_rate_limits(app, monkeypatch):
    """Thousands of requests in a few minutes: keep the budgets out of the way."""
    for name in ("RATELIMIT_API_AUTHENTICATED", "RATELIMIT_API_ANONYMOUS"):
        monkeypatch.setitem(app.config, name, "1000000/hour")
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "1000000/minute")


# ------------------------------------------------------------------ the document

def rules_of(operation):
    """The fields an operation's 400 says valid input can still be refused about, or None."""
    response = (operation.get("responses") or {}).get("400") or {}
    description = response.get("description") or ""
    if not description.startswith(RULES_INTRO):
        return None
    return set(re.findall(r"`([A-Za-z0-9_]+)", description))


def load_schema(app):
    """The document, with 400 counted as acceptance where it lists the rules behind it."""
    document = app.test_client().get(SPEC).json
    overrides = [
        {"include-path": path, "include-method": method.upper(),
         "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}}}
        for path, item in document["paths"].items() for method, operation in item.items()
        if method != "parameters" and rules_of(operation) is not None
    ]
    config = {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
    if overrides:
        config["operations"] = overrides
    config = SchemathesisConfig.from_dict(config)
    return document, schemathesis.openapi.from_wsgi(SPEC, app, config=config)


def documented_rule(document):
    """A 400 to schema-valid input names only fields the operation's 400 lists."""

    def check(ctx, response, case):
        if response.status_code != 400 or case.meta is None or not case.meta.generation.mode.is_positive:
            return None
        operation = document["paths"][case.operation.path][case.method.lower()]
        named = rules_of(operation)
        if named is None:
            return None  # no rules listed: positive_data_acceptance already refuses any 400
        refused = {_field_of(name) for name in response.json().get("field_errors", {})}
        if not refused <= named:
            raise Failure(operation=case.operation.label, title="Undocumented rule",
                          message=f"Valid input refused about {sorted(refused - named)}: "
                                  f"{response.json()}; the 400 lists {sorted(named)}.")
        return None

    return check


def _field_of(error_name):
    """The field an error is about: `settings.late_fee` -> settings, `1.weekday` -> weekday."""
    return next((part for part in error_name.split(".") if not part.isdigit()), error_name)


# ------------------------------------------------------------------ operation by operation

def with_real_ids(case, data, ids, mode):
    """Point path parameters at real rows (most of the time; a random id must answer 404), and
    act in the populated studio (most of the time; a random `X-Studio-ID` must answer 404)."""
    # Valid input goes with the caller's own credentials, not ones schemathesis makes up from
    # the security schemes: a random X-API-Key beside the bearer token answered 401 before the
    # operation ran. (Invalid input keeps them: a malformed one may be what is invalid.)
    if mode is GenerationMode.POSITIVE:
        for header in CREDENTIAL_HEADERS:
            (case.headers or {}).pop(header, None)
    studio = (case.headers or {}).get(STUDIO_HEADER)
    if studio is not None and (mode is GenerationMode.POSITIVE or _is_uuid(studio)):
        if data.draw(st.integers(0, 4), label="own studio"):
            del case.headers[STUDIO_HEADER]
    if "If-Match" in (case.headers or {}) and mode is GenerationMode.POSITIVE:
        if data.draw(st.integers(0, 4), label="unconditional write"):
            del case.headers["If-Match"]  # a random ETag never matches: let most writes through
    for name, value in (case.path_parameters or {}).items():
        if not ids.get(name):
            continue
        if mode is GenerationMode.NEGATIVE and not _is_uuid(value):
            continue  # the invalid part of this case
        if data.draw(st.integers(0, 4), label=f"real {name}"):
            case.path_parameters[name] = data.draw(st.sampled_from(ids[name]), label=name)
    return case


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def exercise(operation, mode, ids, **call):
    """A Hypothesis test of one operation in one mode, with ids drawn from `ids`."""

    @settings(SETTINGS, max_examples=EXAMPLES[mode])
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def check(case, data):
        case = with_real_ids(case, data, ids, mode)
        case.call_and_validate(**call)

    return check


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_answers_as_documented(app, client, admin_headers, generous_rate_limits, subtests, mode):
    document, schema = load_schema(app)
    rule_check = documented_rule(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 100
    for operation in operations:
        with subtests.test(operation=operation.label):
            check = exercise(operation, mode, real_ids(app), headers=admin_headers, session=client,
                             additional_checks=[rule_check])
            try:
                check()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # no parameters or body to get wrong


# ------------------------------------------------------------------ stateful: follow the links

def test_api_workflows_follow_the_documents_links(app, client, generous_rate_limits):
    """Each scenario starts from the same populated studio, so Hypothesis can replay one."""
    document, schema = load_schema(app)
    rule_check = documented_rule(document)

    class Workflow(schema.as_state_machine()):
        def setup(self):
            with app.app_context():
                _clean_database()
                email = _populate()
            self.headers = bearer(api_login(client, email))

        def get_call_kwargs(self, case):
            return {"headers": self.headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # `headers` tells the auth checks which credentials are ours to take away.
            case.validate_response(response, headers=self.headers, additional_checks=[rule_check],
                                   transport_kwargs=kwargs, recorder=self.recorder)

    Workflow.run(settings=settings(SETTINGS, max_examples=max(5, MAX_EXAMPLES),
                                   stateful_step_count=6))
