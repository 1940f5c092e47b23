"""One populated studio per test module, with its callers signed in once.

The suite's own `_isolation` empties the database after every test; here the studio must
outlive the test, so it is emptied when the module's tests are done instead (pytest tears a
module's fixtures down before the next module's tests run, also under xdist).
"""
import pytest

from app.extensions import db, limiter
from tests.conftest import _clean_database, api_login, bearer, csrf_token, web_login
from tests.security.authorization.engine import REBUILD, RELOGIN, SUCCESS
from tests.security.authorization.world import World


@pytest.fixture(autouse=True)
def _isolation():
    """Rate-limit counters start fresh for every request of the matrix."""
    yield
    limiter.reset()


class Matrix:
    """The module's world, and a browser and an API token per role, made when first used."""

    def __init__(self, app):
        self.app = app
        self.build()

    def build(self):
        with self.app.test_request_context():
            self.world = World()
        self.browsers, self.tokens, self.csrf = {}, {}, {}

    def clean(self):
        with self.app.app_context():
            db.session.rollback()
            _clean_database()
            db.session.remove()

    def fresh(self, name, role):
        with self.app.test_request_context():
            try:
                return self.world.fresh(name, role)
            finally:
                db.session.remove()

    def email(self, role):
        return self.world.emails[role]

    # ------------------------------------------------------------ API

    def api_headers(self, role):
        if role == "anonymous":
            return {}
        if role not in self.tokens:
            self.tokens[role] = bearer(api_login(self.app.test_client(), self.email(role)))
        return self.tokens[role]

    def api_call(self, role, method, url, body):
        if body is None and method in ("POST", "PATCH", "PUT"):
            body = {}
        client = self.app.test_client()
        return client.open(url, method=method, json=body, headers=self.api_headers(role))

    # ------------------------------------------------------------ pages

    def browser(self, role):
        if role not in self.browsers:
            client = self.app.test_client()
            if role != "anonymous":
                web_login(client, self.email(role))
            self.csrf[role] = csrf_token(client, "/login" if role == "anonymous" else "/account/")
            self.take_flashes(role, client)
            self.browsers[role] = client
        return self.browsers[role]

    def page_call(self, role, method, url, body, files=None):
        client = self.browser(role)
        if method == "GET":
            response = client.get(url)
        else:
            data = {"csrf_token": self.csrf[role], **(body or {})}
            if files is not None:
                data.update(files())
            response = client.open(url, method=method, data=data)
        response.get_data()
        response.close()
        return response

    def take_flashes(self, role, client=None):
        """The flashed messages waiting in the role's browser session, removed from it."""
        client = client or self.browsers[role]
        with client.session_transaction() as session:
            return session.pop("_flashes", [])

    # ------------------------------------------------------------ effects

    def after(self, row, role):
        if row.after == RELOGIN:
            self.browsers.pop(role, None)
            self.tokens.pop(role, None)
        elif row.after == REBUILD and row.expect[role] in SUCCESS:
            self.clean()
            self.build()


@pytest.fixture(scope="module")
def matrix(app):
    matrix = Matrix(app)
    yield matrix
    matrix.clean()
