"""Throughput under load: gunicorn (2 sync workers) on the large dataset, driven by wrk.

The lessons API and the studio calendar page are measured next to /api/v1/health (one
`SELECT 1` through the same app, middleware and all) as the ceiling; runs are interleaved
(health, lessons, calendar, three times) and each figure is the median of its three runs,
reported with its range and as a ratio of the ceiling's median.
"""
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta

WRK_ARGS = ["-t2", "-c16", "-d10s"]
ROUNDS = 3
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
RATE_RE = re.compile(r"Requests/sec:\s+([\d.]+)")
NON_2XX_RE = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_up(base, server, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited; see its output above")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def _bearer(base, email, password):
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/api/v1/auth/login", data=json.dumps({"email": email, "password": password}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback
        return json.load(response)["access"]


def _session_cookie(base, email, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login").read().decode()
    match = CSRF_RE.search(html)
    form = urllib.parse.urlencode({"email": email, "password": password,
                                   "csrf_token": match.group(1) or match.group(2)}).encode()
    opener.open(f"{base}/login", data=form)
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


# A page of the lessons list no request of the run asked for before: page 1-20 of the
# lessons from one day of the year on (OFFSET stays shallow, as when a client pages through
# what is coming). wrk's two threads take the even and the odd combinations, and each run
# spells the URL its own way, so none is answered from the pages the API keeps.
NEW_PAGES = """
local threads = 0
function setup(thread)
  thread:set("n", threads)
  threads = threads + 1
end
function init(args)
  local spellings = {"/api/v1/lessons?page_size=20&start_date=%s&page=%d",
                     "/api/v1/lessons?start_date=%s&page=%d&page_size=20",
                     "/api/v1/lessons?page_size=20&ordering=scheduled_start&start_date=%s&page=%d"}
  spelling = spellings[tonumber(args[1]) + 1]
end
function request()
  n = n + 2
  return wrk.format(nil, string.format(spelling, DAYS[n % #DAYS + 1], math.floor(n / #DAYS) % 20 + 1))
end
"""


def _wrk(url, header=None, script=None, run=0):
    command = ["wrk", *WRK_ARGS, url]
    if header:
        command[1:1] = ["-H", header]
    if script:
        command[1:1] = ["-s", script]
        command += ["--", str(run)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    failures = NON_2XX_RE.search(output)
    if failures and int(failures.group(1)):
        raise RuntimeError(f"{url}: {failures.group(1)} responses were not 2xx/3xx\n{output}")
    return float(RATE_RE.search(output).group(1))


def run(database_url, root, password, ids):
    """[(label, median req/s, (low, high), ratio to the ceiling)] or a reason it was skipped."""
    if shutil.which("wrk") is None:
        return "wrk is not installed (Debian package `wrk`; `make bench` installs it)"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DATABASE_URL=database_url, RATELIMIT_ENABLED="0", JWT_ACCESS_MINUTES="120")
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
                "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(gunicorn, cwd=root, env=env, start_new_session=True)  # noqa: S603
    scratch = tempfile.TemporaryDirectory()
    try:
        _wait_up(base, server)
        token = _bearer(base, "admin@demo.test", password)
        cookie = _session_cookie(base, "admin@demo.test", password)
        today = ids["today"]
        script = os.path.join(scratch.name, "new-pages.lua")
        with open(script, "w") as out:
            days = [(ids["today"] + timedelta(days=offset)).isoformat() for offset in range(-182, 183)]
            out.write(f"DAYS = {{{', '.join(repr(day) for day in days)}}}\n" + NEW_PAGES)
        bearer = f"Authorization: Bearer {token}"
        targets = [
            ("Ceiling: /api/v1/health (SELECT 1)", f"{base}/api/v1/health", None, None),
            ("Lessons API, page of 20", f"{base}/api/v1/lessons?page_size=20", bearer, None),
            ("Lessons API, page of 20, a new page each request", f"{base}/api/v1/lessons", bearer, script),
            ("Calendar page, studio week", f"{base}/calendar?view=week&date={today.isoformat()}",
             f"Cookie: {cookie}", None),
        ]
        rates = {label: [] for label, _url, _header, _script in targets}
        for run in range(ROUNDS):
            for label, url, header, lua in targets:
                rates[label].append(_wrk(url, header, lua, run))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        scratch.cleanup()
    ceiling = statistics.median(rates[targets[0][0]])
    return [(label, statistics.median(values), (min(values), max(values)),
             statistics.median(values) / ceiling) for label, values in rates.items()]
