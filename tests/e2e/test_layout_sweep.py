"""Every main page, as each role, at desktop and phone width: zero axe violations of any
impact, one main landmark, an h1 and headings in order, and nothing wider than a phone."""

import pytest

from app.demo import DEMO_PASSWORD, seed
from app.extensions import db
from tests.e2e.conftest import DESKTOP, PHONE, axe_violations, login_in_browser

pytestmark = pytest.mark.e2e

ROLES = {
    "admin": "admin@demo.test",
    "teacher": "teacher@demo.test",
    "parent": "parent@demo.test",
    "student": "student@demo.test",
}
# Pages behind the sidebar's links, one of each kind: the first row of a list opens it.
DETAILS = {
    "/students": "table a[href^='/students/'], .card-list a[href^='/students/']",
    "/families": "table a[href^='/families/'], .card-list a[href^='/families/']",
    "/teachers": "table a[href^='/teachers/'], .card-list a[href^='/teachers/']",
    "/invoices": "#results a[href^='/invoices/']",
    "/lessons": "a[href^='/lessons/']",
    "/inventory/": ".item-list a[href^='/inventory/items/']",
    "/inventory/desk": "a[href*='tab=borrowed']",
}
EXTRA = ["/account/", "/calendar?view=day", "/calendar?view=month", "/reports"]

HEADINGS = """() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
  .filter(h => h.getClientRects().length > 0)
  .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 40)])"""


@pytest.fixture()
def demo(ctx):
    seed()
    db.session.commit()


def _pages(page, live_url):
    """{screenshot name: url} for the role: its sidebar, one page of each kind it lists, extras."""
    links = page.locator("aside.sidebar nav a")
    urls = [links.nth(i).get_attribute("href") for i in range(links.count())]
    pages = {url.strip("/").replace("/", "-") or "dashboard": url for url in urls}
    for list_url, selector in DETAILS.items():
        if list_url in urls:
            page.goto(live_url + list_url)
            first = page.locator(selector).first
            if first.count():
                pages[list_url.strip("/").replace("/", "-") + "-one"] = first.get_attribute("href")
    for url in EXTRA:
        if url.split("?")[0] in urls or url == "/account/":
            pages[url.strip("/").replace("/", "-").replace("?view=", "-")] = url
    return pages


def _problems(page):
    problems = []
    violations = axe_violations(page)
    problems += [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    if page.locator("main").count() != 1:
        problems.append(("main landmarks", page.locator("main, [role=main]").count()))
    levels = page.evaluate(HEADINGS)
    if not levels or levels[0][0] != 1 or [lv for lv, _ in levels].count(1) != 1:
        problems.append(("one h1 first", levels[:3]))
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b[0] > a[0] + 1]
    if skips:
        problems.append(("heading order", skips))
    return problems


def _space_under_menu(page):
    """On a phone the menu sits above the page: the pixels of its box below its last line,
    beyond its own padding (a short page must not stretch it)."""
    return page.evaluate("""() => {
      const menu = document.querySelector('aside.sidebar');
      if (!menu) return 0;
      const lines = [...menu.children].filter(c => c.getClientRects().length);
      const last = Math.max(...lines.map(c => c.getBoundingClientRect().bottom));
      const padding = parseFloat(getComputedStyle(menu).paddingBottom);
      return Math.round(menu.getBoundingClientRect().bottom - padding - last);
    }""")


def _overflow(page):
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_accessible_and_fits_a_phone(page, live_url, demo, role, shoot):
    login_in_browser(page, live_url, ROLES[role], DEMO_PASSWORD)
    pages = _pages(page, live_url)
    problems = {}
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for name, url in pages.items():
            response = page.goto(live_url + url)
            page.wait_for_load_state("networkidle")
            found = _problems(page)
            if response is None or response.status != 200:  # an error page passes axe too
                found.append(("status", response and response.status))
            if size == "phone" and _overflow(page) > 0:
                found.append(("scrolls sideways by", _overflow(page)))
            if size == "phone" and _space_under_menu(page) > 2:
                found.append(("blank space under the menu", _space_under_menu(page)))
            shoot(page, f"sweep-{role}-{name}-{size}")
            if found:
                problems[f"{size} {url}"] = found
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_report_totals_stay_whole_and_the_balances_table_shows_every_column(page, live_url, demo, shoot):
    login_in_browser(page, live_url, ROLES["admin"], DEMO_PASSWORD)
    page.goto(f"{live_url}/reports")
    balances = page.locator("article", has=page.get_by_role("heading", name="Outstanding balances"))
    assert balances.locator(".table-wrap").evaluate("el => el.scrollWidth <= el.clientWidth")
    total, wrap = (balances.get_by_role("columnheader", name="Total").bounding_box(),
                   balances.locator(".table-wrap").bounding_box())
    assert total["x"] + total["width"] <= wrap["x"] + wrap["width"] + 1
    page.set_viewport_size(PHONE)
    page.goto(f"{live_url}/reports")
    for value in page.locator(".stat-value").all():
        assert value.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), value.text_content()
        height, line = value.evaluate("el => [el.clientHeight, parseFloat(getComputedStyle(el).lineHeight)]")
        assert height < line * 1.5, f"{value.text_content()} wraps"
    shoot(page, "sweep-report-totals-phone")


def test_a_draft_invoice_fits_a_phone(page, live_url, demo, shoot):
    """The draft's line editor: amounts and Remove in view, and nothing (not even a visually
    hidden column header) pushes the page sideways."""
    login_in_browser(page, live_url, ROLES["admin"], DEMO_PASSWORD)
    page.goto(f"{live_url}/invoices?status=draft")
    page.goto(live_url + page.locator("#results a[href^='/invoices/']").first.get_attribute("href"))
    page.set_viewport_size(PHONE)
    page.reload()
    editor = page.locator(".draft-editor .table-wrap")
    assert _overflow(page) == 0
    assert editor.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert page.get_by_role("button", name="Remove line:").first.is_visible()
    total = page.locator(".draft-editor tfoot tr", has_text="Total").locator("td").first
    assert total.is_visible() and total.text_content().strip().startswith("$")
    shoot(page, "sweep-draft-invoice-phone")
