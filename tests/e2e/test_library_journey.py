"""A teacher uploads a recording and shares it with their student; the student finds it on
the portal and in the library, and the audio plays and seeks in the page (Range requests
answered 206). In a real browser, with accessibility checks and screenshots."""
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.e2e.conftest import DESKTOP, PHONE, login_in_browser
from tests.factories import PASSWORD
from tests.library.conftest import wav_bytes

pytestmark = pytest.mark.e2e

TITLE = "Minuet, slow practice tempo"


@pytest.fixture()
def journey(make):
    studio = make.studio(name="Library Journey Music")
    teacher = make.teacher(studio, first_name="Theo", last_name="Marsh", email="theo@library.test")
    make.member(studio, "admin", email="ada@library.test", first_name="Ada", last_name="Admin")
    parent = make.member(studio, "parent", email="paula@library.test", first_name="Paula",
                         last_name="Bennett")
    student_user = make.member(studio, "student", email="sam@library.test", first_name="Sam",
                               last_name="Bennett")
    family = make.family(studio, guardians=[parent], name="Bennett Family")
    make.student(studio, family, first_name="Sam", last_name="Bennett", user=student_user,
                 primary_teacher=teacher)
    db.session.commit()


def _sign_out(page):
    page.locator("summary[aria-label$=', account menu']").click()
    page.get_by_role("button", name="Sign out").click()


