"""A studio directory to test against: one member of each role, their records, and a
second studio with its own teacher, family and student."""

import pytest

from app.extensions import db
from app.people.models import TeacherProfile

ROLES = ("owner", "admin", "teacher", "parent", "student")


class People:
    """Ids and objects of the directory fixture (ids as strings for URLs)."""

    def __init__(self, setup, make):
        studio, users = setup.studio, setup.users
        self.studio, self.other, self.users = studio, setup.other, users
        self.own_teacher = db.session.scalar(
            db.select(TeacherProfile).where(TeacherProfile.user_id == users["teacher"].id)
        )
        self.own_teacher.hourly_rate = 60
        self.other_teacher = make.teacher(
            studio, hourly_rate=45, instruments=["violin"], specialties=["suzuki"], first_name="Priya"
        )
        self.parent_family = make.family(studio, name="Bennett Family", guardians=[users["parent"]])
        self.parent_guardian = self.parent_family.guardians[0]
        self.child = make.student(
            studio,
            family=self.parent_family,
            first_name="Lily",
            last_name="Bennett",
            primary_teacher=self.own_teacher,
            default_lesson_rate=32,
            notes="Prefers mornings.",
        )
        self.student_family = make.family(studio, name="Okafor Family")
        self.self_student = make.student(
            studio,
            family=self.student_family,
            first_name="Sam",
            last_name="Okafor",
            user=users["student"],
            email=users["student"].email,
        )
        self.empty_family = make.family(studio, name="Empty Family")
        self.foreign_teacher = make.teacher(setup.other)
        self.foreign_family = make.family(setup.other, name="Foreign Family")
        self.foreign_student = make.student(setup.other, family=self.foreign_family, first_name="Zed")
        db.session.commit()

    def ids(self):
        return {
            "own_teacher": self.own_teacher.id,
            "other_teacher": self.other_teacher.id,
            "parent_family": self.parent_family.id,
            "student_family": self.student_family.id,
            "empty_family": self.empty_family.id,
            "child": self.child.id,
            "self_student": self.self_student.id,
            "guardian": self.parent_guardian.id,
            "admin_user": self.users["admin"].id,
            "foreign_teacher": self.foreign_teacher.id,
            "foreign_family": self.foreign_family.id,
            "foreign_student": self.foreign_student.id,
        }


@pytest.fixture()
def people(studio_setup, make):
    return People(studio_setup, make)
