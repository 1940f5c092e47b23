"""The people pages, with CSRF on: full pages, htmx partials, forms and their errors."""

import re

import pytest
from sqlalchemy import select

from app.accounts.models import Invitation, User
from app.extensions import db
from app.people.models import Family, FamilyGuardian, Student, TeacherProfile
from tests.conftest import csrf_token, web_login

HTMX = {"HX-Request": "true"}


def signed_in(client, user, page="/account/"):
    web_login(client, user.email)
    return csrf_token(client, page)


def text(response):
    return response.get_data(as_text=True)


def test_csrf_is_required(client, people):
    web_login(client, people.users["admin"].email)
    response = client.post("/families/new", data={"name": "No token"})
    assert response.status_code == 400
    assert db.session.scalar(select(Family).where(Family.name == "No token")) is None


# ------------------------------------------------------------------ students


def test_students_page_and_htmx_partial(client, people):
    signed_in(client, people.users["admin"])
    page = client.get("/students")
    assert page.status_code == 200 and "<html" in text(page) and "Lily Bennett" in text(page)
    assert "HX-Request" in page.headers["Vary"]
    partial = client.get("/students?q=okafor", headers=HTMX)
    body = text(partial)
    assert "<html" not in body and "Sam Okafor" in body and "Lily Bennett" not in body
    assert "1 student matches your filters" in body


def test_students_filters_sort_and_empty_state(client, people):
    signed_in(client, people.users["admin"])
    by_teacher = text(client.get(f"/students?teacher={people.own_teacher.id}", headers=HTMX))
    assert "Lily Bennett" in by_teacher and "Sam Okafor" not in by_teacher
    by_family = text(client.get(f"/students?family={people.student_family.id}"))
    assert "Family: <strong>Okafor Family</strong>" in by_family
    archived = text(client.get("/students?status=archived", headers=HTMX))
    assert "No students match these filters" in archived
    sorted_page = text(client.get("/students?sort=first_name", headers=HTMX))
    assert sorted_page.index("Lily Bennett") < sorted_page.index("Sam Okafor")
    assert client.get("/students?sort=password").status_code == 200


def test_students_pagination(client, people, make):
    for n in range(30):
        make.student(people.studio, family=people.parent_family, first_name=f"Kid{n:02d}", last_name="Zed")
    db.session.commit()
    signed_in(client, people.users["admin"])
    first = text(client.get("/students", headers=HTMX))
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = text(client.get("/students?page=2", headers=HTMX))
    assert "Page 2 of 2" in second and "Kid29 Zed" in second


def test_create_student_without_login(client, people):
    token = signed_in(client, people.users["admin"], "/students/new")
    response = client.post(
        "/students/new",
        data={
            "csrf_token": token,
            "first_name": "Nova",
            "last_name": "Ray",
            "family": "",
            "new_family_name": "",
            "primary_teacher": str(people.own_teacher.id),
            "default_lesson_minutes": "45",
            "default_lesson_rate": "40",
            "default_lesson_type": "group",
            "login": "none",
        },
    )
    assert response.status_code == 302, text(response)
    page = text(client.get(response.headers["Location"]))
    assert "Nova Ray is added to Ray Family." in page
    student = db.session.scalar(select(Student).where(Student.first_name == "Nova"))
    assert student.default_lesson_minutes == 45 and student.primary_teacher_id == people.own_teacher.id
    assert student.default_lesson_type == "group"
    assert "Usual lesson" in text(client.get(f"/students/{student.id}"))


def test_create_student_with_invitation(client, people):
    token = signed_in(client, people.users["admin"], "/students/new")
    response = client.post(
        "/students/new",
        data={
            "csrf_token": token,
            "first_name": "Ivy",
            "family": str(people.parent_family.id),
            "primary_teacher": "",
            "default_lesson_minutes": "30",
            "login": "invite",
            "email": "ivy@example.test",
        },
        follow_redirects=True,
    )
    assert "An invitation to sign in went to ivy@example.test." in text(response)
    assert (
        db.session.scalar(select(Invitation).where(Invitation.email == "ivy@example.test")).role == "student"
    )


def test_create_student_shows_errors_next_to_fields(client, people):
    token = signed_in(client, people.users["admin"], "/students/new")
    response = client.post(
        "/students/new",
        data={
            "csrf_token": token,
            "first_name": "",
            "default_lesson_minutes": "30",
            "login": "password",
            "email": people.users["student"].email,
            "family": "",
            "primary_teacher": "",
        },
    )
    assert response.status_code == 422
    body = text(response)
    assert 'id="first_name-error"' in body and 'id="password-error"' in body
    response = client.post(
        "/students/new",
        data={
            "csrf_token": token,
            "first_name": "Dup",
            "default_lesson_minutes": "30",
            "login": "none",
            "email": people.users["student"].email,
            "family": "",
            "primary_teacher": "",
        },
    )
    assert response.status_code == 422
    assert re.search(r'id="email-error"[^>]*>Another student in this studio has this email.', text(response))


