"""Studio members and settings pages: invitations, roles, deactivation, who may see them."""
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.accounts.models import Invitation, Membership, Studio, User
from app.core.audit import AuditLog
from app.core.db import utcnow
from app.extensions import db
from app.messaging.models import OutboxEmail
from tests.conftest import PASSWORD, post_form, web_login

MEMBERS = "/settings/members"
INVITATION_LINK = re.compile(r"http://localhost/invitations/([A-Za-z0-9_-]+)")


@pytest.fixture()
def admin_client(client, studio_setup):
    web_login(client, studio_setup.users["admin"].email)
    return client


def membership_of(user, studio):
    db.session.expire_all()
    return db.session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.studio_id == studio.id))


def invite(client, email, role="teacher", first_name="Fanny", **fields):
    if role == "parent":
        fields.setdefault("family_name", "Mendelssohn Family")
    return post_form(client, f"{MEMBERS}/invite",
                     {"email": email, "role": role, "first_name": first_name, **fields}, token_path=MEMBERS)


def sent_token(email):
    db.session.expire_all()
    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == email)
                              .order_by(OutboxEmail.created_at.desc())).first()
    return INVITATION_LINK.search(mail.body_text).group(1)


def flashes(client, path="/"):
    html = client.get(path).get_data(as_text=True)
    return re.findall(r'<p class="flash[^"]*"[^>]*>([^<]*)</p>', html)


# ------------------------------------------------------------------ invitations

def test_admin_invites_a_person_by_email(admin_client, studio_setup):
    response = invite(admin_client, "Fanny@Mendelssohn.Test", role="teacher")

    assert response.status_code == 302
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "fanny@mendelssohn.test"))
    assert mail.status == "pending"
    assert mail.studio_id == studio_setup.studio.id
    assert "Harmony Test Studio" in mail.subject
    assert "Hello Fanny," in mail.body_text
    token = INVITATION_LINK.search(mail.body_text).group(1)
    assert f"/invitations/{token}" in mail.body_text
    invitation = db.session.scalar(select(Invitation).where(Invitation.studio_id == studio_setup.studio.id))
    assert invitation.role == "teacher" and invitation.is_pending
    assert token not in invitation.token_hash  # only a hash of the token is stored
    page = admin_client.get(MEMBERS).get_data(as_text=True)
    assert "Invitation sent to fanny@mendelssohn.test." in page
    assert "fanny@mendelssohn.test" in page


def test_inviting_an_existing_member_shows_the_error(admin_client, studio_setup):
    response = invite(admin_client, studio_setup.users["teacher"].email)

    assert response.status_code == 422
    assert "Already a member of this studio." in response.get_data(as_text=True)


def test_inviting_as_owner_is_not_a_choice(admin_client, studio_setup):
    response = invite(admin_client, "someone@example.test", role="owner")

    assert response.status_code == 422
    assert db.session.scalar(select(Invitation)) is None


def test_new_user_accepts_an_invitation_sets_name_and_password_and_is_signed_in(
        app, admin_client, studio_setup):
    invite(admin_client, "fanny@mendelssohn.test", role="parent")
    token = sent_token("fanny@mendelssohn.test")
    visitor = app.test_client()

    page = visitor.get(f"/invitations/{token}")
    assert page.status_code == 200
    assert "Join Harmony Test Studio" in page.get_data(as_text=True)

    response = post_form(visitor, f"/invitations/{token}",
                         {"first_name": "Fanny", "last_name": "Hensel", "password": "a-long-enough-password"})

    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "fanny@mendelssohn.test"))
    assert (user.first_name, user.last_name) == ("Fanny", "Hensel")
    assert membership_of(user, studio_setup.studio).role == "parent"
    assert "You joined Harmony Test Studio." in visitor.get("/").get_data(as_text=True)
    web_login(app.test_client(), "fanny@mendelssohn.test", "a-long-enough-password")
    # The link works once.
    assert visitor.get(f"/invitations/{token}").status_code == 404


