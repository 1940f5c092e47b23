"""Live updates under load: the deployment of README "Deploying", on the large dataset.

The pages on gunicorn with gunicorn.conf.py (2 sync workers), the streams on gunicorn with
gunicorn-stream.conf.py (1 gthread worker, 500 threads), events between processes through
Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/12, a channel of the bench's own).
Key pages are timed over HTTP (median of REPEAT, one warm-up) with no stream open, then
again with IDLE_CLIENTS streams open; then a separate process commits notify() for a member
EVENTS times and the time from its commit to the member's stream receiving the event is
taken (median, p95). The notifications it wrote are deleted afterwards.
"""
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

from bench.load import _free_port, _session_cookie, _wait_up

IDLE_CLIENTS = 300
EVENTS = 40
REPEAT = 15
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
CHANNEL = "cadenza:events:bench"
PAGE_TARGET_MS = 50

RAISER = """
import sys, time
from sqlalchemy import delete, select
from app import create_app
from app.accounts.models import Studio, User
from app.extensions import db
from app.messaging.models import Notification
from app.messaging.services import notify

email, count = sys.argv[1], int(sys.argv[2])
app = create_app(RATELIMIT_ENABLED=False)
with app.app_context():
    user = db.session.scalar(select(User).where(User.email == email))
    studio = user.memberships[0].studio
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()
    for n in range(count):
        notify(studio, [user], "new_message", "bench-live", message="", email=False)
        raised = time.time()  # the commit's time counts
        db.session.commit()
        sys.stdout.write(f"{raised!r}\\n"); sys.stdout.flush()
        time.sleep(0.1)
    db.session.execute(delete(Notification).where(Notification.user_id == user.id,
                                                  Notification.title == "bench-live"))
    db.session.commit()
"""


def _pages(ids):
    today = ids["today"]
    return [
        ("Dashboard (admin)", "admin", "/"),
        ("Calendar week, whole studio", "admin", f"/calendar?view=week&date={today}"),
        ("Students list", "admin", "/students"),
        ("Invoices list", "admin", "/invoices"),
        ("Portal home (parent)", "parent", "/"),
    ]


def _time_pages(port, cookies, pages, repeat):
    results = {}
    for label, who, path in pages:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        times = []
        for run in range(repeat + 1):
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookies[who]})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            if run:
                times.append((time.perf_counter() - started) * 1000)
        conn.close()
        results[label] = statistics.median(times)
    return results


def _open_stream(port, cookie):
    """A raw socket holding one idle stream (its first bytes read, then left alone)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall((f"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                  f"Cookie: {cookie}\r\n\r\n").encode())
    received = b""
    while b"connected" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("a stream closed before it started")
        received += chunk
    if b" 200 " not in received.split(b"\r\n", 1)[0]:
        raise RuntimeError(received[:200])
    return sock


class Receiver:
    """The measured member's stream: the arrival time of each `notification` event."""

    def __init__(self, port, cookie):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", "/stream", headers={"Cookie": cookie})
        self.response = self.conn.getresponse()
        self.arrivals, self.ready = [], threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.ready.wait(10), "the measured stream did not start"

    def _read(self):
        try:
            while True:
                line = self.response.readline()
                if not line:
                    return
                if line.startswith(b": connected"):
                    self.ready.set()
                elif line.startswith(b"event: notification"):
                    self.arrivals.append(time.time())
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            return

    def close(self):
        self.conn.close()


def _start(config, port, env, root):
    command = [sys.executable, "-m", "gunicorn", "-c", config, "--log-level", "warning", "wsgi:app"]
    return subprocess.Popen(command, cwd=root, env=dict(env, BIND=f"127.0.0.1:{port}"),  # noqa: S603
                            start_new_session=True)


