"""/api/v1/families and guardians."""

from sqlalchemy import select

from app.accounts.models import Invitation
from app.extensions import db
from app.people.models import Family
from tests.conftest import api_login, bearer


def headers_for(client, user):
    return bearer(api_login(client, user.email))


def test_create_needs_only_a_name(client, people):
    headers = headers_for(client, people.users["admin"])
    response = client.post("/api/v1/families", headers=headers, json={"name": "Johnson Family"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Johnson Family" and body["balance"] == "0.00"
    assert body["guardians"] == [] and body["students"] == [] and body["primary_contact"] is None
    assert client.post("/api/v1/families", headers=headers, json={}).status_code == 400
    assert client.post("/api/v1/families", headers=headers, json={"name": "  "}).status_code == 400


def test_create_with_reference_fields(client, people):
    headers = headers_for(client, people.users["admin"])
    parent = people.users["parent"]
    body = client.post(
        "/api/v1/families",
        headers=headers,
        json={
            "name": "Second Household",
            "primary_contact": str(parent.id),
            "phone_number": "+1234567890",
            "billing_email": "Billing@Example.test",
            "address": "123 Main St, City, State 12345",
        },
    ).get_json()
    assert body["primary_contact"] == str(parent.id)
    assert body["billing_email"] == "billing@example.test"
    assert [g["user"]["id"] for g in body["guardians"]] == [str(parent.id)]
    teacher = client.post(
        "/api/v1/families",
        headers=headers,
        json={"name": "X", "primary_contact": str(people.users["teacher"].id)},
    )
    assert teacher.status_code == 400 and "primary_contact" in teacher.get_json()["field_errors"]
    bad_email = client.post("/api/v1/families", headers=headers, json={"name": "X", "billing_email": "nope"})
    assert bad_email.get_json()["field_errors"]["billing_email"] == ["Enter a valid email address."]


def test_detail_lists_students_and_guardians(client, people):
    body = client.get(
        f"/api/v1/families/{people.parent_family.id}", headers=headers_for(client, people.users["admin"])
    ).get_json()
    assert body["students"] == [
        {"id": str(people.child.id), "first_name": "Lily", "last_name": "Bennett", "is_active": True}
    ]
    guardian = body["guardians"][0]
    assert guardian["has_login"] is True and guardian["email"] == people.users["parent"].email


def test_teachers_see_no_billing_and_parents_no_staff_notes(client, people):
    people.parent_family.notes = "Pays by check"
    db.session.commit()
    url = f"/api/v1/families/{people.parent_family.id}"
    teacher = client.get(url, headers=headers_for(client, people.users["teacher"])).get_json()
    assert "billing_email" not in teacher and "balance" not in teacher and teacher["notes"] == "Pays by check"
    parent = client.get(url, headers=headers_for(client, people.users["parent"])).get_json()
    assert parent["balance"] == "0.00" and "billing_email" in parent and "notes" not in parent


def test_parent_edits_contact_details_only(client, people):
    headers = headers_for(client, people.users["parent"])
    url = f"/api/v1/families/{people.parent_family.id}"
    ok = client.patch(
        url,
        headers=headers,
        json={"phone_number": "+1 555 0111", "address": "2 Oak St", "billing_email": "new@example.test"},
    )
    assert ok.status_code == 200 and ok.get_json()["phone_number"] == "+1 555 0111"
    name = client.patch(url, headers=headers, json={"name": "Renamed"})
    assert name.status_code == 403 and "name" in name.get_json()["field_errors"]
    assert db.session.get(Family, people.parent_family.id).name == "Bennett Family"


def test_parent_lists_only_their_family(client, people):
    body = client.get("/api/v1/families", headers=headers_for(client, people.users["parent"])).get_json()
    assert [f["id"] for f in body["results"]] == [str(people.parent_family.id)]


def test_search_and_ordering(client, people):
    headers = headers_for(client, people.users["admin"])
    by_guardian = client.get(
        f"/api/v1/families?search={people.users['parent'].first_name}", headers=headers
    ).get_json()
    assert str(people.parent_family.id) in {f["id"] for f in by_guardian["results"]}
    ordered = client.get("/api/v1/families?ordering=-name", headers=headers).get_json()
    assert [f["name"] for f in ordered["results"]] == ["Okafor Family", "Empty Family", "Bennett Family"]


def test_delete_refuses_a_family_with_students(client, people):
    headers = headers_for(client, people.users["admin"])
    busy = client.delete(f"/api/v1/families/{people.parent_family.id}", headers=headers)
    assert busy.status_code == 409 and busy.get_json()["code"] == "CONFLICT"
    assert client.delete(f"/api/v1/families/{people.empty_family.id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/families/{people.empty_family.id}", headers=headers).status_code == 404


def test_add_guardian_links_existing_parent_or_invites(client, people, make):
    headers = headers_for(client, people.users["admin"])
    other_parent = make.member(people.studio, "parent")
    db.session.commit()
    url = f"/api/v1/families/{people.student_family.id}/guardians"
    linked = client.post(url, headers=headers, json={"email": other_parent.email, "relation": "Father"})
    assert linked.status_code == 201 and linked.get_json()["has_login"] is True
    invited = client.post(
        url, headers=headers, json={"email": "gran@example.test", "first_name": "Gran", "invite": True}
    )
    assert invited.status_code == 201 and invited.get_json()["has_login"] is False
    assert (
        db.session.scalar(select(Invitation).where(Invitation.email == "gran@example.test")).role == "parent"
    )
    twice = client.post(url, headers=headers, json={"email": "GRAN@example.test"})
    assert twice.get_json()["field_errors"]["email"] == ["Already a guardian of this family."]
    empty = client.post(url, headers=headers, json={})
    assert empty.status_code == 400
    family = client.get(f"/api/v1/families/{people.student_family.id}", headers=headers).get_json()
    assert family["primary_contact"] == str(other_parent.id)


def test_remove_guardian(client, people):
    headers = headers_for(client, people.users["admin"])
    url = f"/api/v1/families/{people.parent_family.id}/guardians/{people.parent_guardian.id}"
    assert client.delete(url, headers=headers).status_code == 204
    family = client.get(f"/api/v1/families/{people.parent_family.id}", headers=headers).get_json()
    assert family["guardians"] == [] and family["primary_contact"] is None
    wrong_family = f"/api/v1/families/{people.student_family.id}/guardians/{people.parent_guardian.id}"
    assert client.delete(wrong_family, headers=headers).status_code == 404