def test_edit_archive_and_restore_student(client, people):
    token = signed_in(client, people.users["admin"], f"/students/{people.child.id}/edit")
    response = client.post(
        f"/students/{people.child.id}/edit",
        data={
            "csrf_token": token,
            "first_name": "Lilian",
            "last_name": "Bennett",
            "family": str(people.parent_family.id),
            "primary_teacher": "",
            "default_lesson_minutes": "60",
            "emergency_contact_name": "Grandma",
            "login": "none",
        },
    )
    assert response.status_code == 302
    student = db.session.get(Student, people.child.id)
    db.session.refresh(student)
    assert student.first_name == "Lilian" and student.primary_teacher_id is None
    archived = client.post(
        f"/students/{people.child.id}/archive", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Lilian Bennett is archived." in text(archived) and "Restore" in text(archived)
    restored = client.post(
        f"/students/{people.child.id}/restore", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Lilian Bennett is restored." in text(restored)


def test_student_tabs_are_honest_empty_states(client, people):
    signed_in(client, people.users["admin"])
    for tab, phrase in (("lessons", "No lessons scheduled for Lily"), ("invoices", "No invoices yet.")):
        partial = client.get(f"/students/{people.child.id}?tab={tab}", headers=HTMX)
        assert phrase in text(partial) and "<html" not in text(partial)
        assert 'aria-current="page">' + tab.capitalize() in text(partial)


def test_student_lessons_and_invoices_tabs_list_the_real_records(client, people, make):
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc).replace(microsecond=0)
    make.lesson(people.studio, teacher=people.own_teacher, students=[people.child],
                start=now + timedelta(days=2))
    make.lesson(people.studio, teacher=people.own_teacher, students=[people.child],
                start=now - timedelta(days=5), status="completed")
    make.invoice(people.studio, family=people.parent_family, send=True, actor=people.users["admin"])
    db.session.commit()
    signed_in(client, people.users["admin"])
    lessons = text(client.get(f"/students/{people.child.id}?tab=lessons", headers=HTMX))
    assert lessons.count("Scheduled</span>") == 1 and lessons.count("Completed</span>") == 1
    invoices = text(client.get(f"/students/{people.child.id}?tab=invoices", headers=HTMX))
    assert "$200.00" in invoices and "No invoices yet." not in invoices


def test_teacher_sees_contacts_but_not_rates(client, people):
    signed_in(client, people.users["teacher"])
    page = text(client.get(f"/students/{people.child.id}"))
    assert "Prefers mornings." in page and "$32.00" not in page and "Default rate" not in page
    assert "Invoices" not in page
    families = text(client.get("/families"))
    assert "Balance" not in families and "Bennett Family" in families


def test_parent_sees_own_child_without_staff_notes(client, people):
    signed_in(client, people.users["parent"])
    page = text(client.get(f"/students/{people.child.id}"))
    assert "Lily Bennett" in page and "Prefers mornings." not in page and "$32.00" in page
    assert client.get(f"/students/{people.self_student.id}").status_code == 404


def test_invite_student_to_sign_in(client, people):
    token = signed_in(client, people.users["admin"], f"/students/{people.child.id}")
    response = client.post(
        f"/students/{people.child.id}/login",
        data={"csrf_token": token, "login_email": "lily@example.test"},
        follow_redirects=True,
    )
    assert "Invitation sent to lily@example.test." in text(response)
    assert "An invitation to sign in was sent to" in text(client.get(f"/students/{people.child.id}"))


# ------------------------------------------------------------------ families


def test_create_and_edit_family(client, people):
    token = signed_in(client, people.users["admin"], "/families/new")
    created = client.post(
        "/families/new",
        data={"csrf_token": token, "name": "Lee Family", "phone": "555"},
        follow_redirects=True,
    )
    assert "Lee Family is created." in text(created)
    family = db.session.scalar(select(Family).where(Family.name == "Lee Family"))
    invalid = client.post(
        f"/families/{family.id}/edit",
        data={"csrf_token": token, "name": "", "billing_email": "nope", "primary_contact": ""},
    )
    assert invalid.status_code == 422 and 'id="name-error"' in text(invalid)
    saved = client.post(
        f"/families/{family.id}/edit",
        data={
            "csrf_token": token,
            "name": "Lee Household",
            "billing_email": "lee@example.test",
            "primary_contact": "",
        },
        follow_redirects=True,
    )
    assert "The family is saved." in text(saved) and "lee@example.test" in text(saved)


def test_family_list_search_and_balance_column(client, people):
    signed_in(client, people.users["admin"])
    page = text(client.get("/families"))
    assert "Balance" in page and "$0.00" in page
    partial = text(client.get("/families?q=okafor", headers=HTMX))
    assert "Okafor Family" in partial and "Bennett Family" not in partial and "<html" not in partial


def test_add_guardian_with_htmx(client, people, make):
    other_parent = make.member(people.studio, "parent")
    db.session.commit()
    token = signed_in(client, people.users["admin"], f"/families/{people.student_family.id}")
    url = f"/families/{people.student_family.id}/guardians"
    response = client.post(
        url, headers=HTMX, data={"csrf_token": token, "email": other_parent.email, "relation": "Father"}
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/families/{people.student_family.id}"
    error = client.post(url, headers=HTMX, data={"csrf_token": token, "email": other_parent.email})
    assert error.status_code == 422
    assert "<html" not in text(error) and "Already a guardian of this family." in text(error)


def test_add_guardian_without_javascript_and_remove(client, people):
    token = signed_in(client, people.users["admin"], f"/families/{people.student_family.id}")
    url = f"/families/{people.student_family.id}/guardians"
    added = client.post(
        url,
        data={"csrf_token": token, "email": "gran@example.test", "first_name": "Gran", "invite": "y"},
        follow_redirects=True,
    )
    assert "Added Gran to Okafor Family and invited gran@example.test to sign in." in text(added)
    guardian = db.session.scalar(select(FamilyGuardian).where(FamilyGuardian.email == "gran@example.test"))
    removed = client.post(
        f"/families/{people.student_family.id}/guardians/{guardian.id}/remove",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "Gran is no longer a guardian of Okafor Family." in text(removed)


def test_delete_family_only_when_empty(client, people):
    token = signed_in(client, people.users["admin"])
    busy = client.post(
        f"/families/{people.parent_family.id}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Move them to another family" in text(busy)
    gone = client.post(
        f"/families/{people.empty_family.id}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Empty Family is deleted." in text(gone)


def test_parent_edits_own_contact_details(client, people):
    token = signed_in(client, people.users["parent"], f"/families/{people.parent_family.id}/contact")
    response = client.post(
        f"/families/{people.parent_family.id}/contact",
        data={
            "csrf_token": token,
            "phone": "+1 555 0123",
            "billing_email": "paula@example.test",
            "address": "3 Elm",
        },
        follow_redirects=True,
    )
    assert "Your contact details are saved." in text(response) and "+1 555 0123" in text(response)
    assert client.get(f"/families/{people.student_family.id}/contact").status_code == 404
    assert client.get(f"/families/{people.parent_family.id}/edit").status_code == 302


def test_my_family_and_my_student_profile(client, people):
    signed_in(client, people.users["parent"])
    response = client.get("/my/family")
    assert response.headers["Location"].endswith(f"/families/{people.parent_family.id}")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/")})
    signed_in(client, people.users["student"])
    response = client.get("/me/student")
    assert response.headers["Location"].endswith(f"/students/{people.self_student.id}")
    assert client.get("/students").headers["Location"].endswith("/me/student")


def test_navigation_per_role(client, people):
    signed_in(client, people.users["admin"])
    nav = text(client.get("/"))
    assert all(f">{label}</a>" in nav for label in ("Students", "Families", "Teachers"))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/")})
    signed_in(client, people.users["parent"])
    nav = text(client.get("/"))
    assert ">My family</a>" in nav and ">Families</a>" not in nav and ">Students</a>" not in nav


# ------------------------------------------------------------------ teachers


def test_teacher_list_search_and_filters(client, people):
    signed_in(client, people.users["parent"])
    page = text(client.get("/teachers"))
    assert "Priya" in page and "$45.00" not in page
    partial = text(client.get("/teachers?q=priya&accepting=1", headers=HTMX))
    assert "Priya" in partial and people.users["teacher"].email not in partial  # names may repeat
    assert "<html" not in partial
    none = text(client.get("/teachers?specialty=tuba", headers=HTMX))
    assert "No teachers match these filters" in none


def test_add_teacher_for_member_and_by_invitation(client, people):
    token = signed_in(client, people.users["admin"], "/teachers/new")
    member = client.post("/teachers/new", data={"csrf_token": token, "email": people.users["admin"].email})
    profile = db.session.scalar(
        select(TeacherProfile).where(TeacherProfile.user_id == people.users["admin"].id)
    )
    assert member.headers["Location"].endswith(f"/teachers/{profile.id}/edit")
    invited = client.post(
        "/teachers/new",
        data={"csrf_token": token, "email": "new@example.test", "first_name": "New", "invite": "y"},
        follow_redirects=True,
    )
    assert "New is on the teachers list and can be booked. Invitation sent to new@example.test." \
        in text(invited)
    listing = text(client.get("/teachers"))
    assert "Invited, waiting for an answer" in listing and ">New<" in listing
    no_login = client.post("/teachers/new", data={
        "csrf_token": token, "email": "solo@example.test", "first_name": "Solo", "instruments": "Harp"})
    solo = db.session.scalar(select(TeacherProfile).join(TeacherProfile.user).where(
        User.email == "solo@example.test"))
    assert no_login.headers["Location"].endswith(f"/teachers/{solo.id}/edit")
    assert solo.instruments == ["harp"]
    assert db.session.scalar(select(Invitation).where(Invitation.email == "solo@example.test")) is None
    wrong = client.post("/teachers/new", data={"csrf_token": token, "email": people.users["parent"].email})
    assert wrong.status_code == 422 and "Make them a teacher in Members first." in text(wrong)


def test_a_teacher_added_before_joining_accepts_and_signs_in_as_that_teacher(client, app, people):
    from app.messaging.models import OutboxEmail

    token = signed_in(client, people.users["admin"], "/teachers/new")
    client.post("/teachers/new", data={"csrf_token": token, "email": "wait@example.test",
                                       "first_name": "Wanda", "invite": "y"})
    profile = db.session.scalar(select(TeacherProfile).join(TeacherProfile.user).where(
        User.email == "wait@example.test"))
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "wait@example.test"))
    link = re.search(r"/invitations/[A-Za-z0-9_-]+", mail.body_text).group(0)
    visitor = app.test_client()
    page = text(visitor.get(link))
    assert 'name="password"' in page and 'value="Wanda"' in page
    response = visitor.post(link, data={"csrf_token": csrf_token(visitor, link), "first_name": "Wanda",
                                        "password": "a-good-password"})
    assert response.status_code == 302
    assert visitor.get("/me/teaching").headers["Location"].endswith(f"/teachers/{profile.id}")


def test_teacher_edits_own_profile_without_rate_field(client, people):
    url = f"/teachers/{people.own_teacher.id}/edit"
    token = signed_in(client, people.users["teacher"], url)
    page = text(client.get(url))
    assert 'name="hourly_rate"' not in page
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "bio": "Hello there",
            "instruments": "Piano, Organ",
            "specialties": "",
            "calendar_color": "#123456",
            "is_accepting_students": "y",
            "hourly_rate": "999",
        },
    )
    assert response.status_code == 302
    teacher = db.session.get(TeacherProfile, people.own_teacher.id)
    db.session.refresh(teacher)
    assert teacher.instruments == ["piano", "organ"] and str(teacher.hourly_rate) == "60.00"
    other = client.get(f"/teachers/{people.other_teacher.id}/edit")
    assert other.status_code == 302


def test_availability_editor(client, people):
    url = f"/teachers/{people.own_teacher.id}/availability"
    token = signed_in(client, people.users["teacher"], url)
    overlap = client.post(
        url,
        data={
            "csrf_token": token,
            "windows-0-weekday": "1",
            "windows-0-start_time": "15:00",
            "windows-0-end_time": "18:00",
            "windows-1-weekday": "1",
            "windows-1-start_time": "17:00",
            "windows-1-end_time": "19:00",
            "windows-2-weekday": "",
            "windows-2-start_time": "",
            "windows-2-end_time": "",
        },
    )
    assert overlap.status_code == 422
    assert re.search(r'id="windows-1-start_time-error"[^>]*>Overlaps 15:00–18:00 on Tuesday.', text(overlap))
    saved = client.post(
        url,
        data={
            "csrf_token": token,
            "windows-0-weekday": "1",
            "windows-0-start_time": "15:00",
            "windows-0-end_time": "18:00",
            "windows-5-weekday": "4",
            "windows-5-start_time": "09:00",
            "windows-5-end_time": "12:00",
        },
        follow_redirects=True,
    )
    assert "Weekly availability is saved." in text(saved)
    teacher = db.session.get(TeacherProfile, people.own_teacher.id)
    db.session.refresh(teacher)
    assert [(w.weekday, w.start_time.hour) for w in teacher.availability] == [(1, 15), (4, 9)]


@pytest.mark.parametrize("action", ["archive", "restore"])
def test_archive_teacher_page_action(client, people, action):
    token = signed_in(client, people.users["admin"])
    response = client.post(
        f"/teachers/{people.other_teacher.id}/{action}", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"is {action}d." in text(response)
