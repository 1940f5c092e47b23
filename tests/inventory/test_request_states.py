"""A child who already asked for an item or has it is not offered Request again: the Borrow
page, the portal and the item's page say where it stands, with Withdraw for a waiting request."""
import re
import uuid
from datetime import timedelta

from app.accounts.models import Studio
from app.core.timeutil import local_today
from app.extensions import db
from app.inventory import services
from app.inventory.models import Checkout, InventoryItem
from app.people.models import Student
from tests.conftest import post_form, web_login


def _as(app, world, who):
    client = app.test_client()
    web_login(client, world.emails[who])
    return client


def _card(html, item_name):
    """The HTML of the item's card on the Borrow page or the portal."""
    cards = html.split('<li class="item-card')[1:]
    found = [card for card in cards if item_name in card]
    assert found, f"no card for {item_name}"
    return found[0]


def _request(app, world, item, student, who="parent_x"):
    with app.app_context():
        studio_item = db.session.get(InventoryItem, _uuid(world.ids[item]))
        child = db.session.get(Student, _uuid(world.ids[student]))
        checkout = services.request_checkout(_studio(world), None, studio_item, child)
        db.session.commit()
        return checkout.id


def _studio(world):
    return db.session.get(Studio, _uuid(world.ids["studio"]))


def _uuid(value):
    return uuid.UUID(value)


def test_the_borrow_page_shows_a_request_and_offers_only_the_other_child(app, lending_world):
    ids = lending_world.ids
    _request(app, lending_world, "violin", "kid_x")
    client = _as(app, lending_world, "parent_x")
    card = _card(client.get("/inventory/").get_data(as_text=True), "Violin 3/4")
    assert "<strong>Xena</strong>: Requested on" in card
    assert 'aria-label="Withdraw the request for Violin 3/4 for Xena"' in card
    # Only Xavi may still ask: no choice to make, the button says for whom.
    assert f'name="student" value="{ids["sibling_x"]}"' in card
    assert f'value="{ids["kid_x"]}"' not in card
    assert ">Request for Xavi</button>" in card
    # Items nobody asked for keep the plain choice of child.
    cello = _card(client.get("/inventory/").get_data(as_text=True), "Cello 1/2")
    assert "<select" in cello and "Requested on" not in cello


def test_a_loan_shows_its_due_date_and_no_request_once_every_child_has_it(app, lending_world):
    first = _request(app, lending_world, "book", "kid_x")
    _request(app, lending_world, "book", "sibling_x")
    with app.app_context():
        checkout = db.session.get(Checkout, first)
        services.approve_checkout(_studio(lending_world), None, checkout, hand_out=True)
        db.session.commit()
        due = checkout.due_date
    client = _as(app, lending_world, "parent_x")
    card = _card(client.get("/inventory/").get_data(as_text=True), "Suzuki Violin Book 1")
    assert f"<strong>Xena</strong>: Borrowed, due {due.day} {due.strftime('%b')}" in card
    assert "<strong>Xavi</strong>: Requested on" in card
    assert "request-form" not in card  # both children have asked: nothing left to offer
    # Only the waiting request can be withdrawn.
    assert card.count(">Withdraw</button>") == 1
    assert 'Withdraw the request for Suzuki Violin Book 1 for Xavi' in card


def test_the_portal_shows_the_state_and_withdraw_brings_request_back(app, lending_world):
    ids = lending_world.ids
    checkout_id = _request(app, lending_world, "cello", "kid_x")
    client = _as(app, lending_world, "student_x")
    card = _card(client.get("/").get_data(as_text=True), "Cello 1/2")
    assert "Requested on" in card and "<strong>" not in card  # a student: no name needed
    assert "request-form" not in card
    response = post_form(client, f"/inventory/checkouts/{checkout_id}/cancel", {}, token_path="/",
                         headers={"Referer": "http://localhost/"})
    assert response.status_code == 302 and response.headers["Location"] == "http://localhost/"
    after = client.get("/").get_data(as_text=True)
    assert "is withdrawn" in after
    card = _card(after, "Cello 1/2")
    assert "Requested on" not in card
    assert f'name="student" value="{ids["kid_x"]}"' in card


def test_the_item_page_lists_each_child_state_and_offers_the_others(app, lending_world):
    ids = lending_world.ids
    _request(app, lending_world, "violin", "sibling_x")
    client = _as(app, lending_world, "parent_x")
    html = client.get(f"/inventory/items/{ids['violin']}").get_data(as_text=True)
    borrow = html.split('id="request"', 1)[1].split("</article>", 1)[0]
    assert "<strong>Xavi</strong>: Requested on" in borrow and ">Withdraw</button>" in borrow
    options = re.findall(r'<option[^>]*value="([^"]+)"', borrow)
    assert options == [ids["kid_x"]]


def test_an_overdue_loan_says_so(app, lending_world):
    checkout_id = _request(app, lending_world, "cello", "kid_x")
    with app.app_context():
        checkout = db.session.get(Checkout, checkout_id)
        services.approve_checkout(_studio(lending_world), None, checkout, hand_out=True)
        checkout.status = "overdue"
        checkout.due_date = local_today(_studio(lending_world)) - timedelta(days=2)
        db.session.commit()
        due = checkout.due_date
    client = _as(app, lending_world, "parent_x")
    card = _card(client.get("/inventory/").get_data(as_text=True), "Cello 1/2")
    assert f"Overdue: was due {due.day} {due.strftime('%b')}" in card
    assert ">Withdraw</button>" not in card
