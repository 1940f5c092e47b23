"""The inventory pages over real HTTP: the catalogue and its filters, forms with bad input,
photo uploads, the Request buttons (Borrow page, portal), the desk, the dashboards and the
Borrowed lists of a student and a family."""
import io
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from app.core.files import StoredFile
from app.extensions import db
from app.inventory import services
from app.inventory.models import Checkout, InventoryItem, ItemPhoto
from tests.conftest import csrf_token, post_form, web_login
from tests.inventory.conftest import jpeg_with_exif, png_bytes

HX = {"HX-Request": "true"}


def _login(client, world, who):
    web_login(client, world.emails[who])


def _as(app, world, who):
    """A fresh browser signed in as `who`."""
    client = app.test_client()
    web_login(client, world.emails[who])
    return client


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _checkout(app, item_id, student_id):
    with app.app_context():
        return db.session.scalar(select(Checkout).where(
            Checkout.item_id == uuid.UUID(item_id), Checkout.student_id == uuid.UUID(student_id)))


def _make_overdue(app, checkout_id):
    """The due date passed: move it back and run the overdue job's service."""
    from app.accounts.models import Studio

    with app.app_context():
        checkout_id = uuid.UUID(checkout_id)
        checkout = db.session.get(Checkout, checkout_id)
        db.session.execute(update(Checkout).where(Checkout.id == checkout_id).values(
            due_date=checkout.due_date - timedelta(days=60)))
        assert services.mark_overdue_checkouts(db.session.get(Studio, checkout.studio_id)) == 1
        db.session.commit()


# ---------------------------------------------------------------- the catalogue

