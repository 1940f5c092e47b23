"""Studio details in the settings: address, tax id, payment instructions and a logo that is
checked by its content, re-encoded, and served only to the studio's members; the timezone
picker grouped by region."""
import io
import re

import pytest
from PIL import Image

from app.accounts import services
from app.accounts.models import Studio
from app.core.errors import ValidationFailed
from app.extensions import db
from tests.conftest import post_form, web_login
from tests.web.test_members_pages import studio_form

SETTINGS = "/settings/studio"
LOGO = "/settings/studio/logo"


def image_bytes(kind="PNG", size=(120, 60), color=(91, 60, 196), **options):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=kind, **options)
    return out.getvalue()


def upload(data, name="logo.png"):
    return (io.BytesIO(data), name)


@pytest.fixture()
def admin_client(client, studio_setup):
    web_login(client, studio_setup.users["admin"].email)
    return client


def reloaded(studio_setup):
    db.session.expire_all()
    return db.session.get(Studio, studio_setup.studio.id)


def save(client, **changes):
    return post_form(client, SETTINGS, studio_form(**changes), content_type="multipart/form-data")


DETAILS = {
    "address_line1": "12 Elm Street", "address_line2": "Suite 4", "city": "Springfield",
    "region": "IL", "postal_code": "62701", "country": "United States", "tax_id": "US-99-1234567",
    "payment_instructions": "Bank transfer to Harmony LLC\nIBAN DE89 3704 0044 0532 0130 00",
}


def test_the_settings_page_asks_for_the_studio_details_and_a_logo(admin_client):
    html = admin_client.get(SETTINGS).get_data(as_text=True)

    assert 'enctype="multipart/form-data"' in html
    for name in (*DETAILS, "logo_upload"):
        assert f'name="{name}"' in html, name
    assert 'autocomplete="postal-code"' in html


def test_studio_details_are_saved(admin_client, studio_setup):
    response = save(admin_client, **DETAILS)

    assert response.status_code == 302
    studio = reloaded(studio_setup)
    assert {name: getattr(studio, name) for name in DETAILS} == DETAILS
    assert studio.address_lines == ["12 Elm Street", "Suite 4", "Springfield, IL 62701", "United States"]


def test_a_too_long_detail_is_refused_next_to_its_field(admin_client, studio_setup):
    response = save(admin_client, tax_id="X" * 41)

    assert response.status_code == 422
    assert 'id="tax_id-error"' in response.get_data(as_text=True)
    assert reloaded(studio_setup).tax_id == ""


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
def test_a_logo_is_uploaded_re_encoded_and_served_to_members(admin_client, studio_setup, app, kind):
    response = save(admin_client, logo_upload=upload(image_bytes(kind), f"logo.{kind.lower()}"))

    assert response.status_code == 302
    studio = reloaded(studio_setup)
    assert studio.logo_digest and studio.logo.startswith(b"\x89PNG")
    served = admin_client.get(LOGO)
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(served.data)).size == (120, 60)
    parent = app.test_client()
    web_login(parent, studio_setup.users["parent"].email)
    assert parent.get(LOGO).status_code == 200


def test_a_logo_keeps_pixels_only(admin_client, studio_setup):
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    save(admin_client, logo_upload=upload(image_bytes("JPEG", exif=exif.tobytes()), "logo.jpg"))

    stored = reloaded(studio_setup).logo
    assert b"secret description" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()


def test_a_large_logo_is_scaled_down(admin_client, studio_setup):
    save(admin_client, logo_upload=upload(image_bytes(size=(2400, 1200))))

    assert Image.open(io.BytesIO(reloaded(studio_setup).logo)).size == (600, 300)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.png",
     "not an image we can read"),
    (b"GIF89a" + image_bytes("GIF")[6:], "logo.gif", "PNG, JPEG or WebP"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "logo.png", "not an image we can read"),
])
def test_a_file_that_is_not_a_png_jpeg_or_webp_image_is_refused(admin_client, studio_setup, data,
                                                                 name, message):
    response = save(admin_client, logo_upload=upload(data, name), name="Renamed")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="logo_upload-error"' in html and message in html
    studio = reloaded(studio_setup)
    assert studio.logo_digest is None and studio.name == "Harmony Test Studio"


def test_a_logo_over_one_megabyte_is_refused(admin_client, studio_setup):
    noisy = Image.frombytes("RGB", (700, 700), bytes(range(256)) * (700 * 700 * 3 // 256 + 1))
    out = io.BytesIO()
    noisy.save(out, format="PNG", compress_level=0)
    assert out.tell() > 1024 * 1024

    response = save(admin_client, logo_upload=upload(out.getvalue()))

    assert response.status_code == 422
    assert "at most 1 MB" in response.get_data(as_text=True)
    assert reloaded(studio_setup).logo_digest is None


def test_an_image_too_large_to_decode_is_refused(ctx, studio_setup):
    studio = db.session.get(Studio, studio_setup.studio.id)
    huge = image_bytes(size=(6000, 6000), color=(255, 255, 255))

    with pytest.raises(ValidationFailed) as refused:
        services.set_studio_logo(studio, studio_setup.users["admin"], huge)
    assert "5000" in refused.value.field_errors["logo"][0]


def test_the_logo_can_be_removed(admin_client, studio_setup):
    save(admin_client, logo_upload=upload(image_bytes()))
    assert 'name="remove_logo"' in admin_client.get(SETTINGS).get_data(as_text=True)

    save(admin_client, remove_logo="y")

    assert reloaded(studio_setup).logo_digest is None
    assert admin_client.get(LOGO).status_code == 404


def test_another_studios_logo_is_not_served(app, admin_client, studio_setup):
    save(admin_client, logo_upload=upload(image_bytes()))
    stranger = app.test_client()
    web_login(stranger, studio_setup.users["other_admin"].email)

    assert stranger.get(LOGO).status_code == 404
    assert app.test_client().get(LOGO).status_code == 302  # to the login page


def test_studio_details_refuse_nul_characters(ctx, studio_setup):
    studio = db.session.get(Studio, studio_setup.studio.id)
    owner = studio_setup.users["owner"]

    with pytest.raises(ValidationFailed) as refused:
        services.update_studio(studio, owner, payment_instructions="Cash\x00")
    assert "payment_instructions" in refused.value.field_errors


# ------------------------------------------------------------------ the timezone picker

def test_the_timezone_picker_groups_zones_by_region_with_a_search_box(app, admin_client):
    for html in (app.test_client().get("/signup").get_data(as_text=True),
                 admin_client.get(SETTINGS).get_data(as_text=True)):
        groups = re.findall(r'<optgroup label="([^"]+)"', html)
        assert groups[:3] == ["America", "Europe", "Asia"] and "Pacific" in groups
        assert '<option value="Europe/Paris">Paris</option>' in html
        assert '<option value="America/Argentina/Buenos_Aires">Argentina / Buenos Aires</option>' in html
        assert len(re.findall(r"<option value=", html)) > 400
        assert 'id="timezone-search"' in html and "js/timezone.js" in html


def test_signup_suggests_the_browsers_zone_only_on_a_new_form(client):
    assert 'data-browser-zone="preselect"' in client.get("/signup").get_data(as_text=True)

    refused = post_form(client, "/signup", {"studio_name": "", "timezone": "Asia/Tokyo"},
                        token_path="/signup")

    html = refused.get_data(as_text=True)
    assert 'data-browser-zone="offer"' in html
    assert '<option selected value="Asia/Tokyo">Tokyo</option>' in html
