"""The whole flow over real HTTP, as an app on a person's computer runs it (RFC 8252): the
app listens on a loopback port, the person signs in and allows it in a browser-like client
that follows the server's 302 to the app's listener, the app exchanges the code with its
PKCE verifier, calls the API, refreshes and revokes."""
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from tests.factories import PASSWORD
from tests.oauth.conftest import authorize_query, pkce_pair

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture()
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class Receiver:
    """The app's loopback listener: records the query of each request to /callback."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                if url.path == "/callback":  # a browser asks for /favicon.ico too
                    received.append({k: v[0] for k, v in parse_qs(url.query).items()})
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"You can close this window.")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self.server.server_port}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    listener = Receiver()
    yield listener
    listener.close()


def _sign_in(browser, live_url, email):
    page = browser.get(f"{live_url}/login")
    token = CSRF.search(page.text).group(1)
    answer = browser.post(f"{live_url}/login", allow_redirects=False,
                          data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302


def _consent(browser, live_url, app, receiver, decision="allow", scope="people:read scheduling:read"):
    verifier, challenge = pkce_pair()
    url = live_url + authorize_query(app, redirect_uri=receiver.redirect_uri,
                                     challenge=challenge, scope=scope, state="live-state")
    page = browser.get(url)
    assert page.status_code == 200 and "Practice Buddy" in page.text
    token = CSRF.search(page.text).group(1)
    # The browser follows the 302 to the app's loopback listener, a real HTTP redirect.
    landed = browser.post(url, data={"csrf_token": token, "decision": decision})
    assert landed.status_code == 200 and landed.url.startswith(receiver.redirect_uri)
    assert landed.history[-1].status_code == 302
    return receiver.received[-1], verifier


def test_an_app_completes_the_pkce_flow_over_real_http(live_url, studio_app, receiver):
    browser = requests.Session()
    _sign_in(browser, live_url, studio_app["admin"])
    received, verifier = _consent(browser, live_url, studio_app, receiver)
    assert received["state"] == "live-state" and "code" in received

    app_client = requests.Session()  # the app: no cookies of the person's
    auth = (studio_app["client_id"], studio_app["secret"])
    issued = app_client.post(f"{live_url}/oauth/token", auth=auth, data={
        "grant_type": "authorization_code", "code": received["code"],
        "redirect_uri": receiver.redirect_uri, "code_verifier": verifier})
    assert issued.status_code == 200, issued.text
    assert issued.headers["Cache-Control"] == "no-store"
    tokens = issued.json()

    def call(path, access):
        return app_client.get(f"{live_url}{path}", headers={"Authorization": f"Bearer {access}"})

    assert call("/api/v1/students", tokens["access_token"]).status_code == 200
    outside = call("/api/v1/invoices", tokens["access_token"])
    assert outside.status_code == 403 and outside.json()["code"] == "FORBIDDEN"

    refreshed = app_client.post(f"{live_url}/oauth/token", auth=auth, data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert call("/api/v1/students", new["access_token"]).status_code == 200
    assert call("/api/v1/students", tokens["access_token"]).status_code == 401

    revoked = app_client.post(f"{live_url}/oauth/revoke", auth=auth,
                              data={"token": new["access_token"], "token_type_hint": "access_token"})
    assert revoked.status_code == 200
    assert call("/api/v1/students", new["access_token"]).status_code == 401
    dead = app_client.post(f"{live_url}/oauth/token", auth=auth, data={
        "grant_type": "refresh_token", "refresh_token": new["refresh_token"]})
    assert dead.status_code == 400 and dead.json()["error"] == "invalid_grant"


def test_deny_over_real_http_reaches_the_app_as_access_denied(live_url, studio_app, receiver):
    browser = requests.Session()
    _sign_in(browser, live_url, studio_app["admin"])
    received, _verifier = _consent(browser, live_url, studio_app, receiver, decision="deny")
    assert received["error"] == "access_denied" and received["state"] == "live-state"
    assert "code" not in received