def run(database_url, root, password, ids, repeat=REPEAT):
    """{"pages": [(label, idle ms, with streams ms)], "latency": (median, p95, n), ...}"""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} did not answer ({exc})"
    env = dict(os.environ, DATABASE_URL=database_url, RATELIMIT_ENABLED="0", REDIS_URL=REDIS_URL,
               EVENTS_CHANNEL=CHANNEL, WEB_CONCURRENCY="2")
    page_port, stream_port = _free_port(), _free_port()
    servers = [_start("gunicorn.conf.py", page_port, env, root),
               _start("gunicorn-stream.conf.py", stream_port, env, root)]
    idle, receiver, raiser = [], None, None
    try:
        for port, server in zip((page_port, stream_port), servers, strict=True):
            _wait_up(f"http://127.0.0.1:{port}", server)
        base = f"http://127.0.0.1:{page_port}"
        cookies = {"admin": _session_cookie(base, "admin@demo.test", password),
                   "parent": _session_cookie(base, "parent@demo.test", password),
                   "teacher": _session_cookie(base, "teacher@demo.test", password)}
        pages = _pages(ids)
        before = _time_pages(page_port, cookies, pages, repeat)
        started = time.perf_counter()
        for n in range(IDLE_CLIENTS):
            idle.append(_open_stream(stream_port, cookies["parent" if n % 2 else "admin"]))
        connect_seconds = time.perf_counter() - started
        during = _time_pages(page_port, cookies, pages, repeat)
        receiver = Receiver(stream_port, cookies["teacher"])
        raiser = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", RAISER, "teacher@demo.test", str(EVENTS)], cwd=root,
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert raiser.stdout.readline().strip() == "ready"
        raiser.stdin.write("go\n")
        raiser.stdin.flush()
        committed = [float(line) for line in raiser.stdout]
        raiser.wait(timeout=60)
        deadline = time.monotonic() + 10
        while len(receiver.arrivals) < len(committed) and time.monotonic() < deadline:
            time.sleep(0.05)
        latencies = sorted((arrived - sent) * 1000
                           for sent, arrived in zip(committed, receiver.arrivals, strict=False))
        alive = sum(1 for sock in idle if _still_open(sock))
    finally:
        if receiver is not None:
            receiver.close()
        for sock in idle:
            sock.close()
        if raiser is not None and raiser.poll() is None:
            raiser.kill()
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    return {"pages": [(label, before[label], during[label]) for label, _who, _path in pages],
            "latency": (statistics.median(latencies), p95, len(latencies), len(committed)),
            "idle": (alive, IDLE_CLIENTS, connect_seconds), "repeat": repeat}


def _still_open(sock):
    """The server still holds this stream: nothing, or only heartbeats, to read."""
    sock.setblocking(False)
    try:
        data = sock.recv(65536)
        return bool(data)
    except BlockingIOError:
        return True
    except OSError:
        return False


def render(result):
    if isinstance(result, str):
        return ["", f"Live updates: not measured ({result})."]
    alive, total, seconds = result["idle"]
    median, p95, received, sent = result["latency"]
    lines = ["", f"Live updates: pages on gunicorn (gunicorn.conf.py, 2 sync workers), streams on "
                 f"gunicorn (gunicorn-stream.conf.py, 1 gthread worker, 500 threads), Redis "
                 f"pub/sub between them. {total} idle streams opened in {seconds:.1f} s "
                 f"({alive} still open at the end); page times over HTTP, median of "
                 f"{result['repeat']}.", "",
             "| Page | Median ms, no stream open | Median ms, with the streams open | Target ms | OK |",
             "|---|---:|---:|---:|:-:|"]
    for label, before, during in result["pages"]:
        ok = "yes" if during < PAGE_TARGET_MS else "**no**"
        lines.append(f"| {label} | {before:.1f} | {during:.1f} | {PAGE_TARGET_MS} | {ok} |")
    lines += ["", f"Event to client: notify() committed in another process, received on the "
                  f"member's stream: median {median:.1f} ms, p95 {p95:.1f} ms "
                  f"({received} of {sent} events received)."]
    return lines
