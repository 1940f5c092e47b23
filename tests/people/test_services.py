"""People services, called directly."""

import re
from datetime import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Invitation, Membership
from app.accounts.services import accept_invitation, authenticate
from app.core.audit import AuditLog
from app.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from app.extensions import db
from app.messaging.models import OutboxEmail
from app.people import services
from app.people.models import Family, FamilyGuardian, Student, TeacherProfile


@pytest.fixture()
def studio(make):
    return make.studio()


@pytest.fixture()
def admin(make, studio):
    return make.member(studio, "admin")


def audit_actions(studio):
    return [
        a.action
        for a in db.session.scalars(
            select(AuditLog).where(AuditLog.studio_id == studio.id).order_by(AuditLog.created_at)
        )
    ]


# ------------------------------------------------------------------ teachers


def test_joining_as_a_teacher_creates_a_profile(make, studio):
    user = make.member(studio, "teacher")
    profile = services.find_teacher_for_user(studio, user)
    assert profile is not None and profile.is_active and profile.specialties == []


def test_changing_a_role_to_teacher_creates_a_profile(make, studio, admin):
    from app.accounts.services import change_member_role

    user = make.member(studio, "parent")
    membership = user.membership_in(studio.id)
    change_member_role(studio, admin, membership, "teacher")
    db.session.flush()
    assert services.find_teacher_for_user(studio, user) is not None


def test_add_teacher_for_existing_admin_creates_a_profile(studio, admin):
    teacher, invitation = services.add_teacher(studio, admin, admin.email, hourly_rate="50")
    assert invitation is None and teacher.hourly_rate == Decimal("50.00")
    assert "teacher.created" in audit_actions(studio)


def test_add_teacher_with_unknown_email_invites_and_is_bookable_at_once(studio, admin):
    teacher, invitation = services.add_teacher(studio, admin, "new@example.test", first_name="New",
                                               instruments=["Cello"])
    assert invitation.role == "teacher" and invitation.email == "new@example.test"
    assert teacher.full_name == "New" and teacher.instruments == ["cello"] and teacher.is_active
    assert services.teacher_choices(studio) == [(str(teacher.id), "New")]
    assert teacher.user.password_hash is None  # no one signs in as them before accepting
    assert teacher.user.membership_in(studio.id) is None


def test_a_teacher_without_a_login_is_added_without_an_invitation(studio, admin):
    teacher, invitation = services.add_teacher(studio, admin, "solo@example.test", first_name="Solo",
                                               invite=False)
    assert invitation is None and services.teacher_choices(studio) == [(str(teacher.id), "Solo")]
    assert db.session.scalar(select(Invitation).where(Invitation.studio_id == studio.id)) is None


def test_accepting_the_invitation_links_the_waiting_profile_and_sets_the_password(make, studio, admin):
    teacher, _invitation = services.add_teacher(studio, admin, "late@example.test", first_name="Late")
    mail = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "late@example.test"))
    link_token = re.search(r"/invitations/([A-Za-z0-9_-]+)", mail.body_text).group(1)
    for attempt in ("", "a-good-password"):
        with pytest.raises(NotAuthenticated):
            authenticate("late@example.test", attempt)
    user, membership = accept_invitation(link_token, first_name="Lena", last_name="Late",
                                         password="a-good-password")
    assert user.id == teacher.user_id and membership.role == "teacher"
    assert services.find_teacher_for_user(studio, user).id == teacher.id
    assert user.full_name == "Lena Late"
    assert authenticate("late@example.test", "a-good-password").id == user.id


def test_add_teacher_refuses_parents_and_duplicates(make, studio, admin):
    parent = make.member(studio, "parent")
    with pytest.raises(ValidationFailed) as error:
        services.add_teacher(studio, admin, parent.email)
    assert "Make them a teacher" in error.value.field_errors["user"][0]
    teacher = make.teacher(studio)
    with pytest.raises(ValidationFailed):
        services.add_teacher(studio, admin, teacher.email)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_an_owner_or_admin_who_teaches_is_on_the_teachers_list(make, studio, role):
    manager = make.member(studio, role, first_name="Olive")
    teacher = services.set_teaching(studio, manager, teaches=True)
    assert teacher.user_id == manager.id and teacher.is_active
    assert services.teacher_choices(studio) == [(str(teacher.id), teacher.full_name)]
    assert services.teaches(studio, manager)


