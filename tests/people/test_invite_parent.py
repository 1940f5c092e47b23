"""Inviting a parent puts them in a family (an existing one or a new one), so that they never
sign in to "not linked to a family yet"; a guardian who signs in can be made the primary
contact, one per family."""
import re

import pytest
from sqlalchemy import select

from app.accounts.models import Invitation
from app.accounts.services import accept_invitation
from app.core.errors import ValidationFailed
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.people import services
from app.people.models import Family
from app.people.services import families_of
from tests.people.test_pages import signed_in


def _invitation(studio, email):
    return db.session.scalar(select(Invitation).where(Invitation.studio_id == studio.id,
                                                      Invitation.email == email))


def test_invited_parent_joins_an_existing_family(people):
    studio, admin = people.studio, people.users["admin"]
    family, guardian, invitation = services.invite_parent(
        studio, admin, "Nia@Example.test", first_name="Nia", family=str(people.empty_family.id))

    assert family is people.empty_family and invitation.role == "parent"
    assert guardian.email == "nia@example.test" and guardian.family_id == family.id
    # Accepting links the new login to the family at once.
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "nia@example.test"))
    token = re.search(r"/invitations/(\S+)", email.body_text).group(1)
    user, _membership = accept_invitation(token, first_name="Nia", password="a-long-password")
    assert [f.id for f in families_of(studio, user)] == [family.id]


def test_invited_parent_with_a_new_family_name_gets_that_family(people):
    studio, admin = people.studio, people.users["admin"]
    family, guardian, invitation = services.invite_parent(
        studio, admin, "omar@example.test", first_name="Omar", family_name="Haddad Family")
    assert family.name == "Haddad Family" and family.studio_id == studio.id
    assert guardian.family_id == family.id and invitation is not None


def test_a_parent_needs_a_family_and_an_email(people):
    with pytest.raises(ValidationFailed) as caught:
        services.invite_parent(people.studio, people.users["admin"], "not an email")
    assert set(caught.value.field_errors) == {"email", "family_name"}
    assert db.session.scalar(select(Family).where(Family.name == "")) is None


def test_a_family_of_another_studio_is_refused(people):
    with pytest.raises(ValidationFailed) as caught:
        services.invite_parent(people.studio, people.users["admin"], "x@example.test",
                               family=str(people.foreign_family.id))
    assert caught.value.field_errors == {"family": ["Choose one of the studio's families."]}
    assert _invitation(people.studio, "x@example.test") is None


def test_inviting_a_guardian_again_sends_a_new_link(people):
    studio, admin = people.studio, people.users["admin"]
    services.invite_parent(studio, admin, "ana@example.test", family=people.empty_family)
    family, guardian, invitation = services.invite_parent(studio, admin, "ana@example.test",
                                                          family=people.empty_family)
    assert len([g for g in family.guardians if g.email == "ana@example.test"]) == 1
    assert invitation.is_pending


def test_a_guardian_who_signs_in_becomes_the_primary_contact(people, make):
    studio, admin, family = people.studio, people.users["admin"], people.parent_family
    second = make.member(studio, "parent", first_name="Ben")
    guardian = make.guardian(family, user=second)
    assert family.primary_contact_id is None or family.primary_contact_id != second.id

    services.make_primary_contact(studio, admin, family, guardian)

    assert family.primary_contact_id == second.id
    services.make_primary_contact(studio, admin, family, people.parent_guardian)
    assert family.primary_contact_id == people.users["parent"].id  # one at a time


def test_a_guardian_without_a_login_cannot_be_the_primary_contact(people, make):
    guardian = make.guardian(people.empty_family, email="later@example.test", first_name="Lee")
    with pytest.raises(ValidationFailed, match="does not sign in yet"):
        services.make_primary_contact(people.studio, people.users["admin"], people.empty_family, guardian)
    with pytest.raises(ValidationFailed, match="another family"):
        services.make_primary_contact(people.studio, people.users["admin"], people.parent_family, guardian)


def test_family_page_makes_a_guardian_the_primary_contact(client, people, make):
    family = people.parent_family
    second = make.member(people.studio, "parent", first_name="Ben", last_name="Bennett")
    guardian = make.guardian(family, user=second)
    db.session.commit()
    token = signed_in(client, people.users["admin"], f"/families/{family.id}")
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Make primary contact" in page

    response = client.post(f"/families/{family.id}/guardians/{guardian.id}/primary",
                           data={"csrf_token": token}, follow_redirects=True)

    assert "Ben Bennett is now the primary contact of Bennett Family." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Family, family.id).primary_contact_id == second.id


def test_family_page_offers_to_invite_a_parent_with_the_family_filled_in(client, people):
    signed_in(client, people.users["admin"], "/families")
    page = client.get(f"/families/{people.empty_family.id}").get_data(as_text=True)
    assert f"/settings/members?role=parent&amp;family={people.empty_family.id}#invite" in page
