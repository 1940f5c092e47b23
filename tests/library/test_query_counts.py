"""Library pages and API lists run as many SQL queries for 12 rows as for 2 (no N+1; SPEC §8):
the resource list, a book's loans, the loans page, lesson notes with their attached resources
and the family portal, for every role that sees them."""
import io
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.datastructures import FileStorage

from app.core.tenancy import Principal
from app.extensions import db
from app.library import policies, services
from tests.conftest import api_login, bearer, web_login
from tests.library.conftest import pdf_bytes
from tests.query_counts import assert_flat
from tests.uploads import acting, png_bytes

VISIBILITY = ("studio", "shared", "private")


class Library:
    """The `lib` studio with resources, shares, loans and notes that can be grown. `book` is
    one physical resource every row lends a copy of, so its page's loans grow."""

    def __init__(self, make, lib):
        self.make = make
        self.lib = lib
        self.studio = lib.studio
        self.users = lib.users
        self.kid, self.sibling = lib.students["kid"], lib.students["sibling"]
        self.teacher = self.kid.primary_teacher
        self.book = services.create_resource(self.studio, self.users["admin"], title="Shared book",
                                             resource_type="physical", copies=100,
                                             visibility="studio", tags=["scales"])
        self.grown = 0
        db.session.commit()

    def _resource(self, i, author, role):
        kind = i % 4
        common = {"title": f"Resource {i:02d}", "description": f"Piece {i}",
                  "category": f"Category {i % 3}", "tags": [f"tag{i % 3}", "scales"],
                  "visibility": VISIBILITY[i % 3]}
        with acting(author, self.studio, role):
            if kind == 0:
                upload = FileStorage(io.BytesIO(pdf_bytes(f"Piece {i}")), filename=f"p{i}.pdf",
                                     content_type="application/pdf")
                return services.create_resource(self.studio, author, upload=upload, **common)
            if kind == 1:
                upload = FileStorage(io.BytesIO(png_bytes()), filename=f"i{i}.png",
                                     content_type="image/png")
                return services.create_resource(self.studio, author, upload=upload, **common)
            if kind == 2:
                return services.create_resource(self.studio, author, resource_type="link",
                                                url=f"https://example.com/{i}", **common)
            return services.create_resource(self.studio, author, resource_type="physical",
                                            copies=2, **common)

    def grow(self, n):
        """n more resources (by the teacher, the admin or the colleague; of every type and
        visibility), each shared with a child of the parent's family; a note a row on a lesson
        of that child with the new resource and the book attached; a loan of the book a row
        (every third returned), to the family's children or the other family's."""
        past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
        authors = (("teacher", "teacher"), ("admin", "admin"), ("colleague", "teacher"))
        for _ in range(n):
            i = self.grown
            self.grown += 1
            name, role = authors[i % 3]
            author = self.users[name]
            resource = self._resource(i, author, role)
            child = self.kid if i % 2 == 0 else self.sibling
            services.share_resource(self.studio, self.users["admin"], resource, [child],
                                    shareable={child.id}, visibility=resource.visibility)
            lesson = self.make.lesson(self.studio, self.teacher, [child], status="completed",
                                      start=past - timedelta(hours=i))
            note = self.make.note(lesson, student=child, author=self.users["teacher"],
                                  summary=f"Note {i}")
            services.set_note_resources(self.studio, self.users["teacher"], note,
                                        [resource.id, self.book.id],
                                        visible=policies.visible_resources(Principal(
                                            user=self.users["admin"], studio=self.studio,
                                            role="admin")))
            borrower = (self.kid, self.sibling, self.lib.students["stranger"])[i % 3]
            loan = services.lend_copy(self.studio, author, self.book, borrower,
                                      due_date=past.date() + timedelta(days=14 + i))
            if resource.resource_type == "physical":
                services.lend_copy(self.studio, author, resource, borrower)
            if i % 3 == 2:
                services.return_copy(self.studio, self.users["admin"], loan)
        db.session.commit()


@pytest.fixture()
def library(make, lib):
    return Library(make, lib)


STAFF_PAGES = ["/resources", "/resources?q=resource", "/resources?tag=scales",
               "/resources?type=pdf", "/resources/{book}", "/resource-checkouts",
               "/resource-checkouts?status=all", "/notes", "/students/{kid}/notes", "/"]
FAMILY_PAGES = ["/", "/resources", "/resources?tag=scales", "/resources/{book}",
                "/resource-checkouts", "/resource-checkouts?status=all", "/notes",
                "/students/{kid}/notes"]
WEB_PAGES = {"admin": STAFF_PAGES, "teacher": STAFF_PAGES, "parent": FAMILY_PAGES,
             "student": FAMILY_PAGES}

API_LISTS = ["/api/v1/resources", "/api/v1/resources?tags=scales", "/api/v1/resource-checkouts",
             "/api/v1/resource-checkouts?status=checked_out", "/api/v1/lesson-notes"]
API_ROLES = ("admin", "teacher", "parent", "student")


def _fill(path, library):
    return path.format(book=library.book.id, kid=library.kid.id)


@pytest.mark.parametrize(("role", "path"), [(r, p) for r, paths in WEB_PAGES.items() for p in paths])
def test_library_pages_do_not_grow_with_rows(app, client, library, role, path):
    web_login(client, library.users[role].email)
    assert_flat(app, lambda: client.get(_fill(path, library)), library.grow)


def test_a_notes_list_shows_each_notes_resources(app, client, library):
    """The list the counts above measure does show the attachments (the book on every note)."""
    web_login(client, library.users["parent"].email)
    library.grow(12)
    page = client.get("/notes").get_data(as_text=True)
    assert page.count("Shared book") >= 10 and "Resource 00" in page


@pytest.mark.parametrize(("role", "path"), [(r, p) for r in API_ROLES for p in API_LISTS])
def test_library_api_lists_do_not_grow_with_rows(app, client, library, role, path):
    headers = bearer(api_login(client, library.users[role].email))
    response = assert_flat(app, lambda: client.get(path, headers=headers), library.grow).last
    assert response.json["count"] >= 4
