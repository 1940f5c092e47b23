"""The resource library: every route × every caller. Theo's resources are private, shared
with his student (the signed-in student, the parent's child) or studio-wide; Clara's are
private or shared with the Okafor child, so families meet resources not meant for them and
the teacher a colleague's uploads (which staff see but only their uploader and admins change)."""
import pytest

from tests.security.authorization.engine import (
    ALL,
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

LINK_FORM = {"title": "Etude on IMSLP", "resource_type": "link", "url": "https://imslp.org/",
             "visibility": "private", "description": "", "category": "", "tags": ""}
EDIT_FORM = {"title": "Renamed score", "visibility": "studio", "description": "",
             "category": "", "tags": "scales"}

ROWS = [
    # ------------------------------------------------------------------ API: resources
    Row("GET", "/api/v1/resources", api(ALL, 200, other=200)),
    Row("POST", "/api/v1/resources", api(STAFF, 400, other=400), INVALID, label="invalid body"),
    Row("GET", "/api/v1/resources/{res_private}", api(STAFF, 200, hidden=FAMILY)),
    Row("GET", "/api/v1/resources/{res_shared}", api(ALL, 200), label="shared with ours"),
    Row("GET", "/api/v1/resources/{res_studio}", api(ALL, 200), label="studio-wide"),
    Row("GET", "/api/v1/resources/{res_their_shared}", api(STAFF, 200, hidden=FAMILY),
        label="shared with theirs"),
    Row("GET", "/api/v1/resources/{foreign_resource}", api((), 200, hidden=ALL, other=200),
        label="another studio's"),
    Row("PATCH", "/api/v1/resources/{res_shared}", api(STAFF, 400), INVALID, label="invalid body"),
    Row("PATCH", "/api/v1/resources/{res_colleague}", api(M, 400), INVALID,
        label="a colleague's, invalid body"),
    Row("DELETE", "/api/v1/resources/{new_resource}", api(STAFF, 204)),
    Row("DELETE", "/api/v1/resources/{new_colleague_resource}", api(M, 204),
        label="a colleague's"),
    Row("GET", "/api/v1/resources/{res_shared}/download", api(ALL, 200)),
    Row("GET", "/api/v1/resources/{res_private}/download", api(STAFF, 200, hidden=FAMILY),
        label="private"),
    Row("GET", "/api/v1/resources/{res_their_shared}/download", api(STAFF, 200, hidden=FAMILY),
        label="shared with theirs"),
    Row("POST", "/api/v1/resources/{res_shared}/share", api(STAFF, 400), INVALID,
        label="invalid body"),
    Row("POST", "/api/v1/resources/{res_private}/share", api(STAFF, 400), INVALID,
        label="private, invalid body"),
    Row("POST", "/api/v1/resources/{book}/checkout", api(STAFF, 400), INVALID, label="invalid body"),
    # ------------------------------------------------------------------ API: loans
    Row("GET", "/api/v1/resource-checkouts", api(ALL, 200, other=200)),
    Row("GET", "/api/v1/resource-checkouts/{our_loan}", api(ALL, 200)),
    Row("GET", "/api/v1/resource-checkouts/{their_loan}", api(STAFF, 200, hidden=FAMILY),
        label="theirs"),
    Row("POST", "/api/v1/resource-checkouts/{new_loan}/return", api(STAFF, 200)),
    Row("POST", "/api/v1/resource-checkouts/{new_returned_loan}/return", api(STAFF, 409),
        label="already returned"),
    # ------------------------------------------------------------------ pages
    Row("GET", "/resources", page(ALL, 200, other=200)),
    Row("GET", "/resources/new", page(STAFF, 200, other=200)),
    Row("POST", "/resources/new", page(STAFF, DONE, other=DONE), LINK_FORM),
    Row("GET", "/resources/{res_private}", page(STAFF, 200, hidden=FAMILY)),
    Row("GET", "/resources/{res_shared}", page(ALL, 200), label="shared with ours"),
    Row("GET", "/resources/{res_their_shared}", page(STAFF, 200, hidden=FAMILY),
        label="shared with theirs"),
    Row("GET", "/resources/{res_shared}/download", page(ALL, 200)),
    Row("GET", "/resources/{res_private}/download", page(STAFF, 200, hidden=FAMILY),
        label="private"),
    Row("GET", "/resources/{res_private}/edit", page(STAFF, 200)),
    Row("GET", "/resources/{res_colleague}/edit", page(M, 200), label="a colleague's"),
    Row("POST", "/resources/{new_resource}/edit", page(STAFF, DONE), EDIT_FORM),
    Row("POST", "/resources/{new_resource}/delete", page(STAFF, DONE)),
    Row("POST", "/resources/{new_colleague_resource}/delete", page(M, DONE), label="a colleague's"),
    Row("POST", "/resources/{new_resource}/share", page(STAFF, DONE), {"students": "{kid}"}),
    Row("POST", "/resources/{new_book}/lend", page(STAFF, DONE), {"student": "{kid}"}),
    Row("GET", "/resource-checkouts", page(ALL, 200, other=200)),
    Row("POST", "/resource-checkouts/{new_loan}/return", page(STAFF, DONE)),
]


@pytest.mark.parametrize("row, role", cases(ROWS))
def test_route(matrix, row, role):
    check(matrix, row, role)