def test_an_invited_parent_joins_the_family_typed_and_signs_in_to_it(app, admin_client, studio_setup):
    response = invite(admin_client, "clara@schumann.test", role="parent", first_name="Clara",
                      family_name="Schumann Family")
    assert response.status_code == 302
    assert "Invitation sent to clara@schumann.test to join Schumann Family." in flashes(admin_client, MEMBERS)
    visitor = app.test_client()
    post_form(visitor, f"/invitations/{sent_token('clara@schumann.test')}",
              {"first_name": "Clara", "password": "a-long-enough-password"})
    home = visitor.get("/").get_data(as_text=True)
    assert "Schumann Family" in visitor.get("/my/family", follow_redirects=True).get_data(as_text=True)
    assert "not linked to a family" not in home


def test_an_invited_parent_can_join_an_existing_family(admin_client, make, studio_setup):
    family = make.family(studio_setup.studio, name="Brahms Family")
    db.session.commit()
    invite(admin_client, "johannes@brahms.test", role="parent", family=str(family.id))
    db.session.expire_all()
    assert [g.email for g in family.guardians] == ["johannes@brahms.test"]


def test_a_parent_without_a_family_keeps_what_was_typed(admin_client, studio_setup):
    response = invite(admin_client, "robert@schumann.test", role="parent", first_name="Robert",
                      family_name="")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A parent joins a family: choose one, or type the name of a new one." in html
    assert 'value="robert@schumann.test"' in html and 'value="Robert"' in html
    assert '<option selected value="parent">' in html
    assert db.session.scalar(select(Invitation)) is None


def test_the_invitation_form_is_prefilled_from_the_link(admin_client, make, studio_setup):
    family = make.family(studio_setup.studio, name="Bach Family")
    db.session.commit()
    url = f"{MEMBERS}?role=parent&family={family.id}&email=anna@bach.test"
    html = admin_client.get(url).get_data(as_text=True)
    assert 'value="anna@bach.test"' in html
    assert '<option selected value="parent">' in html
    assert f'<option selected value="{family.id}">Bach Family</option>' in html


def test_forms_posted_without_their_optional_name_fields_still_work(app, admin_client):
    """A POST may leave out an optional field altogether (the field is None, not "")."""
    response = post_form(admin_client, f"{MEMBERS}/invite",
                         {"email": "anon@example.test", "role": "parent", "family_name": "Anon Family"},
                         token_path=MEMBERS)
    assert response.status_code == 302
    visitor = app.test_client()
    response = post_form(visitor, f"/invitations/{sent_token('anon@example.test')}",
                         {"first_name": "Anon", "password": "a-long-enough-password"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "anon@example.test"))
    assert (user.first_name, user.last_name) == ("Anon", "")


def test_accepting_with_a_weak_password_shows_the_error(app, admin_client):
    invite(admin_client, "fanny@mendelssohn.test")
    token = sent_token("fanny@mendelssohn.test")
    visitor = app.test_client()

    response = post_form(visitor, f"/invitations/{token}",
                         {"first_name": "Fanny", "password": "fanny@mendelssohn.test"})

    assert response.status_code == 422
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "fanny@mendelssohn.test")) is None


def test_expired_invitation_shows_a_friendly_not_found_page(app, admin_client):
    invite(admin_client, "fanny@mendelssohn.test")
    token = sent_token("fanny@mendelssohn.test")

    with time_machine.travel(utcnow() + timedelta(days=8), tick=False):
        response = app.test_client().get(f"/invitations/{token}")

    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "This link does not work any more" in html
    assert 'href="/login"' in html