def test_saying_you_teach_no_longer_archives_your_profile_and_saying_it_again_restores_it(
        make, studio, admin):
    teacher = services.set_teaching(studio, admin, teaches=True)
    services.set_teaching(studio, admin, teaches=False)
    assert not teacher.is_active and services.teacher_choices(studio) == []
    assert not services.teaches(studio, admin)
    assert services.set_teaching(studio, admin, teaches=True) is teacher and teacher.is_active


def test_only_owners_and_admins_say_they_teach(make, studio):
    parent = make.member(studio, "parent")
    with pytest.raises(PermissionDenied):
        services.set_teaching(studio, parent, teaches=True)


def test_update_teacher_normalizes_tags_and_audits_rates(make, studio, admin):
    teacher = make.teacher(studio)
    services.update_teacher(
        studio,
        admin,
        teacher,
        specialties="Jazz,  Exam   prep, jazz,",
        hourly_rate="55.00",
        calendar_color="#AABBCC",
    )
    assert teacher.specialties == ["jazz", "exam prep"]
    assert teacher.calendar_color == "#aabbcc"
    assert "teacher.rate_changed" in audit_actions(studio)


def test_teacher_cannot_set_own_rate_or_edit_others(make, studio):
    teacher = make.teacher(studio)
    colleague = make.teacher(studio)
    services.update_teacher(studio, teacher.user, teacher, bio="Me")
    with pytest.raises(PermissionDenied) as error:
        services.update_teacher(studio, teacher.user, teacher, hourly_rate="99")
    assert error.value.field_errors == {"hourly_rate": ["Only studio admins can change this."]}
    with pytest.raises(PermissionDenied):
        services.update_teacher(studio, teacher.user, colleague, bio="Not mine")


def test_archive_and_restore_teacher(make, studio, admin):
    teacher = make.teacher(studio)
    services.archive_teacher(studio, admin, teacher)
    assert not teacher.is_active and not teacher.is_accepting_students
    services.restore_teacher(studio, admin, teacher)
    assert teacher.is_active
    assert audit_actions(studio)[-2:] == ["teacher.archived", "teacher.restored"]


def test_replace_availability_sorts_and_replaces(make, studio, admin):
    teacher = make.teacher(studio)
    services.replace_availability(
        studio,
        admin,
        teacher,
        [
            {"weekday": "friday", "start_time": "10:00", "end_time": "12:00"},
            {"weekday": 0, "start_time": time(16), "end_time": time(18)},
        ],
    )
    assert [(w.weekday, w.start_time) for w in teacher.availability] == [(0, time(16)), (4, time(10))]
    services.replace_availability(studio, admin, teacher, [])
    assert teacher.availability == []


@pytest.mark.parametrize(
    "windows,error_key",
    [
        (
            [
                {"weekday": 1, "start_time": "09:00", "end_time": "17:00"},
                {"weekday": 1, "start_time": "10:00", "end_time": "11:00"},
                {"weekday": 1, "start_time": "12:00", "end_time": "13:00"},
            ],
            "1.start_time",
        ),
        ([{"weekday": 7, "start_time": "09:00", "end_time": "10:00"}], "0.weekday"),
        ([{"weekday": 1, "start_time": "10:00", "end_time": "10:00"}], "0.end_time"),
        ([{"weekday": 1, "start_time": "noon", "end_time": "13:00"}], "0.start_time"),
    ],
)
def test_replace_availability_rejects_bad_windows(make, studio, admin, windows, error_key):
    teacher = make.teacher(studio)
    with pytest.raises(ValidationFailed) as error:
        services.replace_availability(studio, admin, teacher, windows)
    assert error_key in error.value.field_errors


def test_windows_nested_in_a_long_one_all_overlap(make, studio, admin):
    teacher = make.teacher(studio)
    with pytest.raises(ValidationFailed) as error:
        services.replace_availability(
            studio,
            admin,
            teacher,
            [
                {"weekday": 1, "start_time": "09:00", "end_time": "17:00"},
                {"weekday": 1, "start_time": "10:00", "end_time": "11:00"},
                {"weekday": 1, "start_time": "12:00", "end_time": "13:00"},
            ],
        )
    assert set(error.value.field_errors) == {"1.start_time", "2.start_time"}


