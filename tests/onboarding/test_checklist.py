"""The onboarding checklist: each step ticks itself from the studio's data, and the list
shows on an owner's or admin's dashboard until every step is done or it is dismissed."""
from decimal import Decimal

import pytest

from app.accounts import services as accounts
from app.dashboard.onboarding import onboarding_checklist
from app.extensions import db
from tests.conftest import post_form, web_login


def done(studio):
    return {item.key: item.done for item in onboarding_checklist(studio)}


def test_a_new_studio_has_every_step_to_do(make):
    studio = make.studio()
    make.member(studio, "owner")

    assert done(studio) == dict.fromkeys(
        ("studio", "teachers", "families", "rates", "lesson", "invoice"), False)


def test_each_step_ticks_itself_from_the_studios_data(make):
    studio = make.studio()
    owner = make.member(studio, "owner")
    accounts.update_studio(studio, owner, address_line1="12 Elm Street", city="Springfield",
                           payment_instructions="Bank transfer to IBAN DE89 3704 0044 0532 0130 00")
    assert done(studio)["studio"] is True

    teacher = make.teacher(studio)
    assert done(studio)["teachers"] is True
    assert done(studio)["rates"] is False

    family = make.family(studio)
    assert done(studio)["families"] is False  # a family without students is not yet done
    student = make.student(studio, family, default_lesson_rate=Decimal("40.00"))
    assert done(studio)["families"] is True
    assert done(studio)["rates"] is True

    make.lesson(studio, teacher, [student])
    make.invoice(studio, family)
    assert all(done(studio).values())


def test_a_teachers_hourly_rate_also_counts_as_rates(make):
    studio = make.studio()
    make.teacher(studio, hourly_rate=Decimal("60.00"))

    assert done(studio)["rates"] is True


def test_another_studios_data_ticks_nothing(make):
    studio, other = make.studio(), make.studio()
    teacher = make.teacher(other, hourly_rate=Decimal("60.00"))
    make.lesson(other, teacher)
    make.invoice(other, make.family(other))

    assert not any(done(studio).values())


def test_studio_details_need_an_address_and_how_to_pay(make):
    studio = make.studio()
    owner = make.member(studio, "owner")
    accounts.update_studio(studio, owner, address_line1="12 Elm Street", city="Springfield")
    assert done(studio)["studio"] is False

    accounts.update_studio(studio, owner, payment_instructions="Cash or cheque at the desk.")
    assert done(studio)["studio"] is True


@pytest.fixture()
def new_studio(make):
    studio = make.studio(name="Fresh Start Studio")
    people = {role: make.member(studio, role) for role in ("owner", "admin", "parent")}
    db.session.commit()
    return studio, people


def dashboard(app, user):
    client = app.test_client()
    web_login(client, user.email)
    return client, client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_the_dashboard_shows_a_new_studio_its_checklist_with_links(app, new_studio, role):
    _, page = dashboard(app, new_studio[1][role])

    assert "Get your studio running" in page
    assert "0 of 6 done" in page
    for href in ('href="/settings/studio"', 'href="/teachers"', 'href="/families"',
                 'href="/people/import"', 'href="/calendar"', 'href="/invoices"'):
        assert href in page, href


@pytest.mark.parametrize("role", ["teacher", "parent"])
def test_teachers_and_families_never_see_the_checklist(app, new_studio, make, role):
    studio, people = new_studio
    people["teacher"] = make.teacher(studio).user
    db.session.commit()

    _, page = dashboard(app, people[role])

    assert "Get your studio running" not in page


def test_a_done_step_shows_ticked_on_the_dashboard(app, new_studio, make):
    studio, people = new_studio
    make.teacher(studio)
    db.session.commit()

    _, page = dashboard(app, people["owner"])

    assert "1 of 6 done" in page
    assert 'class="onboarding-step done" data-step="teachers"' in page
    assert 'class="onboarding-step" data-step="lesson"' in page


def test_dismissing_the_checklist_hides_it_for_the_whole_studio(app, new_studio):
    studio, people = new_studio
    client, _ = dashboard(app, people["owner"])

    response = post_form(client, "/settings/checklist/dismiss", token_path="/")

    assert response.status_code == 302
    assert "Get your studio running" not in client.get("/").get_data(as_text=True)
    _, admin_page = dashboard(app, people["admin"])
    assert "Get your studio running" not in admin_page


def test_the_checklist_disappears_once_every_step_is_done(app, new_studio, make):
    studio, people = new_studio
    studio.address_line1, studio.city, studio.payment_instructions = "1 Main St", "Troy", "Cash."
    teacher = make.teacher(studio, hourly_rate=Decimal("50.00"))
    family = make.family(studio)
    student = make.student(studio, family)
    make.lesson(studio, teacher, [student])
    make.invoice(studio, family)
    db.session.commit()

    _, page = dashboard(app, people["owner"])

    assert "Get your studio running" not in page