def test_teacher_shares_a_recording_and_the_student_plays_it(journey, page, live_url, shoot,
                                                              axe_check, tmp_path):
    recording = tmp_path / "minuet.wav"
    recording.write_bytes(wav_bytes(seconds=3.0))

    login_in_browser(page, live_url, "theo@library.test", PASSWORD)
    page.get_by_role("link", name="Resources").click()
    expect(page.get_by_role("heading", name="Library", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Add resource").click()
    page.locator("input[type=file]").set_input_files(str(recording))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Tags").fill("minuet, listening")
    axe_check(page)
    shoot(page, "library-upload-teacher-1366")
    page.get_by_role("button", name="Add to library").click()
    page.wait_for_url(re.compile(r"/resources/[0-9a-f-]{36}$"))
    assert page.locator("audio#resource-player").count() == 1

    page.get_by_label("Sam Bennett").check()
    page.get_by_role("button", name="Save sharing").click()
    page.wait_for_url(re.compile(r"/resources/[0-9a-f-]{36}$"))
    assert "Shared" in page.locator("main").inner_text()
    axe_check(page)
    shoot(page, "library-resource-teacher-1366")
    _sign_out(page)

    login_in_browser(page, live_url, "sam@library.test", PASSWORD)
    portal = page.locator("article[aria-labelledby='portal-resources']")
    assert TITLE in portal.inner_text()
    ranged = []
    page.on("response", lambda r: ranged.append(r.status) if "/download" in r.url else None)
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_url(re.compile(r"/resources/[0-9a-f-]{36}$"))
    axe_check(page)

    played = page.evaluate("""async () => {
        const audio = document.querySelector('audio#resource-player');
        audio.muted = true;
        await audio.play();
        const start = performance.now();
        while (audio.currentTime < 0.3 && performance.now() - start < 5000) {
            await new Promise(r => setTimeout(r, 50));
        }
        const advanced = audio.currentTime;
        audio.pause();
        audio.currentTime = 2.2;
        await new Promise(resolve => {
            if (!audio.seeking) { resolve(); return; }
            audio.addEventListener('seeked', resolve, {once: true});
            setTimeout(resolve, 5000);
        });
        return {readyState: audio.readyState, advanced, after: audio.currentTime,
                duration: audio.duration, error: audio.error && audio.error.code};
    }""")
    assert played["error"] is None
    assert played["readyState"] >= 2
    assert played["advanced"] > 0.2
    assert abs(played["after"] - 2.2) < 0.1
    assert 206 in ranged, ranged
    shoot(page, "library-resource-student-1366")

    page.set_viewport_size(PHONE)
    page.goto(f"{live_url}/resources")
    axe_check(page)
    shoot(page, "library-list-student-390")
    page.goto(f"{live_url}/")
    shoot(page, "portal-resources-student-390")
    page.set_viewport_size(DESKTOP)


def test_staff_and_family_library_pages_pass_axe_on_desktop_and_phone(journey, page, live_url,
                                                                      shoot, axe_check):
    from app.library import services as library
    from app.library.demo import keyboard_png, text_pdf
    from tests.library.conftest import upload

    admin = next(iter(_users("ada@library.test")))
    client_pages = []
    with _acting(admin) as (studio, student):
        book = library.create_resource(studio, admin, title="Suzuki Piano School, Volume 1",
                                       resource_type="physical", copies=2, category="Method books",
                                       visibility="studio")
        library.lend_copy(studio, admin, book, student)
        chart = library.create_resource(studio, admin, title="Scale fingering chart",
                                        upload=_storage(upload(text_pdf("Chart", ["C major"]), "c.pdf")),
                                        category="Theory", tags=["scales"], visibility="studio")
        picture = library.create_resource(studio, admin, title="The keyboard",
                                          upload=_storage(upload(keyboard_png(), "k.png")),
                                          visibility="studio")
        link = library.create_resource(studio, admin, title="Minuet on IMSLP", resource_type="link",
                                       url="https://imslp.org/wiki/Minuet", visibility="studio")
        client_pages = [f"/resources/{r.id}" for r in (book, chart, picture, link)]
    login_in_browser(page, live_url, "ada@library.test", PASSWORD)
    for width, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        for path in ["/resources", "/resources/new", "/resource-checkouts", *client_pages]:
            page.goto(f"{live_url}{path}")
            axe_check(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, path
        shoot(page, f"library-link-admin-{width}")
        page.goto(f"{live_url}{client_pages[0]}")
        shoot(page, f"library-book-admin-{width}")
    page.goto(f"{live_url}/settings/studio")
    shoot(page, "settings-storage-admin-390")
    page.set_viewport_size(DESKTOP)
    _sign_out(page)
    login_in_browser(page, live_url, "paula@library.test", PASSWORD)
    for path in ["/", "/resources", "/resource-checkouts", client_pages[0]]:
        page.goto(f"{live_url}{path}")
        axe_check(page)
    page.goto(f"{live_url}/")
    shoot(page, "portal-resources-parent-1366")


def test_the_upload_form_shows_only_the_fields_of_the_chosen_kind(journey, page, live_url, shoot,
                                                                  axe_check):
    login_in_browser(page, live_url, "theo@library.test", PASSWORD)
    for width, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(f"{live_url}/resources/new")
        file_input, url, copies = page.locator("#file"), page.locator("#url"), page.locator("#copies")
        assert page.get_by_role("radio", name="File").is_checked()
        assert file_input.is_visible() and not url.is_visible() and not copies.is_visible()
        assert url.is_disabled() and copies.is_disabled()  # hidden: not focusable, not sent
        axe_check(page)
        shoot(page, f"library-upload-file-teacher-{width}")

        page.get_by_role("radio", name="Link").check()
        assert url.is_visible() and not file_input.is_visible() and file_input.is_disabled()
        assert not page.get_by_label("Type").is_visible()
        axe_check(page)
        shoot(page, f"library-upload-link-teacher-{width}")

        page.get_by_role("radio", name="Physical item").check()
        assert copies.is_visible() and copies.input_value() == "1" and not url.is_visible()
        # The keyboard reaches the copies right after the kinds, skipping the hidden fields.
        page.get_by_role("radio", name="Physical item").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "copies"
        axe_check(page)
        shoot(page, f"library-upload-physical-teacher-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

    # A link without its address comes back with the message next to the field, still a link.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_url}/resources/new")
    page.get_by_role("radio", name="Link").check()
    page.get_by_label("Title").fill("Minuet on IMSLP")
    page.get_by_role("button", name="Add to library").click()
    page.wait_for_load_state("load")
    page.locator("#file").wait_for(state="hidden")  # the enhancement applied to the new page
    error = page.locator("#url-error")
    assert error.is_visible() and "address of the link" in error.inner_text()
    assert page.get_by_role("radio", name="Link").is_checked()
    assert page.locator("#url").get_attribute("aria-invalid") == "true"
    assert not page.locator("#file").is_visible()
    axe_check(page)
    shoot(page, "library-upload-link-error-teacher-1366")
    page.locator("#url").fill("https://imslp.org/wiki/Minuet")
    page.get_by_role("button", name="Add to library").click()
    page.wait_for_url(re.compile(r"/resources/[0-9a-f-]{36}$"))
    assert "imslp.org" in page.locator("main").inner_text()


def _users(email):
    from app.accounts.models import User

    return db.session.scalars(db.select(User).where(User.email == email))


def _storage(pair):
    from werkzeug.datastructures import FileStorage

    stream, name = pair
    return FileStorage(stream, filename=name)


class _acting:
    """Act as `user` in their studio for services that store files, then commit."""

    def __init__(self, user):
        self.user = user

    def __enter__(self):
        from flask import g

        from app.accounts.models import Membership, Studio
        from app.core.tenancy import Principal
        from app.people.models import Student

        membership = db.session.scalar(db.select(Membership).where(Membership.user_id == self.user.id))
        studio = db.session.get(Studio, membership.studio_id)
        g.web_principal = Principal(user=self.user, studio=studio, role=membership.role)
        student = db.session.scalar(db.select(Student).where(Student.studio_id == studio.id))
        return studio, student

    def __exit__(self, *exc):
        from flask import g

        g.pop("web_principal", None)
        if exc[0] is None:
            db.session.commit()