def test_revoked_invitation_shows_a_friendly_not_found_page(app, admin_client):
    invite(admin_client, "fanny@mendelssohn.test")
    token = sent_token("fanny@mendelssohn.test")
    invitation = db.session.scalar(select(Invitation))

    response = post_form(admin_client, f"/settings/invitations/{invitation.id}/revoke", token_path=MEMBERS)
    assert response.status_code == 302

    visitor = app.test_client()
    assert visitor.get(f"/invitations/{token}").status_code == 404
    refused = post_form(visitor, f"/invitations/{token}", {"first_name": "F", "password": "long-enough-pw"},
                        token_path="/login")
    assert refused.status_code == 404
    assert db.session.scalar(select(User).where(User.email == "fanny@mendelssohn.test")) is None


def test_a_newer_invitation_replaces_the_older_link(app, admin_client):
    invite(admin_client, "fanny@mendelssohn.test")
    old_token = sent_token("fanny@mendelssohn.test")
    invite(admin_client, "fanny@mendelssohn.test", role="student")
    new_token = sent_token("fanny@mendelssohn.test")

    assert app.test_client().get(f"/invitations/{old_token}").status_code == 404
    assert app.test_client().get(f"/invitations/{new_token}").status_code == 200


def test_unknown_invitation_token_is_not_found(client):
    assert client.get("/invitations/not-a-real-token").status_code == 404


def test_existing_user_must_sign_in_to_accept(app, admin_client, studio_setup):
    outsider = studio_setup.users["other_admin"]
    invite(admin_client, outsider.email, role="teacher")
    token = sent_token(outsider.email)
    visitor = app.test_client()

    page = visitor.get(f"/invitations/{token}").get_data(as_text=True)
    assert "Sign in to accept" in page
    assert post_form(visitor, f"/invitations/{token}", token_path="/login").status_code == 403
    assert membership_of(outsider, studio_setup.studio) is None

    # Signed in as someone else, the invitation is not theirs to accept.
    web_login(visitor, studio_setup.users["parent"].email)
    assert post_form(visitor, f"/invitations/{token}", token_path="/").status_code == 403
    assert membership_of(outsider, studio_setup.studio) is None

    invitee = app.test_client()
    web_login(invitee, outsider.email)
    assert "Accept the invitation" in invitee.get(f"/invitations/{token}").get_data(as_text=True)
    response = post_form(invitee, f"/invitations/{token}", token_path="/")

    assert response.status_code == 302
    assert membership_of(outsider, studio_setup.studio).role == "teacher"
    assert membership_of(outsider, studio_setup.other).role == "admin"
    assert "You joined Harmony Test Studio." in invitee.get("/").get_data(as_text=True)


def test_invitation_without_csrf_token_is_refused(admin_client):
    response = post_form(admin_client, f"{MEMBERS}/invite",
                         {"email": "x@example.test", "role": "teacher", "csrf_token": None})

    assert response.status_code == 400
    assert db.session.scalar(select(Invitation)) is None


# ------------------------------------------------------------------ roles and activity

def test_admin_changes_a_members_role(admin_client, studio_setup):
    teacher = studio_setup.users["teacher"]
    membership = membership_of(teacher, studio_setup.studio)

    response = post_form(admin_client, f"{MEMBERS}/{membership.id}/role", {"role": "admin"},
                         token_path=MEMBERS)

    assert response.status_code == 302
    assert membership_of(teacher, studio_setup.studio).role == "admin"
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "member.role_changed"))
    assert audit.details == {"old": "teacher", "new": "admin"}


@pytest.mark.parametrize("whose", ["admin", "owner"])
def test_admin_cannot_change_their_own_role_or_the_owners(admin_client, studio_setup, whose):
    membership = membership_of(studio_setup.users[whose], studio_setup.studio)
    before = membership.role

    post_form(admin_client, f"{MEMBERS}/{membership.id}/role", {"role": "teacher"}, token_path=MEMBERS)

    assert membership_of(studio_setup.users[whose], studio_setup.studio).role == before
    messages = flashes(admin_client, MEMBERS)
    assert any("cannot change your own role" in m or "ownership transfer" in m for m in messages)


