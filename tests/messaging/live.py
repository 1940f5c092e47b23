"""Helpers of the live-update tests: the app served over real HTTP (in a thread of this
process, or gunicorn in a process of its own, as deployed), and a client that reads a
text/event-stream as a browser's EventSource would."""
import http.client
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(app, **config):
    """`app` on a loopback port (threaded, as `flask run`), with `config` in force meanwhile;
    yields the base URL."""
    previous = {key: app.config.get(key) for key in config}
    app.config.update(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        app.config.update(previous)


@contextmanager
def gunicorn(database_url, secret_key, *, config="gunicorn-stream.conf.py", **env):
    """The app served by gunicorn with `config` (the repository's file) in a process of its
    own, as deployed; yields the base URL."""
    port = free_port()
    environment = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret_key,
                       RATELIMIT_ENABLED="0", BIND=f"127.0.0.1:{port}", **env)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and config # nosec B603
        [sys.executable, "-m", "gunicorn", "-c", config, "wsgi:app"], cwd=ROOT,
        env=environment, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_up(base, process=None, timeout=90):  # gunicorn starts slowly on a loaded machine
    parts = urlsplit(base)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer in {timeout} s")


class EventClient:
    """Reads one stream over HTTP in a thread: `events` fills with (name, data, received at)
    and `comments` with the comment lines; `status` and `headers` are the response's."""

    def __init__(self, base, path="/stream", headers=None, timeout=30):
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **(headers or {})})
        self.response = self.conn.getresponse()
        self.status, self.headers = self.response.status, self.response.headers
        self.events, self.comments, self.retry = queue.Queue(), [], None
        self.connected = threading.Event()
        self.ended = threading.Event()
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.response.read()
            self.ended.set()

    def _read(self):
        name, data = None, []
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                line = line.decode().rstrip("\r\n")
                if not line:
                    if data:
                        self.events.put((name or "message", json.loads("\n".join(data)),
                                         time.time()))
                    name, data = None, []
                elif line.startswith(":"):
                    self.comments.append(line[1:].strip())
                    self.connected.set()
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        name = value
                    elif field == "data":
                        data.append(value)
                    elif field == "retry":
                        self.retry = int(value)
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed by the test (http.client drops its file on close: AttributeError)
        finally:
            self.ended.set()

    def wait_connected(self, timeout=10):
        assert self.connected.wait(timeout), "the stream sent nothing"
        return self

    def next(self, timeout=10):
        """The next event (name, data); fails after `timeout` seconds."""
        try:
            name, data, _at = self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s") from None
        return name, data

    def next_timed(self, timeout=10):
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s") from None

    def close(self):
        try:
            self.response.close()
            self.conn.sock and self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
