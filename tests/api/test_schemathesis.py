"""schemathesis over the whole OpenAPI spec: no 5xx, every response as documented.

New endpoints are covered as soon as they are in /api/openapi.json. Examples are bounded and
derandomized so the run stays fast and reproducible. Each operation is a subtest of its own.

(schemathesis' own pytest loader, `schemathesis.pytest.from_fixture`, relies on a pytest
internal that pytest 9 removed, so operations are driven through `as_strategy()` here.)
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.extensions import db
from tests import factories
from tests.conftest import api_login, bearer

# Examples per operation and mode; SCHEMATHESIS_MAX_EXAMPLES=100 makes a deeper run.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", 10))
# Schema-valid input can still break a business rule (a taken email, a wrong current
# password, an unknown IANA timezone): 400 is right there, so "valid data is accepted" is off.
# Everything else runs: no 5xx, documented status codes, headers and bodies, invalid input
# rejected, auth enforced.
EXCLUDED_CHECKS = [positive_data_acceptance]
SETTINGS = settings(derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
# Invalid input is rejected early and simply, so fewer negative examples find what there is.
EXAMPLES = {GenerationMode.POSITIVE: MAX_EXAMPLES, GenerationMode.NEGATIVE: max(1, MAX_EXAMPLES // 2)}


@pytest.fixture()
def admin_headers(app, client):
    """An admin of a studio with a few members; no context stays pushed during the run."""
    with app.app_context():
        studio = factories.StudioFactory(name="Schemathesis Studio")
        maker = factories.Maker()
        admin = maker.member(studio, "admin")
        for role in ("teacher", "parent", "student"):
            maker.member(studio, role)
        db.session.commit()
        email = admin.email
    return bearer(api_login(client, email))


@pytest.fixture()
def generous_rate_limits(app, monkeypatch):
    """Hundreds of requests in a few seconds: keep the budgets out of the way."""
    for name in ("RATELIMIT_API_AUTHENTICATED", "RATELIMIT_API_ANONYMOUS"):
        monkeypatch.setitem(app.config, name, "1000000/hour")
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "1000000/minute")


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 10
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_answers_as_documented(app, client, admin_headers, generous_rate_limits, subtests, mode):
    for operation in operations(app):
        with subtests.test(operation=operation.label):

            @settings(SETTINGS, max_examples=EXAMPLES[mode])
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                case.call_and_validate(headers=admin_headers, session=client,
                                       excluded_checks=EXCLUDED_CHECKS)

            try:
                check()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # no parameters or body to get wrong
