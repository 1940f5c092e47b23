"""Browser journeys: the app served on a loopback port, driven by Debian's Chromium."""
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Outside test-results/, which pytest-playwright empties at the start of every run.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP}


@pytest.fixture(autouse=True)
def no_script_errors(monkeypatch):
    """Every page a journey opens: no uncaught script error, and nothing the Content Security
    Policy refused (an inline handler, htmx evaluating a trigger filter, a foreign script).
    A page that fails so still looks fine in a screenshot: only the console tells."""
    from playwright.sync_api import Browser, BrowserContext

    errors = []

    def watch(page):
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: errors.append(
            f"{page.url} ({message.location.get('url')}:{message.location.get('lineNumber')}): "
            f"{message.text[:160]}") if "Content Security Policy" in message.text else None)
        return page

    for cls in (Browser, BrowserContext):
        opened = cls.new_page
        monkeypatch.setattr(cls, "new_page",
                            lambda self, *a, _opened=opened, **k: watch(_opened(self, *a, **k)))
    yield
    assert not errors, "script errors in the browser:\n" + "\n".join(errors[:10])


@pytest.fixture()
def shoot():
    """shoot(page, "name"): save a full-page screenshot under screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot


@pytest.fixture()
def axe_check():
    """axe_check(page): assert no accessibility violation of any impact (see axe_clean)."""
    return axe_clean


def axe_violations(page):
    """axe's violations on the page as it is now, whatever their impact."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def axe_clean(page):
    """Zero axe violations on the page, minor and moderate ones included."""
    violations = axe_violations(page)
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert not violations, f"accessibility violations on {page.url}: {summary}"


def login_in_browser(page, live_url, email, password):
    page.goto(f"{live_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_url}/")