def test_staff_see_the_whole_catalogue_families_the_borrowable(app, client, lending_world):
    _login(client, lending_world, "admin")
    html = client.get("/inventory/").get_data(as_text=True)
    assert "Studio tuner" in html and "Cabinet A" in html and "Add an item" in html
    client = _as(app, lending_world, "parent_x")
    page = client.get("/inventory/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Borrow from the studio" in html
    assert "Studio tuner" not in html and "Cabinet A" not in html and "Add an item" not in html
    assert client.get(f"/inventory/items/{lending_world.ids['tuner']}").status_code == 404
    assert client.get(f"/inventory/items/{lending_world.ids['foreign']}").status_code == 404


def test_filters_and_search_answer_a_partial_for_htmx(client, lending_world):
    _login(client, lending_world, "admin")
    html = client.get("/inventory/?q=violin", headers=HX).get_data(as_text=True)
    assert "<html" not in html and "Violin 3/4" in html and "Cello" not in html
    html = client.get("/inventory/?category=book").get_data(as_text=True)
    assert "Suzuki Violin Book 1" in html and "Violin 3/4" not in html
    assert client.get("/inventory/?category=%3Cscript%3E").status_code == 200


@pytest.mark.parametrize("fields, field_id, message", [
    ({"quantity": "-1"}, "quantity", "below zero"),
    ({"quantity": "2", "available_quantity": "3"}, "available_quantity", "more than the quantity"),
    ({"name": ""}, "name", ""),
    ({"rental_fee": "abc"}, "rental_fee", ""),
])
def test_bad_item_input_shows_the_message_next_to_the_field(client, app, lending_world, fields,
                                                          field_id, message):
    _login(client, lending_world, "admin")
    before = _count(app, InventoryItem)
    data = {"name": "Flute", "category": "instrument", "quantity": "1", "condition": "good",
            "max_checkout_days": "14", "status": "available", **fields}
    response = post_form(client, "/inventory/items/new", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field_id}-error"' in html and message in html
    assert _count(app, InventoryItem) == before


def test_add_and_edit_an_item(client, app, lending_world):
    _login(client, lending_world, "admin")
    response = post_form(client, "/inventory/items/new", {
        "name": "Keyboard 61", "category": "instrument", "quantity": "2", "condition": "good",
        "max_checkout_days": "30", "status": "available", "rental_fee": "12.00",
        "is_borrowable": "y"})
    assert response.status_code == 302
    item_url = response.headers["Location"]
    html = client.get(item_url).get_data(as_text=True)
    assert "Keyboard 61" in html and "a month" in html
    edit = post_form(client, item_url + "/edit", {
        "name": "Keyboard 61 keys", "category": "instrument", "quantity": "2", "condition": "fair",
        "max_checkout_days": "30", "status": "maintenance"})
    assert edit.status_code == 302
    assert "Keyboard 61 keys" in client.get(item_url).get_data(as_text=True)


def test_teachers_and_families_may_not_edit(app, lending_world):
    for who in ("teacher", "parent_x"):
        client = _as(app, lending_world, who)
        # A page the role may not use: flashed and sent back, never shown.
        assert client.get("/inventory/items/new").status_code == 302
        assert client.get(f"/inventory/items/{lending_world.ids['violin']}/edit").status_code == 302
        assert "Add an item" not in client.get("/inventory/").get_data(as_text=True)


# ---------------------------------------------------------------- photos on the page

def test_photo_upload_on_the_page(client, app, lending_world):
    _login(client, lending_world, "admin")
    item_url = f"/inventory/items/{lending_world.ids['violin']}"
    token = csrf_token(client, item_url)
    response = client.post(item_url + "/photos", data={
        "csrf_token": token, "photo": (io.BytesIO(jpeg_with_exif()), "violin.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    html = client.get(item_url).get_data(as_text=True)
    assert "Primary" in html and 'class="photo-grid"' in html
    thumb = re.search(r'src="(/inventory/items/[^"]+/thumbnail)"', html).group(1)
    assert client.get(thumb).status_code == 200
    client.post(item_url + "/photos", data={
        "csrf_token": token, "photo": (io.BytesIO(png_bytes()), "side.png")},
        content_type="multipart/form-data")
    with app.app_context():
        photos = db.session.scalars(select(ItemPhoto).order_by(ItemPhoto.created_at)).all()
        first, second = [str(p.id) for p in photos]
    assert post_form(client, f"{item_url}/photos/{second}/primary", {},
                     token_path=item_url).status_code == 302
    assert _count(app, ItemPhoto, ItemPhoto.is_primary.is_(True)) == 1
    assert post_form(client, f"{item_url}/photos/{second}/delete", {},
                     token_path=item_url).status_code == 302
    with app.app_context():
        [left] = db.session.scalars(select(ItemPhoto)).all()
        assert str(left.id) == first and left.is_primary


@pytest.mark.parametrize("data, filename", [(png_bytes()[:100], "cut.png"),
                                            (b"hello, plain text\n" * 10, "readme.txt")])
def test_a_bad_photo_shows_the_message_and_stores_nothing(client, app, lending_world, data,
                                                         filename):
    _login(client, lending_world, "admin")
    item_url = f"/inventory/items/{lending_world.ids['violin']}"
    response = client.post(item_url + "/photos", data={
        "csrf_token": csrf_token(client, item_url), "photo": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="photo-error"' in response.get_data(as_text=True)
    assert _count(app, StoredFile) == 0


# ---------------------------------------------------------------- requests

def test_a_parent_requests_from_the_borrow_page_for_a_chosen_child(client, app, lending_world):
    ids = lending_world.ids
    _login(client, lending_world, "parent_x")
    html = client.get("/inventory/").get_data(as_text=True)
    assert "Request" in html and "Xavi" in html and "Xena" in html  # the child to pick
    response = post_form(client, f"/inventory/items/{ids['violin']}/request",
                         {"student": ids["sibling_x"]}, token_path="/inventory/",
                         headers={"Referer": "http://localhost/inventory/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inventory/")
    checkout = _checkout(app, ids["violin"], ids["sibling_x"])
    assert checkout.status == "requested"
    # Another family's child is not theirs to choose.
    again = post_form(client, f"/inventory/items/{ids['cello']}/request",
                      {"student": ids["kid_y"]}, token_path="/inventory/")
    assert again.status_code == 422 and _checkout(app, ids["cello"], ids["kid_y"]) is None


def test_a_student_requests_for_themselves_from_the_portal(client, app, lending_world):
    ids = lending_world.ids
    _login(client, lending_world, "student_x")
    html = client.get("/").get_data(as_text=True)
    assert "Borrowed from the studio" in html and "You can ask to borrow" in html
    assert f'name="student" value="{ids["kid_x"]}"' in html  # nobody else to pick
    response = post_form(client, f"/inventory/items/{ids['cello']}/request",
                         {"student": ids["kid_x"]}, token_path="/",
                         headers={"Referer": "http://localhost/"})
    assert response.status_code == 302 and response.headers["Location"] == "http://localhost/"
    assert _checkout(app, ids["cello"], ids["kid_x"]).status == "requested"
    assert "Requested" in client.get("/").get_data(as_text=True)


def test_a_family_withdraws_its_waiting_request(client, app, lending_world):
    ids = lending_world.ids
    _login(client, lending_world, "parent_x")
    post_form(client, f"/inventory/items/{ids['cello']}/request", {"student": ids["kid_x"]},
              token_path=f"/inventory/items/{ids['cello']}")
    checkout = _checkout(app, ids["cello"], ids["kid_x"])
    back = f"/inventory/families/{ids['family_x']}/borrowed"
    assert post_form(client, f"/inventory/checkouts/{checkout.id}/cancel", {},
                     token_path=back).status_code == 302
    assert _checkout(app, ids["cello"], ids["kid_x"]).status == "cancelled"


# ---------------------------------------------------------------- the desk and the dashboards

def test_the_desk_approves_hands_out_and_takes_back(client, app, lending_world):
    ids = lending_world.ids
    with app.app_context():
        from app.accounts.models import Studio, User
        from app.people.models import Student

        studio = db.session.get(Studio, uuid.UUID(ids["studio"]))
        parent = db.session.scalar(select(User).where(User.email == lending_world.emails["parent_x"]))
        kid = db.session.get(Student, uuid.UUID(ids["kid_x"]))
        item = db.session.get(InventoryItem, uuid.UUID(ids["violin"]))
        checkout_id = services.request_checkout(studio, parent, item, kid).id
        db.session.commit()
    _login(client, lending_world, "teacher")
    html = client.get("/inventory/desk").get_data(as_text=True)
    assert "Requests (1)" in html and "Xena Xu" in html and "Out (1)" in html
    response = post_form(client, f"/inventory/checkouts/{checkout_id}/approve-and-hand-out", {},
                         token_path="/inventory/desk")
    assert response.status_code == 302
    html = client.get("/inventory/desk").get_data(as_text=True)
    assert "Requests (0)" in html and "Out (2)" in html
    token = csrf_token(client, "/inventory/desk")
    twice = client.post(f"/inventory/checkouts/{checkout_id}/approve", data={"csrf_token": token})
    assert twice.status_code == 302  # flashed, not a 500
    assert "only a waiting request" in client.get("/inventory/desk").get_data(as_text=True)
    back = post_form(client, f"/inventory/checkouts/{checkout_id}/return",
                     {"condition": "good", "note": "Fine"}, token_path="/inventory/desk")
    assert back.status_code == 302
    assert _checkout(app, ids["violin"], ids["kid_x"]).status == "returned"


def test_families_may_not_use_the_desk(app, client, lending_world):
    _login(client, lending_world, "parent_y")
    assert client.get("/inventory/desk").status_code == 302
    response = post_form(client, f"/inventory/checkouts/{lending_world.ids['loan_y']}/return",
                         {"condition": "good"}, token_path="/inventory/")
    assert response.status_code == 302
    assert "permission" in client.get("/inventory/").get_data(as_text=True)
    assert _checkout(app, lending_world.ids["book"], lending_world.ids["kid_y"]).status == "checked_out"


def test_overdue_loans_show_on_dashboards_desk_family_page_and_portal(client, app, lending_world):
    ids = lending_world.ids
    _make_overdue(app, ids["loan_y"])
    _login(client, lending_world, "admin")
    html = client.get("/").get_data(as_text=True)
    assert "Lending at a glance" in html and "Overdue loans" in html
    assert "Suzuki Violin Book 1" in html and "/inventory/desk#overdue" in html
    assert "Overdue (1)" in client.get("/inventory/desk").get_data(as_text=True)
    family = client.get(f"/inventory/families/{ids['family_y']}/borrowed", headers=HX)
    assert "Overdue:" in family.get_data(as_text=True)
    client = _as(app, lending_world, "teacher")
    assert "Lending at a glance" in client.get("/").get_data(as_text=True)
    client = _as(app, lending_world, "parent_y")
    html = client.get("/").get_data(as_text=True)
    assert "1 loan is overdue" in html and "Suzuki Violin Book 1" in html
    html = client.get(f"/inventory/families/{ids['family_y']}/borrowed").get_data(as_text=True)
    assert "Overdue" in html and "bring it back" in html
    client = _as(app, lending_world, "parent_x")
    assert "overdue" not in client.get("/").get_data(as_text=True).lower().split(
        "borrowed from the studio")[-1]
    assert client.get(f"/inventory/families/{ids['family_y']}/borrowed").status_code == 404


def test_the_students_borrowed_tab(app, client, lending_world):
    ids = lending_world.ids
    _login(client, lending_world, "admin")
    html = client.get(f"/inventory/students/{ids['kid_y']}/borrowed", headers=HX).get_data(as_text=True)
    assert "Suzuki Violin Book 1" in html and "Out" in html and "<html" not in html
    client = _as(app, lending_world, "parent_x")
    assert client.get(f"/inventory/students/{ids['kid_y']}/borrowed").status_code == 404


def test_an_empty_catalogue_says_what_to_do(app, client, lending_world):
    _login(client, lending_world, "admin")
    html = client.get("/inventory/?q=bassoon").get_data(as_text=True)
    assert "No items match these filters." in html and 'href="/inventory/"' in html
    with app.app_context():
        db.session.execute(update(InventoryItem).values(is_borrowable=False))
        db.session.commit()
    html = _as(app, lending_world, "parent_x").get("/inventory/").get_data(as_text=True)
    assert "The studio has nothing to lend right now." in html
    with app.app_context():
        db.session.execute(delete(InventoryItem).where(InventoryItem.name == "Foreign harp"))
        db.session.commit()
    html = _as(app, lending_world, "other_admin").get("/inventory/").get_data(as_text=True)
    assert "The inventory is empty." in html and 'href="/inventory/items/new"' in html


def test_an_item_lent_for_one_day_says_day(client, app, lending_world):
    with app.app_context():
        db.session.execute(update(InventoryItem).where(
            InventoryItem.name == "Cello 1/2").values(max_checkout_days=1))
        db.session.commit()
    _login(client, lending_world, "admin")
    html = client.get(f"/inventory/items/{lending_world.ids['cello']}").get_data(as_text=True)
    assert "1 day<" in html and "1 days" not in html



def test_an_item_families_may_not_borrow_tells_the_admin_how_to_lend_it(client, lending_world):
    _login(client, lending_world, "admin")
    tuner = lending_world.ids["tuner"]
    html = client.get(f"/inventory/items/{tuner}").get_data(as_text=True)
    assert "cannot be borrowed right now" in html
    assert f'href="/inventory/items/{tuner}/edit">Let families borrow it</a>' in html


def test_staff_see_every_loan_but_link_only_students_whose_page_they_may_open(app, client,
                                                                            lending_world):
    """A teacher sees every loan on the desk and in an item's history, but only the students
    they teach have pages they may open: the others' names are not links to a 404."""
    ids = lending_world.ids
    student_page = f"/students/{ids['kid_y']}?tab=borrowed"
    _login(client, lending_world, "teacher")
    for page in ("/inventory/desk", f"/inventory/items/{ids['book']}"):
        html = client.get(page).get_data(as_text=True)
        assert "Yuri Yates" in html and student_page not in html, page
        for link in set(re.findall(r'href="(/students/[^"]+)"', html)):
            assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    assert client.get(student_page).status_code == 404
    admin = app.test_client()
    _login(admin, lending_world, "admin")
    for page in ("/inventory/desk", f"/inventory/items/{ids['book']}"):
        assert student_page in admin.get(page).get_data(as_text=True), page
