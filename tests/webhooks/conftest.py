"""A real HTTP receiver on loopback, and a studio with an admin and an endpoint pointing at
it (WEBHOOK_ALLOW_PRIVATE on, as it must be to reach 127.0.0.1)."""
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.extensions import db


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next status of `script` (then `default`); a status of 3xx
    carries `Location: <redirect_to>`. Every request it got is in `requests`."""

    port: int = 0
    script: list = field(default_factory=list)
    default: int = 200
    redirect_to: str = ""
    requests: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks"

    def events(self):
        return [r.json["event"] for r in self.requests]


def _handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                receiver.requests.append(Received(self.path, dict(self.headers), body))
                status = receiver.script.pop(0) if receiver.script else receiver.default
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", receiver.redirect_to)
            reply = f"answer {status}".encode()
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture()
def receiver():
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture()
def allow_private(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    yield
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False


@dataclass
class HookWorld:
    studio: object
    admin: object
    owner: object
    endpoint: object


@pytest.fixture()
def hook_world(make, receiver, allow_private):
    from app.core.webhook_events import EVENTS
    from app.webhooks.services import create_endpoint

    studio = make.studio(name="Hooked Studio")
    owner = make.member(studio, "owner")
    admin = make.member(studio, "admin")
    endpoint = create_endpoint(studio, admin, url=receiver.url, events=list(EVENTS))
    db.session.commit()
    return HookWorld(studio, admin, owner, endpoint)
