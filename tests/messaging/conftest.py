"""A real SMTP server on a loopback port (aiosmtpd), for the outbox's delivery tests."""
import asyncio
import socket
import threading
import time
from collections import Counter
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

DOMAIN = "outbox.cadenza.test"  # the Message-ID domain the tests configure


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What the server received, in order. A message counts as received as soon as its data
    has arrived, before the server answers 250 (`delay` seconds later): a sender that dies in
    between has handed the message over without knowing it, as happens with real servers."""

    def __init__(self):
        self.messages = []
        self.delay = 0.0
        self.refuse_next = 0  # answer this many DATA commands with a temporary failure
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_next:
            self.refuse_next -= 1
            return "451 4.3.0 Try again later"
        with self._arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self._arrived.notify_all()
        await asyncio.sleep(self.delay)
        return "250 2.0.0 Accepted"

    def wait_for(self, count, timeout=30):
        """Block until `count` messages have arrived; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.messages)} of {count} messages arrived in {timeout} s"
                self._arrived.wait(left)

    @property
    def recipients(self):
        return [message["To"] for message in self.messages]

    @property
    def message_ids(self):
        return Counter(message["Message-ID"] for message in self.messages)


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller = None

    def start(self):
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None


@pytest.fixture()
def smtp_server():
    """A started server; `stop()` makes its port refuse connections, `start()` opens it again."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def mail_config(app, monkeypatch, smtp_server):
    """The session app sends through the test's SMTP server."""
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port,
                       "MAIL_USE_TLS": False, "MAIL_MESSAGE_ID_DOMAIN": DOMAIN}.items():
        monkeypatch.setitem(app.config, key, value)
    return app.config