def test_touching_windows_are_fine(make, studio, admin):
    teacher = make.teacher(studio)
    services.replace_availability(
        studio,
        admin,
        teacher,
        [
            {"weekday": 2, "start_time": "09:00", "end_time": "12:00"},
            {"weekday": 2, "start_time": "12:00", "end_time": "13:00"},
        ],
    )
    assert len(teacher.availability) == 2


def test_teacher_cannot_replace_a_colleagues_availability(make, studio):
    teacher, colleague = make.teacher(studio), make.teacher(studio)
    with pytest.raises(PermissionDenied):
        services.replace_availability(studio, teacher.user, colleague, [])


# ------------------------------------------------------------------ families


def test_create_family_with_a_primary_contact_adds_a_guardian(make, studio, admin):
    parent = make.member(studio, "parent")
    family = services.create_family(
        studio, admin, name=" Lee Family ", primary_contact=str(parent.id), billing_email="LEE@Example.test"
    )
    assert family.name == "Lee Family" and family.billing_email == "lee@example.test"
    assert [g.user_id for g in family.guardians] == [parent.id]
    assert services.family_balance(family) == Decimal("0.00")
    assert services.balances([family]) == {family.id: Decimal("0.00")}


def test_family_validation_collects_all_errors(studio, admin):
    with pytest.raises(ValidationFailed) as error:
        services.create_family(studio, admin, name="", billing_email="bad", phone="1" * 41)
    assert set(error.value.field_errors) == {"name", "billing_email", "phone"}


def test_parent_updates_only_contact_fields_of_own_family(make, studio):
    parent = make.member(studio, "parent")
    own = make.family(studio, guardians=[parent])
    other = make.family(studio)
    services.update_family(studio, parent, own, phone="+1 555", address="Here")
    assert own.phone == "+1 555"
    with pytest.raises(PermissionDenied):
        services.update_family(studio, parent, own, name="New name")
    with pytest.raises(PermissionDenied):
        services.update_family(studio, parent, other, phone="+1 000")


def test_delete_family(make, studio, admin):
    family = make.family(studio)
    make.student(studio, family=family, is_active=False)
    with pytest.raises(Conflict):
        services.delete_family(studio, admin, family)
    empty = make.family(studio)
    services.delete_family(studio, admin, empty)
    assert db.session.get(Family, empty.id) is None


def test_add_guardian_variants(make, studio, admin):
    family = make.family(studio)
    parent = make.member(studio, "parent")
    linked, invitation = services.add_guardian(studio, admin, family, email=parent.email.upper())
    assert linked.user_id == parent.id and invitation is None
    assert family.primary_contact_id == parent.id
    contact, invitation = services.add_guardian(studio, admin, family, first_name="Grandpa", phone="123")
    assert contact.user_id is None and contact.full_name == "Grandpa" and invitation is None
    invited, invitation = services.add_guardian(studio, admin, family, email="aunt@example.test", invite=True)
    assert invitation.email == "aunt@example.test" and invited.user_id is None
    student = make.member(studio, "student")
    with pytest.raises(ValidationFailed):
        services.add_guardian(studio, admin, family, email=student.email)
    with pytest.raises(ValidationFailed):
        services.add_guardian(studio, admin, family, invite=True, first_name="No email")


def test_invited_guardian_is_linked_when_they_join(make, studio, admin):
    family = make.family(studio)
    guardian, _ = services.add_guardian(studio, admin, family, email="mum@example.test", invite=True)
    user = make.user(email="mum@example.test")
    db.session.add(Membership(studio_id=studio.id, user_id=user.id, role="parent"))
    db.session.flush()
    db.session.refresh(guardian)
    assert guardian.user_id == user.id


def test_remove_guardian_clears_primary_contact(make, studio, admin):
    parent = make.member(studio, "parent")
    family = services.create_family(studio, admin, name="F", primary_contact=parent.id)
    services.remove_guardian(studio, admin, family, family.guardians[0])
    assert family.guardians == [] and family.primary_contact_id is None
    assert db.session.scalars(select(FamilyGuardian)).all() == []


def test_invite_guardian(make, studio, admin):
    family = make.family(studio)
    guardian, _ = services.add_guardian(studio, admin, family, email="dad@example.test")
    invitation = services.invite_guardian(studio, admin, guardian)
    assert invitation.role == "parent"