def test_role_cannot_be_set_to_owner_through_the_form(admin_client, studio_setup):
    membership = membership_of(studio_setup.users["teacher"], studio_setup.studio)

    post_form(admin_client, f"{MEMBERS}/{membership.id}/role", {"role": "owner"}, token_path=MEMBERS)

    assert membership_of(studio_setup.users["teacher"], studio_setup.studio).role == "teacher"
    assert "Choose a valid role." in flashes(admin_client, MEMBERS)


def test_deactivate_and_reactivate_a_member(app, admin_client, studio_setup):
    parent = studio_setup.users["parent"]
    membership = membership_of(parent, studio_setup.studio)

    post_form(admin_client, f"{MEMBERS}/{membership.id}/deactivate", token_path=MEMBERS)
    assert membership_of(parent, studio_setup.studio).is_active is False
    assert "Deactivated" in admin_client.get(MEMBERS).get_data(as_text=True)

    post_form(admin_client, f"{MEMBERS}/{membership.id}/activate", token_path=MEMBERS)
    assert membership_of(parent, studio_setup.studio).is_active is True


@pytest.mark.parametrize("whose", ["admin", "owner"])
def test_admin_cannot_deactivate_themself_or_the_owner(admin_client, studio_setup, whose):
    membership = membership_of(studio_setup.users[whose], studio_setup.studio)

    post_form(admin_client, f"{MEMBERS}/{membership.id}/deactivate", token_path=MEMBERS)

    assert membership_of(studio_setup.users[whose], studio_setup.studio).is_active is True


def test_owner_transfers_ownership_to_an_admin(client, studio_setup):
    web_login(client, studio_setup.users["owner"].email)
    membership = membership_of(studio_setup.users["admin"], studio_setup.studio)

    post_form(client, f"{MEMBERS}/{membership.id}/transfer-ownership", token_path=MEMBERS)

    assert membership_of(studio_setup.users["admin"], studio_setup.studio).role == "owner"
    assert membership_of(studio_setup.users["owner"], studio_setup.studio).role == "admin"


def test_admin_cannot_transfer_ownership(admin_client, studio_setup):
    membership = membership_of(studio_setup.users["admin"], studio_setup.studio)

    post_form(admin_client, f"{MEMBERS}/{membership.id}/transfer-ownership", token_path=MEMBERS)

    assert membership_of(studio_setup.users["owner"], studio_setup.studio).role == "owner"


# ------------------------------------------------------------------ who may see what

@pytest.mark.parametrize("role", ["teacher", "parent", "student"])
@pytest.mark.parametrize("path", [MEMBERS, "/settings/studio"])
def test_non_managers_are_redirected_with_a_flash(client, studio_setup, role, path):
    web_login(client, studio_setup.users[role].email)

    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "You do not have permission to do that." in flashes(client)


@pytest.mark.parametrize("role", ["teacher", "parent", "student"])
def test_non_managers_cannot_post_member_changes(client, studio_setup, role):
    web_login(client, studio_setup.users[role].email)
    membership = membership_of(studio_setup.users["parent"], studio_setup.studio)

    post_form(client, f"{MEMBERS}/{membership.id}/role", {"role": "admin"}, token_path="/")
    post_form(client, f"{MEMBERS}/invite", {"email": "x@example.test", "role": "admin"}, token_path="/")

    assert membership_of(studio_setup.users["parent"], studio_setup.studio).role == "parent"
    assert db.session.scalar(select(Invitation)) is None


@pytest.mark.parametrize("action", ["role", "deactivate", "activate", "transfer-ownership"])
def test_a_membership_of_another_studio_is_not_found(client, studio_setup, action):
    web_login(client, studio_setup.users["owner"].email)
    foreign = membership_of(studio_setup.users["other_admin"], studio_setup.other)

    response = post_form(client, f"{MEMBERS}/{foreign.id}/{action}", {"role": "teacher"}, token_path=MEMBERS)

    assert response.status_code == 404
    assert membership_of(studio_setup.users["other_admin"], studio_setup.other).role == "admin"
    assert membership_of(studio_setup.users["other_admin"], studio_setup.other).is_active is True


