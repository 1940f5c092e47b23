"""The inventory API over real HTTP: photos (EXIF stripped, thumbnails, one primary), bad
uploads, quantities, the checkout life cycle's conflicts, filters and search, error bodies,
and what families see."""
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.core.files import StoredFile
from app.extensions import db
from app.inventory.models import Checkout, InventoryItem, ItemPhoto
from tests.conftest import api_login, bearer
from tests.inventory.conftest import jpeg_with_exif, png_bytes

ITEMS = "/api/v1/inventory/items"
CHECKOUTS = "/api/v1/inventory/checkouts"
ERROR_KEYS = {"detail", "code", "field_errors", "request_id"}


@pytest.fixture()
def as_(client, lending_world):
    cache = {}

    def headers(who):
        if who not in cache:
            cache[who] = bearer(api_login(client, lending_world.emails[who]))
        return cache[who]

    return headers


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, headers, item_id, data, filename="violin.jpg"):
    return client.post(f"{ITEMS}/{item_id}/photos", headers=headers,
                       data={"photo": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert set(body) >= ERROR_KEYS, body
    return body


# ---------------------------------------------------------------- photos

def test_photo_upload_strips_exif_makes_a_thumbnail_and_one_primary(client, app, lending_world, as_):
    item_id, admin = lending_world.ids["violin"], as_("admin")
    original = jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()  # the upload really carries EXIF
    first = _upload(client, admin, item_id, original)
    assert first.status_code == 201, first.json
    photo = first.json
    assert photo["is_primary"] is True and (photo["width"], photo["height"]) == (800, 600)

    stored = client.get(photo["url"], headers=admin)
    assert stored.status_code == 200 and stored.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(stored.data))
    assert not image.getexif() and "exif" not in image.info
    assert b"PhoneCam" not in stored.data
    thumb = client.get(photo["thumbnail_url"], headers=admin)
    assert thumb.status_code == 200
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 320

    second = _upload(client, admin, item_id, png_bytes(), "side.png")
    assert second.status_code == 201 and second.json["is_primary"] is False
    item = client.get(f"{ITEMS}/{item_id}", headers=admin).json
    assert [p["is_primary"] for p in item["photos"]] == [True, False]
    assert item["primary_photo"]["id"] == photo["id"]

    made = client.post(f"{ITEMS}/{item_id}/photos/{second.json['id']}/primary", headers=admin)
    assert made.status_code == 200 and made.json["is_primary"] is True
    photos = client.get(f"{ITEMS}/{item_id}/photos", headers=admin).json
    assert [(p["id"], p["is_primary"]) for p in photos] == [(second.json["id"], True),
                                                            (photo["id"], False)]

    gone = client.delete(f"{ITEMS}/{item_id}/photos/{second.json['id']}", headers=admin)
    assert gone.status_code == 204
    photos = client.get(f"{ITEMS}/{item_id}/photos", headers=admin).json
    assert [(p["id"], p["is_primary"]) for p in photos] == [(photo["id"], True)]
    assert _count(app, StoredFile) == 2  # the remaining photo and its thumbnail
    assert client.get(f"{ITEMS}/{item_id}/photos/{second.json['id']}",
                      headers=admin).status_code == 404


@pytest.mark.parametrize("data, filename", [
    (png_bytes()[:120], "broken.png"),
    (b"just some words, not a picture\n" * 20, "notes.txt"),
    (b"just some words, not a picture\n" * 20, "sneaky.jpg"),
])
def test_a_broken_or_non_image_photo_is_400_and_stores_nothing(client, app, lending_world, as_,
                                                               data, filename):
    response = _upload(client, as_("admin"), lending_world.ids["violin"], data, filename)
    body = _error(response, 400)
    assert body["code"] == "VALIDATION_ERROR" and "photo" in body["field_errors"]
    assert _count(app, StoredFile) == 0 and _count(app, ItemPhoto) == 0


def test_a_missing_photo_field_is_400(client, lending_world, as_):
    response = client.post(f"{ITEMS}/{lending_world.ids['violin']}/photos", headers=as_("admin"),
                           data={}, content_type="multipart/form-data")
    assert "photo" in _error(response, 400)["field_errors"]


def test_families_and_teachers_may_not_upload_photos(client, app, lending_world, as_):
    for who in ("parent_x", "teacher"):
        _error(_upload(client, as_(who), lending_world.ids["violin"], png_bytes(), "a.png"), 403)
    assert _count(app, StoredFile) == 0


# ---------------------------------------------------------------- items

@pytest.mark.parametrize("body, field", [
    ({"name": "Flute", "quantity": -1}, "quantity"),
    ({"name": "Flute", "quantity": 2, "available_quantity": 3}, "available_quantity"),
    ({"name": "Flute", "quantity": 2, "available_quantity": -1}, "available_quantity"),
    ({"name": "", "quantity": 1}, "name"),
    ({"name": "Flute", "rental_fee": "-5.00"}, "rental_fee"),
    ({"name": "Flute", "category": "spaceship"}, "category"),
])
def test_bad_item_input_is_400_on_its_field(client, app, lending_world, as_, body, field):
    before = _count(app, InventoryItem)
    body = _error(client.post(ITEMS, json=body, headers=as_("admin")), 400)
    assert field in body["field_errors"], body
    assert _count(app, InventoryItem) == before


def test_patch_available_above_quantity_is_400(client, lending_world, as_):
    response = client.patch(f"{ITEMS}/{lending_world.ids['cello']}",
                            json={"available_quantity": 2}, headers=as_("admin"))
    assert "available_quantity" in _error(response, 400)["field_errors"]


def test_unknown_fields_are_rejected(client, lending_world, as_):
    response = client.post(ITEMS, json={"name": "Oboe", "colour": "black"}, headers=as_("admin"))
    assert "colour" in _error(response, 400)["field_errors"]


def test_create_and_patch_an_item(client, lending_world, as_):
    created = client.post(ITEMS, json={"name": "Guitar 1/2", "category": "instrument",
                                       "quantity": 3, "value": "120.00", "rental_fee": "8.50"},
                          headers=as_("admin"))
    assert created.status_code == 201, created.json
    assert created.json["available_quantity"] == 3 and created.json["rental_fee"] == "8.50"
    patched = client.patch(f"{ITEMS}/{created.json['id']}", json={"status": "maintenance"},
                           headers=as_("admin"))
    assert patched.status_code == 200 and patched.json["status"] == "maintenance"


def test_list_filters_and_search(client, lending_world, as_):
    admin = as_("admin")

    def names(query):
        response = client.get(f"{ITEMS}?{query}", headers=admin)
        assert response.status_code == 200, response.json
        assert set(response.json) == {"count", "next", "previous", "results"}
        return [item["name"] for item in response.json["results"]]

    assert names("") == ["Cello 1/2", "Studio tuner", "Suzuki Violin Book 1", "Violin 3/4"]
    assert names("category=book") == ["Suzuki Violin Book 1"]
    assert names("is_borrowable=false") == ["Studio tuner"]
    assert names("search=violin") == ["Suzuki Violin Book 1", "Violin 3/4"]
    assert names("search=VN-34") == ["Violin 3/4"]
    assert names("status=available&ordering=-name") == [
        "Violin 3/4", "Suzuki Violin Book 1", "Studio tuner", "Cello 1/2"]
    page = client.get(f"{ITEMS}?page_size=2", headers=admin).json
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    _error(client.get(f"{ITEMS}?category=spaceship", headers=admin), 400)
    _error(client.get(f"{ITEMS}?ordering=value", headers=admin), 400)


# ---------------------------------------------------------------- checkouts

def test_the_life_cycle_and_its_conflicts(client, lending_world, as_):
    ids, parent, admin = lending_world.ids, as_("parent_x"), as_("admin")
    asked = client.post(CHECKOUTS, json={"item": ids["violin"], "student": ids["kid_x"],
                                         "notes": "For the spring concert"}, headers=parent)
    assert asked.status_code == 201, asked.json
    checkout = asked.json["id"]
    assert asked.json["status"] == "requested" and asked.json["student"]["id"] == ids["kid_x"]
    again = client.post(CHECKOUTS, json={"item": ids["violin"], "student": ids["kid_x"]},
                        headers=parent)
    assert _error(again, 409)["code"] == "CONFLICT"

    _error(client.post(f"{CHECKOUTS}/{checkout}/approve", json={}, headers=parent), 403)
    approved = client.post(f"{CHECKOUTS}/{checkout}/approve", json={"hand_out": True},
                           headers=admin)
    assert approved.status_code == 200 and approved.json["status"] == "checked_out"
    assert approved.json["due_date"] and approved.json["checkout_date"]
    assert client.get(f"{ITEMS}/{ids['violin']}", headers=admin).json["available_quantity"] == 1

    returned = client.post(f"{CHECKOUTS}/{checkout}/return",
                           json={"condition": "good", "note": "All fine"}, headers=admin)
    assert returned.status_code == 200 and returned.json["status"] == "returned"
    assert returned.json["return_date"] and returned.json["returned_to"]
    twice = client.post(f"{CHECKOUTS}/{checkout}/return", json={"condition": "good"}, headers=admin)
    assert "not out" in _error(twice, 409)["detail"]
    rejected = client.post(f"{CHECKOUTS}/{checkout}/reject", json={"reason": "Late"}, headers=admin)
    _error(rejected, 409)
    handed = client.post(f"{CHECKOUTS}/{checkout}/hand-out", json={}, headers=admin)
    _error(handed, 409)
    assert client.get(f"{ITEMS}/{ids['violin']}", headers=admin).json["available_quantity"] == 2


def test_reject_needs_a_reason_and_return_a_condition(client, lending_world, as_):
    ids, admin = lending_world.ids, as_("admin")
    checkout = client.post(CHECKOUTS, json={"item": ids["cello"], "student": ids["kid_x"]},
                           headers=as_("parent_x")).json["id"]
    assert "reason" in _error(client.post(f"{CHECKOUTS}/{checkout}/reject", json={},
                                          headers=admin), 400)["field_errors"]
    assert "condition" in _error(client.post(f"{CHECKOUTS}/{lending_world.ids['loan_y']}/return",
                                             json={}, headers=admin), 400)["field_errors"]
    assert "condition" in _error(client.post(f"{CHECKOUTS}/{lending_world.ids['loan_y']}/return",
                                             json={"condition": "shiny"}, headers=admin),
                                 400)["field_errors"]


def test_approving_when_none_are_left_is_409_with_the_shelf(client, lending_world, as_):
    ids, admin = lending_world.ids, as_("admin")
    first = client.post(CHECKOUTS, json={"item": ids["cello"], "student": ids["kid_x"]},
                        headers=admin).json["id"]
    second = client.post(CHECKOUTS, json={"item": ids["cello"], "student": ids["kid_y"]},
                         headers=admin).json["id"]
    assert client.post(f"{CHECKOUTS}/{first}/approve", json={}, headers=admin).status_code == 200
    body = _error(client.post(f"{CHECKOUTS}/{second}/approve", json={}, headers=admin), 409)
    assert "None left" in body["detail"]


def test_checkout_filters(client, lending_world, as_):
    ids, admin = lending_world.ids, as_("admin")
    client.post(CHECKOUTS, json={"item": ids["violin"], "student": ids["kid_x"]}, headers=admin)

    def statuses(query):
        response = client.get(f"{CHECKOUTS}?{query}", headers=admin)
        assert response.status_code == 200, response.json
        return sorted(c["status"] for c in response.json["results"])

    assert statuses("") == ["checked_out", "requested"]
    assert statuses("status=requested") == ["requested"]
    assert statuses(f"student={ids['kid_y']}") == ["checked_out"]
    assert statuses(f"item={ids['violin']}") == ["requested"]
    assert statuses("search=suzuki") == ["checked_out"]
    _error(client.get(f"{CHECKOUTS}?status=lost", headers=admin), 400)


# ---------------------------------------------------------------- families' visibility

def test_families_see_only_borrowable_items(client, lending_world, as_):
    for who in ("parent_x", "student_x"):
        names = [i["name"] for i in client.get(ITEMS, headers=as_(who)).json["results"]]
        assert names == ["Cello 1/2", "Suzuki Violin Book 1", "Violin 3/4"]
        _error(client.get(f"{ITEMS}/{lending_world.ids['tuner']}", headers=as_(who)), 404)


def test_families_see_only_their_own_checkouts(client, lending_world, as_):
    ids = lending_world.ids
    assert client.get(CHECKOUTS, headers=as_("parent_x")).json["count"] == 0
    assert client.get(CHECKOUTS, headers=as_("parent_y")).json["count"] == 1
    _error(client.get(f"{CHECKOUTS}/{ids['loan_y']}", headers=as_("parent_x")), 404)
    _error(client.get(f"{CHECKOUTS}/{ids['loan_y']}", headers=as_("student_x")), 404)
    assert client.get(f"{CHECKOUTS}/{ids['loan_y']}", headers=as_("parent_y")).status_code == 200


def test_families_request_only_for_their_own_children(client, app, lending_world, as_):
    ids = lending_world.ids
    before = _count(app, Checkout)
    _error(client.post(CHECKOUTS, json={"item": ids["violin"], "student": ids["kid_y"]},
                       headers=as_("parent_x")), 404)
    _error(client.post(CHECKOUTS, json={"item": ids["violin"], "student": ids["sibling_x"]},
                       headers=as_("student_x")), 404)
    _error(client.post(CHECKOUTS, json={"item": ids["tuner"], "student": ids["kid_x"]},
                       headers=as_("parent_x")), 404)
    assert _count(app, Checkout) == before
    mine = client.post(CHECKOUTS, json={"item": ids["book"], "student": ids["kid_x"]},
                       headers=as_("student_x"))
    assert mine.status_code == 201 and mine.json["requested_by"]


def test_another_studios_ids_are_404(client, lending_world, as_):
    ids, admin = lending_world.ids, as_("admin")
    _error(client.get(f"{ITEMS}/{ids['foreign']}", headers=admin), 404)
    _error(client.patch(f"{ITEMS}/{ids['foreign']}", json={"name": "Mine"}, headers=admin), 404)
    _error(client.get(f"{ITEMS}/{ids['violin']}", headers=as_("other_admin")), 404)
    _error(client.post(f"{CHECKOUTS}/{ids['loan_y']}/return", json={"condition": "good"},
                       headers=as_("other_admin")), 404)


def test_a_visible_checkout_families_may_not_change_is_403_before_the_body(client, lending_world,
                                                                            as_):
    response = client.post(f"{CHECKOUTS}/{lending_world.ids['loan_y']}/return",
                           json={"bogus": 1}, headers=as_("parent_y"))
    _error(response, 403)
