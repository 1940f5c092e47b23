"""A parent asks to borrow a violin on the Borrow page; a teacher approves and hands it out
at the checkout desk; it shows as out on the student's Borrowed tab; once its due date has
passed (the overdue job ran) it shows as overdue on the desk and on the family's page. In a
real browser, with accessibility checks and screenshots at desktop and phone width."""
import io
import re
from datetime import timedelta

import pytest
from flask import g
from PIL import Image, ImageDraw
from sqlalchemy import update
from werkzeug.datastructures import FileStorage

from app.accounts.models import Studio
from app.core.tenancy import Principal
from app.extensions import db
from app.inventory import services
from app.inventory.models import Checkout
from tests.e2e.conftest import DESKTOP, PHONE, axe_clean, login_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def _photo(color):
    image = Image.new("RGB", (640, 480), (245, 240, 228))
    ImageDraw.Draw(image).ellipse([200, 120, 440, 440], fill=color, outline=(70, 40, 20), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return FileStorage(io.BytesIO(out.getvalue()), filename="photo.jpg")


@pytest.fixture()
def journey(make):
    studio = make.studio(name="Journey Music")
    admin = make.member(studio, "admin", email="alice@journey.test", first_name="Alice",
                        last_name="Admin")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh", email="theo@journey.test")
    parent = make.member(studio, "parent", email="paula@journey.test", first_name="Paula",
                         last_name="Bennett")
    family = make.family(studio, guardians=[parent], name="Bennett Family")
    sam = make.student(studio, family, first_name="Sam", last_name="Bennett", primary_teacher=teacher)
    make.student(studio, family, first_name="Lily", last_name="Bennett", primary_teacher=teacher)
    g.web_principal = Principal(user=admin, studio=studio, role="admin")
    violin = services.create_item(studio, admin, name="Violin 3/4", quantity=1, rental_fee="15.00",
                                  location="Cabinet A", serial_number="VN-34", value="480.00")
    services.add_photo(studio, admin, violin, _photo((176, 98, 42)))
    services.add_photo(studio, admin, violin, _photo((120, 60, 30)))
    stand = services.create_item(studio, admin, name="Folding music stand", category="equipment",
                                 quantity=6)
    services.add_photo(studio, admin, stand, _photo((60, 60, 60)))
    services.create_item(studio, admin, name="Suzuki Violin School, Volume 1", category="book",
                         quantity=4)
    db.session.commit()
    return {"studio": studio.id, "sam": sam.id, "family": family.id, "violin": violin.id}


def _sign_out(page):
    page.locator("summary[aria-label$=', account menu']").click()
    page.get_by_role("button", name="Sign out").click()


def _fits_a_phone(page):
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth") <= 0


def _look(page, shoot, name):
    """axe-clean at desktop width and at phone width, nothing sideways, a screenshot of each."""
    page.wait_for_load_state("networkidle")
    axe_clean(page)
    shoot(page, f"inventory-{name}-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(100)
    axe_clean(page)
    assert _fits_a_phone(page), f"{page.url} scrolls sideways at 390 px"
    shoot(page, f"inventory-{name}-phone")
    page.set_viewport_size(DESKTOP)


def _pass_the_due_date(app, checkout_id):
    with app.app_context():
        checkout = db.session.get(Checkout, checkout_id)
        studio_id, due_date = checkout.studio_id, checkout.due_date
        db.session.execute(update(Checkout).where(Checkout.id == checkout_id).values(
            due_date=due_date - timedelta(days=30)))
        assert services.mark_overdue_checkouts(db.session.get(Studio, studio_id)) == 1
        db.session.commit()


def test_a_violin_is_requested_lent_and_comes_due(journey, app, page, live_url, shoot):
    violin_url = f"{live_url}/inventory/items/{journey['violin']}"
    sam_borrowed = f"{live_url}/students/{journey['sam']}?tab=borrowed"
    family_url = f"{live_url}/families/{journey['family']}"

    # The parent asks for the violin for Sam on the Borrow page.
    login_in_browser(page, live_url, "paula@journey.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Borrow").click()
    page.wait_for_url(re.compile(r"/inventory/$"))
    assert "Studio tuner" not in page.content()
    _look(page, shoot, "borrow-parent")
    card = page.locator(".item-card", has_text="Violin 3/4")
    card.get_by_label("Request Violin 3/4 for").select_option(label="Sam")
    card.get_by_role("button", name="Request Violin 3/4").click()
    assert "Violin 3/4 is requested for Sam" in page.locator(".flashes").inner_text()
    page.goto(violin_url)
    _look(page, shoot, "item-parent")
    page.goto(f"{live_url}/")
    assert "Violin 3/4" in page.locator("article[aria-labelledby=portal-borrowed]").inner_text()
    _look(page, shoot, "portal-parent")
    _sign_out(page)

    # A teacher approves and hands it out at the desk.
    login_in_browser(page, live_url, "theo@journey.test", PASSWORD)
    assert "Requests waiting" in page.locator("main").inner_text()
    page.get_by_role("link", name="Checkout desk").first.click()
    requests = page.locator("section[aria-labelledby=desk-requests]")
    assert "Sam Bennett" in requests.inner_text()
    _look(page, shoot, "desk-teacher")
    requests.get_by_role("button", name="Approve and hand out").click()
    assert "Violin 3/4 is handed out to Sam" in page.locator(".flashes").inner_text()
    assert "Violin 3/4" in page.locator("section[aria-labelledby=desk-out]").inner_text()
    page.goto(f"{live_url}/inventory/")
    _look(page, shoot, "list-teacher")
    page.goto(violin_url)
    _look(page, shoot, "item-teacher")

    # Out on Sam's Borrowed tab.
    page.goto(sam_borrowed)
    borrowed = page.locator("#inventory-borrowed")
    borrowed.wait_for()
    assert "Violin 3/4" in borrowed.inner_text() and "Out" in borrowed.inner_text()
    assert "Due" in borrowed.inner_text()
    _look(page, shoot, "borrowed-teacher")
    _sign_out(page)

    # The due date passes; the overdue job marks it.
    with app.app_context():
        checkout_id = db.session.scalar(db.select(Checkout.id).where(
            Checkout.item_id == journey["violin"]))
    _pass_the_due_date(app, checkout_id)

    login_in_browser(page, live_url, "alice@journey.test", PASSWORD)
    assert "Overdue loans" in page.locator("main").inner_text()
    _look(page, shoot, "dashboard-admin")
    page.goto(f"{live_url}/inventory/desk")
    overdue = page.locator("section[aria-labelledby=desk-overdue]")
    assert "Violin 3/4" in overdue.inner_text() and "Overdue" in overdue.inner_text()
    _look(page, shoot, "desk-admin")
    page.goto(f"{live_url}/inventory/")
    _look(page, shoot, "list-admin")
    page.goto(violin_url)
    assert page.locator(".photo-grid img").count() == 2
    _look(page, shoot, "item-admin")
    page.goto(sam_borrowed)
    page.locator("#inventory-borrowed").wait_for()
    assert "Overdue" in page.locator("#inventory-borrowed").inner_text()
    _look(page, shoot, "borrowed-admin")
    page.goto(family_url)
    family = page.locator("#inventory-borrowed")
    family.wait_for()
    assert "Overdue" in family.inner_text() and "Violin 3/4" in family.inner_text()
    _look(page, shoot, "family-admin")
    _sign_out(page)

    # The family sees it overdue on its page and on the portal.
    login_in_browser(page, live_url, "paula@journey.test", PASSWORD)
    portal = page.locator("article[aria-labelledby=portal-borrowed]")
    assert "overdue" in portal.inner_text() and "Violin 3/4" in portal.inner_text()
    page.goto(family_url)
    family = page.locator("#inventory-borrowed")
    family.wait_for()
    assert "Overdue" in family.inner_text() and "bring it back" in family.inner_text()
    _look(page, shoot, "family-parent")
    page.goto(sam_borrowed)
    page.locator("#inventory-borrowed").wait_for()
    _look(page, shoot, "borrowed-parent")
    page.goto(f"{live_url}/inventory/")
    _look(page, shoot, "list-parent")