@pytest.mark.parametrize("member_id", ["not-a-uuid", "3f0c9a52-6a59-4bd6-9d5e-0a4a8c1e2b7d"])
def test_an_unknown_membership_id_is_not_found(admin_client, member_id):
    response = post_form(admin_client, f"{MEMBERS}/{member_id}/deactivate", token_path=MEMBERS)

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_an_invitation_of_another_studio_cannot_be_revoked(client, studio_setup, ctx):
    web_login(client, studio_setup.users["other_admin"].email)
    invite(client, "someone@example.test")
    foreign = db.session.scalar(select(Invitation))
    admin = type(client)(client.application)
    web_login(admin, studio_setup.users["admin"].email)

    response = post_form(admin, f"/settings/invitations/{foreign.id}/revoke", token_path=MEMBERS)

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Invitation, foreign.id).revoked_at is None


# ------------------------------------------------------------------ studio settings

def studio_form(**changes):
    return {
        "name": "Harmony Test Studio", "timezone": "America/New_York", "currency": "USD",
        "locale": "en_US", "tax_rate": "0.00", "invoice_prefix": "INV", "invoice_due_days": "14",
        "late_fee": "0.00", "billing_mode": "after_attended", "cancellation_notice_hours": "24",
        "makeup_credits_enabled": "y", "makeup_credit_expiry_days": "60", "lesson_buffer_minutes": "0",
        **changes,
    }


def test_studio_settings_save(admin_client, studio_setup):
    response = post_form(admin_client, "/settings/studio", studio_form(
        name="Harmony Strings", timezone="Europe/Vienna", currency="EUR", locale="de_DE",
        tax_rate="8.25", invoice_prefix="HS", late_fee="12.50", billing_mode="in_advance"))

    assert response.status_code == 302
    db.session.expire_all()
    studio = db.session.get(Studio, studio_setup.studio.id)
    assert (studio.name, studio.timezone, studio.currency, studio.locale) == (
        "Harmony Strings", "Europe/Vienna", "EUR", "de_DE")
    assert str(studio.tax_rate) == "8.25" and str(studio.late_fee) == "12.50"
    assert studio.makeup_credits_enabled is True
    assert "Studio settings are saved." in flashes(admin_client, "/settings/studio")


@pytest.mark.parametrize(("changes", "field"), [
    ({"invoice_prefix": "INV 2025"}, "invoice_prefix"),
    ({"tax_rate": "150"}, "tax_rate"),
    ({"tax_rate": "abc"}, "tax_rate"),
    ({"invoice_due_days": "-1"}, "invoice_due_days"),
    ({"late_fee": "-5"}, "late_fee"),
    ({"name": ""}, "name"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"currency": "XYZ"}, "currency"),
])
def test_studio_settings_errors_are_shown_next_to_the_fields(admin_client, studio_setup, changes, field):
    response = post_form(admin_client, "/settings/studio", studio_form(**changes))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    db.session.expire_all()
    assert db.session.get(Studio, studio_setup.studio.id).invoice_prefix == "INV"


def test_studio_settings_without_csrf_token_change_nothing(admin_client, studio_setup):
    response = post_form(admin_client, "/settings/studio", studio_form(name="Hacked", csrf_token=None))

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Studio, studio_setup.studio.id).name == "Harmony Test Studio"


def test_members_page_lists_members_with_their_roles(admin_client, studio_setup):
    html = admin_client.get(MEMBERS).get_data(as_text=True)

    for role in ("owner", "admin", "teacher", "parent", "student"):
        assert studio_setup.users[role].email in html
    assert studio_setup.users["other_admin"].email not in html
    assert PASSWORD not in html
