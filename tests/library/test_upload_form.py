"""The upload form adapts to the kind of resource: a file, a link or a physical item. Without
JavaScript every field is on the page; the server asks only for the chosen kind's fields and
puts each message next to its field."""
import io
import re
import uuid

from app.extensions import db
from app.library.models import Resource
from tests.conftest import post_form, web_login
from tests.library.conftest import png_bytes


def _client(app, lib, who="teacher"):
    client = app.test_client()
    web_login(client, lib.users[who].email)
    return client


def _post(client, **fields):
    form = {"title": "Item", "visibility": "private", "description": "", "category": "",
            "tags": "", "url": "", "copies": "", "resource_type": "", **fields}
    return post_form(client, "/resources/new", form, content_type="multipart/form-data")


def _checked(html):
    return re.findall(r'<input[^>]* checked [^>]*type="radio" value="(\w+)"', html)[0]


def _count():
    return db.session.scalar(db.select(db.func.count()).select_from(Resource))


def test_the_form_groups_the_kinds_in_a_fieldset_with_every_kinds_fields(app, lib):
    html = _client(app, lib).get("/resources/new").get_data(as_text=True)
    assert '<fieldset class="kind-choice" data-kind-choice' in html
    assert "<legend>What are you adding?</legend>" in html
    for kind in ("file", "link", "physical"):
        assert f'type="radio" value="{kind}"' in html and f'data-kind="{kind}"' in html
    assert _checked(html) == "file"  # a file unless told otherwise
    # Without JavaScript the fields of all kinds are there, each kind under its own legend.
    for name in ('name="file"', 'name="url"', 'name="copies"', 'name="resource_type"'):
        assert name in html
    assert "<legend>If it is a link</legend>" in html
    assert "Link (no file)" not in html  # the file's type lists file types only


def test_a_link_needs_its_address_next_to_the_field(app, lib):
    response = _post(_client(app, lib), kind="link")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<small id="url-error" class="field-error">Enter the address of the link' in html
    assert 'id="file-error"' not in html and 'id="copies-error"' not in html
    assert _checked(html) == "link"  # the choice is kept
    assert _count() == 0


def test_a_file_needs_a_file_and_a_physical_item_its_copies(app, lib):
    client = _client(app, lib)
    html = _post(client, kind="file").get_data(as_text=True)
    assert '<small id="file-error" class="field-error">Choose a file to upload.' in html
    assert 'id="url-error"' not in html
    html = _post(client, kind="physical").get_data(as_text=True)
    assert '<small id="copies-error" class="field-error">Say how many copies' in html
    html = _post(client, kind="physical", copies="0").get_data(as_text=True)
    assert 'id="copies-error"' in html
    assert _count() == 0


def test_only_the_chosen_kinds_fields_are_used(app, lib):
    client = _client(app, lib)
    # Every field filled in (no JavaScript): a link ignores the file and the copies.
    response = _post(client, kind="link", title="IMSLP", url="https://imslp.org", copies="4",
                     file=(io.BytesIO(png_bytes()), "hand.png"))
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    link = db.session.get(Resource, uuid.UUID(response.headers["Location"].rsplit("/", 1)[1]))
    assert link.resource_type == "link" and link.file_id is None and link.copies == 0
    response = _post(client, kind="physical", title="Suzuki 1", copies="3",
                     url="https://ignored.example")
    book = db.session.get(Resource, uuid.UUID(response.headers["Location"].rsplit("/", 1)[1]))
    assert book.resource_type == "physical" and book.copies == 3 and book.url == ""
    response = _post(client, kind="file", title="Hand", url="https://ignored.example",
                     resource_type="image", file=(io.BytesIO(png_bytes()), "hand.png"))
    image = db.session.get(Resource, uuid.UUID(response.headers["Location"].rsplit("/", 1)[1]))
    assert image.resource_type == "image" and image.url == "" and image.has_file


def test_a_file_of_the_wrong_type_is_refused_next_to_the_type(app, lib):
    html = _post(_client(app, lib), kind="file", resource_type="pdf",
                 file=(io.BytesIO(png_bytes()), "hand.png")).get_data(as_text=True)
    assert 'id="file-error"' in html or 'id="resource_type-error"' in html
    assert _count() == 0


def test_an_unknown_kind_is_refused(app, lib):
    response = _post(_client(app, lib), kind="hologram")
    assert response.status_code == 422
    assert 'id="kind-error"' in response.get_data(as_text=True)
    assert _count() == 0
