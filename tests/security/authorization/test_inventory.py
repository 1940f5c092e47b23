"""Inventory items, photos and checkouts: every route × every caller. The violin is
borrowable (families see it), the amp is not (staff only); "our" checkout is the parent's
child's, "their" checkout another family's."""

import pytest

from tests.security.authorization.engine import (
    ALL,
    DENY,
    DONE,
    FAMILY,
    INVALID,
    STAFF,
    M,
    Row,
    api,
    cases,
    check,
    page,
)

ITEM_FORM = {"name": "Viola", "category": "instrument", "quantity": "2", "condition": "good",
             "max_checkout_days": "14", "status": "available", "is_borrowable": "y"}
PHOTO = "/inventory/items/{violin}/photos/{missing}"
API_PHOTO = "/api/v1/inventory/items/{violin}/photos/{missing}"

ROWS = [
    # ------------------------------------------------------------------ API: items
    Row("GET", "/api/v1/inventory/items", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/inventory/items", api(M, 400, other=400), INVALID, label="invalid body"),
    Row("GET", "/api/v1/inventory/items/{violin}", api(ALL, 200)),
    Row("GET", "/api/v1/inventory/items/{amp}", api(STAFF, 200, hidden=FAMILY), label="not borrowable"),
    Row("PATCH", "/api/v1/inventory/items/{violin}", api(M, 400), INVALID, label="invalid body"),
    Row("PATCH", "/api/v1/inventory/items/{amp}", api(M, 400), INVALID,
        label="not borrowable, invalid body"),
    Row("DELETE", "/api/v1/inventory/items/{new_item}", api(M, 204)),
    Row("GET", "/api/v1/inventory/items/{violin}/photos", api(ALL, 200)),
    Row("POST", "/api/v1/inventory/items/{violin}/photos", api(M, 400), label="no file"),
    Row("GET", API_PHOTO, api(hidden=ALL), label="missing photo"),
    Row("DELETE", API_PHOTO, api(hidden=M), label="missing photo"),
    Row("GET", API_PHOTO + "/thumbnail", api(hidden=ALL), label="missing photo"),
    Row("POST", API_PHOTO + "/primary", api(hidden=M), label="missing photo"),
    # ------------------------------------------------------------------ API: checkouts
    Row("GET", "/api/v1/inventory/checkouts", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/inventory/checkouts", api(ALL, 400, other=400), INVALID, label="invalid body"),
    Row("GET", "/api/v1/inventory/checkouts/{our_checkout}", api(ALL, 200)),
    Row("GET", "/api/v1/inventory/checkouts/{their_checkout}", api(STAFF, 200, hidden=FAMILY),
        label="another family's"),
    *[Row("POST", f"/api/v1/inventory/checkouts/{{our_checkout}}/{action}", api(STAFF, 400), INVALID,
          label="invalid body") for action in ("approve", "reject", "hand-out", "return")],
    Row("POST", "/api/v1/inventory/checkouts/{their_checkout}/approve",
        api(STAFF, 400), INVALID, label="another family's, invalid body"),
    # ------------------------------------------------------------------ pages: items
    Row("GET", "/inventory/", page(ALL, 200, other=200)),
    Row("GET", "/inventory/items/new", page(M, 200, other=200)),
    Row("POST", "/inventory/items/new", page(M, DONE, other=DONE), ITEM_FORM),
    Row("GET", "/inventory/items/{violin}", page(ALL, 200)),
    Row("GET", "/inventory/items/{amp}", page(STAFF, 200, hidden=FAMILY), label="not borrowable"),
    Row("GET", "/inventory/items/{violin}/edit", page(M, 200)),
    Row("POST", "/inventory/items/{new_item}/edit", page(M, DONE), ITEM_FORM),
    Row("POST", "/inventory/items/{violin}/photos", page(M, 422), label="no file"),
    Row("GET", PHOTO, page(hidden=ALL), label="missing photo"),
    Row("GET", PHOTO + "/thumbnail", page(hidden=ALL), label="missing photo"),
    Row("POST", PHOTO + "/primary", page(hidden=M), label="missing photo"),
    Row("POST", PHOTO + "/delete", page(hidden=M), label="missing photo"),
    Row("POST", "/inventory/items/{new_item}/request", page(ALL, DONE), {"student": "{kid}"}),
    # ------------------------------------------------------------------ pages: checkouts
    Row("GET", "/inventory/desk", page(STAFF, 200, other=200)),
    Row("POST", "/inventory/checkouts/{new_checkout}/approve", page(STAFF, DONE)),
    Row("POST", "/inventory/checkouts/{new_checkout}/approve-and-hand-out", page(STAFF, DONE)),
    Row("POST", "/inventory/checkouts/{new_approved_checkout}/hand-out", page(STAFF, DONE)),
    Row("POST", "/inventory/checkouts/{new_checkout}/reject", page(STAFF, DONE), {"reason": "Sorry"}),
    Row("POST", "/inventory/checkouts/{new_out_checkout}/return", page(STAFF, DONE),
        {"condition": "good", "note": ""}),
    Row("POST", "/inventory/checkouts/{new_checkout}/cancel", page(FAMILY, DONE, other=DENY)),
    Row("GET", "/inventory/students/{kid}/borrowed", page(ALL, 200)),
    Row("GET", "/inventory/students/{stranger}/borrowed", page(M, 200, hidden=("teacher", *FAMILY)),
        label="another family's"),
    Row("GET", "/inventory/families/{family}/borrowed", page((*STAFF, "parent"), 200, hidden=("student",))),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
