"""Inventory pages and API lists run as many SQL queries for 12 rows as for 2 (no N+1; SPEC §8):
the catalogue with photo thumbnails, an item's history, the desk, the Borrowed tab and section,
the family portal's loans, and the API lists, for every role that sees them."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.core.timeutil import local_today
from app.extensions import db
from app.inventory import services
from app.people.models import TeacherProfile
from tests.conftest import api_login, bearer, web_login
from tests.query_counts import assert_flat
from tests.uploads import acting, png_bytes

CATEGORIES = ("instrument", "equipment", "accessory", "book", "other")
# Where a row's checkout stops: overdue first, so the 2-row lists already show every kind.
STEPS = ("overdue", "out", "requested", "returned", "approved")


class Lending:
    """A studio whose items (each with a photo) and checkouts can be grown. The signed-in
    student is `kid` of the parent's family; `shared` is one item every row borrows too, so
    its page's history grows."""

    def __init__(self, make, studio_setup):
        self.make = make
        self.studio = studio_setup.studio
        self.users = studio_setup.users
        self.admin = self.users["admin"]
        self.teacher = db.session.scalar(select(TeacherProfile).where(
            TeacherProfile.studio_id == self.studio.id,
            TeacherProfile.user_id == self.users["teacher"].id))
        self.family = make.family(self.studio, guardians=[self.users["parent"]], name="Bennett")
        self.kid = make.student(self.studio, self.family, first_name="Sam",
                                user=self.users["student"], primary_teacher=self.teacher)
        self.sibling = make.student(self.studio, self.family, first_name="Lily")
        self.shared = services.create_item(self.studio, self.admin, name="Shared violin",
                                           quantity=100, rental_fee="10.00")
        self._photo(self.shared)
        self.grown = 0
        db.session.commit()

    def _photo(self, item):
        with acting(self.admin, self.studio):
            upload = FileStorage(stream=io.BytesIO(png_bytes((60, 40))),
                                 filename=f"{item.name}.png", content_type="image/png")
            services.add_photo(self.studio, self.admin, item, upload)

    def _lend(self, item, student, requester, step):
        """A checkout of `item` for `student` left at `step` (one of STEPS)."""
        checkout = services.request_checkout(self.studio, requester, item, student)
        if step == "requested":
            return checkout
        decider = self.admin if step in ("out", "returned") else self.users["teacher"]
        services.approve_checkout(self.studio, decider, checkout, hand_out=step != "approved")
        if step == "returned":
            services.return_checkout(self.studio, decider, checkout, condition="good",
                                     note=f"Back {self.grown}")
        elif step == "overdue":
            checkout.due_date = local_today(self.studio) - timedelta(days=3)
            checkout.status = "overdue"
        return checkout

    def grow(self, n):
        """n more items, each with a photo, and two checkouts a row (one of the item, one of
        the shared item, returned when the family borrows it): every other borrower a child
        of the parent's family (the student's own every fourth row), the others children of
        families of their own."""
        for _ in range(n):
            i = self.grown
            self.grown += 1
            item = services.create_item(self.studio, self.admin, name=f"Item {i:02d}",
                                        category=CATEGORIES[i % len(CATEGORIES)], quantity=3,
                                        serial_number=f"SN-{i}", location=f"Shelf {i}")
            self._photo(item)
            if i % 2 == 0:
                student = self.kid if i % 4 == 0 else self.sibling
                requester = self.users["student"] if student is self.kid else self.users["parent"]
            else:
                student = self.make.student(self.studio, self.make.family(
                    self.studio, name=f"Family {i}"), first_name=f"Kid{i}")
                requester = self.users["teacher"]
            self._lend(item, student, requester, STEPS[i % 5])
            # A student has one open checkout of an item at a time: the family's are returned.
            self._lend(self.shared, student, requester,
                       "returned" if i % 2 == 0 else STEPS[(i + 2) % 5])
        db.session.commit()


@pytest.fixture()
def lending(make, studio_setup):
    return Lending(make, studio_setup)


STAFF_PAGES = ["/", "/inventory/", "/inventory/?category=instrument", "/inventory/?q=item",
               "/inventory/items/{shared}", "/inventory/desk", "/inventory/students/{kid}/borrowed",
               "/inventory/families/{family}/borrowed", "/families/{family}"]
FAMILY_PAGES = ["/", "/inventory/", "/inventory/items/{shared}",
                "/inventory/students/{kid}/borrowed"]
WEB_PAGES = {
    "admin": STAFF_PAGES,
    "teacher": STAFF_PAGES,
    "parent": [*FAMILY_PAGES, "/inventory/families/{family}/borrowed", "/families/{family}"],
    "student": FAMILY_PAGES,
}

API_LISTS = ["/api/v1/inventory/items", "/api/v1/inventory/items?ordering=-created_at",
             "/api/v1/inventory/checkouts", "/api/v1/inventory/checkouts?status=requested"]
API_ROLES = ("admin", "teacher", "parent", "student")


def _fill(path, lending):
    return path.format(shared=lending.shared.id, kid=lending.kid.id, family=lending.family.id)


@pytest.mark.parametrize(("role", "path"), [(r, p) for r, paths in WEB_PAGES.items() for p in paths])
def test_inventory_pages_do_not_grow_with_rows(app, client, lending, role, path):
    web_login(client, lending.users[role].email)
    page = assert_flat(app, lambda: client.get(_fill(path, lending)), lending.grow).last
    if path == "/inventory/":
        assert "Item 11" in page.get_data(as_text=True)


def test_the_catalogue_shows_a_thumbnail_per_item(app, client, lending):
    web_login(client, lending.users["admin"].email)
    lending.grow(12)
    page = client.get("/inventory/").get_data(as_text=True)
    assert page.count("/thumbnail") >= 12


@pytest.mark.parametrize(("role", "path"), [(r, p) for r in API_ROLES for p in API_LISTS])
def test_inventory_api_lists_do_not_grow_with_rows(app, client, lending, role, path):
    headers = bearer(api_login(client, lending.users[role].email))
    response = assert_flat(app, lambda: client.get(path, headers=headers), lending.grow).last
    if "status=" not in path:
        assert response.json["count"] >= 6