# ------------------------------------------------------------------ students


def test_create_student_without_family_creates_one(studio, admin):
    student, invitation = services.create_student(
        studio, admin, first_name="Ana", last_name="Lima", email="Ana@Example.test", phone="555"
    )
    assert invitation is None and student.family.name == "Lima Family"
    assert student.family.billing_email == "ana@example.test" and student.email == "ana@example.test"


def test_create_student_with_password_login(studio, admin):
    student, _ = services.create_student(
        studio, admin, first_name="Ana", login={"email": "ana@example.test", "password": "a-good-password"}
    )
    assert student.user.email == "ana@example.test"
    assert student.user.membership_in(studio.id).role == "student"


def test_create_student_with_invitation_links_on_acceptance(make, studio, admin):
    student, invitation = services.create_student(
        studio, admin, first_name="Ana", login={"email": "ana@example.test"}
    )
    assert invitation.role == "student" and student.user_id is None
    user = make.user(email="ana@example.test")
    db.session.add(Membership(studio_id=studio.id, user_id=user.id, role="student"))
    db.session.flush()
    db.session.refresh(student)
    assert student.user_id == user.id


def test_existing_student_member_is_linked_directly(make, studio, admin):
    user = make.member(studio, "student")
    student, invitation = services.create_student(
        studio, admin, first_name="Sam", login={"email": user.email}
    )
    assert invitation is None and student.user_id == user.id


def test_create_student_login_errors(make, studio, admin):
    teacher = make.member(studio, "teacher")
    with pytest.raises(ValidationFailed) as error:
        services.create_student(studio, admin, first_name="X", login={"email": teacher.email})
    assert "teacher of the studio" in error.value.field_errors["user.email"][0]
    with pytest.raises(ValidationFailed) as error:
        services.create_student(
            studio, admin, first_name="X", login={"email": "x@example.test", "password": "short"}
        )
    assert "user.password" in error.value.field_errors
    assert db.session.scalar(select(Student).where(Student.first_name == "X")) is None


def test_student_validation(make, studio, admin):
    archived_teacher = make.teacher(studio, is_active=False)
    with pytest.raises(ValidationFailed) as error:
        services.create_student(
            studio,
            admin,
            first_name=" ",
            email="bad",
            default_lesson_minutes=3,
            default_lesson_rate="1.234",
            primary_teacher=archived_teacher.id,
            family="00000000-0000-4000-8000-000000000000",
        )
    assert set(error.value.field_errors) == {
        "first_name",
        "email",
        "default_lesson_minutes",
        "default_lesson_rate",
        "primary_teacher",
        "family",
    }


def test_archive_and_restore_student_keep_the_row(make, studio, admin):
    student = make.student(studio)
    services.archive_student(studio, admin, student)
    assert not student.is_active and student.archived_at is not None
    services.update_student(studio, admin, student, is_active=True)
    assert student.is_active and student.archived_at is None
    assert audit_actions(studio)[-2:] == ["student.archived", "student.restored"]


def test_rate_changes_are_audited(make, studio, admin):
    student = make.student(studio, default_lesson_rate=Decimal("30.00"))
    services.update_student(studio, admin, student, default_lesson_rate="35")
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "student.rate_changed")).one()
    assert entry.details == {"old": "30.00", "new": "35.00"}


def test_give_login_to_an_existing_student(make, studio, admin):
    student = make.student(studio, email=None)
    invitation = services.give_login(studio, admin, student, email="late@example.test")
    assert invitation.email == "late@example.test" and student.email == "late@example.test"
    assert db.session.scalar(select(Invitation).where(Invitation.email == "late@example.test"))


def test_lists_are_scoped_to_the_studio(make, studio):
    other = make.studio()
    make.student(studio, instrument="cello")
    make.student(other, instrument="tuba")
    assert services.student_instruments(studio) == ["cello"]
    make.teacher(other, specialties=["opera"])
    assert services.teacher_specialties(studio) == []


def test_teacher_profile_is_unique_per_studio(make, studio, admin):
    teacher = make.teacher(studio)
    db.session.add(TeacherProfile(studio_id=studio.id, user_id=teacher.user_id))
    with pytest.raises(Exception):  # noqa: B017 - the database refuses, whatever the driver's class
        db.session.flush()
    db.session.rollback()
