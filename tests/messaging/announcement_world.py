"""A studio whose audiences differ from each other, for the announcement tests.

- Theo teaches the Bennetts' Sam (piano, signs in) and Lily (violin, no login); Clara teaches
  the Okafors' Chidi (piano, no login), who also has a lesson with Theo next week.
- The Bennetts have a second guardian known by address only (no account).
- The Archers' only student is archived; the Empty family has a guardian and no student.
- On `day` Theo teaches Sam; Clara's lesson with Chidi that day is cancelled.
- Another studio has a family of its own.
"""
from datetime import datetime, time, timedelta
from types import SimpleNamespace

from app.core.timeutil import studio_zone
from app.extensions import db
from tests.factories import studio_today


def local(studio, day, hour):
    return datetime.combine(day, time(hour), tzinfo=studio_zone(studio))


def build(make):
    studio = make.studio(name="Harmony Test Studio")
    owner = make.member(studio, "owner", first_name="Olive", last_name="Owner")
    admin = make.member(studio, "admin", first_name="Ada", last_name="Admin")
    theo = make.teacher(studio, first_name="Theo", last_name="Marsh")
    clara = make.teacher(studio, first_name="Clara", last_name="Weiss")
    parent = make.member(studio, "parent", first_name="Pat", last_name="Bennett")
    parent2 = make.member(studio, "parent", first_name="Ngozi", last_name="Okafor")
    parent3 = make.member(studio, "parent", first_name="Arch", last_name="Archer")
    parent4 = make.member(studio, "parent", first_name="Emma", last_name="Empty")
    student_user = make.member(studio, "student", first_name="Sam", last_name="Bennett")

    bennett = make.family(studio, guardians=[parent], name="Bennett Family")
    make.guardian(bennett, first_name="Gran", last_name="Bennett", email="gran@example.test")
    okafor = make.family(studio, guardians=[parent2], name="Okafor Family")
    archer = make.family(studio, guardians=[parent3], name="Archer Family")
    make.family(studio, guardians=[parent4], name="Empty Family")

    sam = make.student(studio, bennett, first_name="Sam", last_name="Bennett", user=student_user,
                       email=student_user.email, instrument="Piano", primary_teacher=theo)
    lily = make.student(studio, bennett, first_name="Lily", last_name="Bennett",
                        instrument="violin", primary_teacher=theo)
    chidi = make.student(studio, okafor, first_name="Chidi", last_name="Okafor",
                         instrument="piano ", primary_teacher=clara)
    make.student(studio, archer, first_name="Old", last_name="Archer", instrument="piano",
                 primary_teacher=theo, is_active=False)

    day = studio_today() + timedelta(days=3)
    make.lesson(studio, theo, [sam], start=local(studio, day, 16))
    make.lesson(studio, clara, [chidi], start=local(studio, day, 17), status="cancelled")
    make.lesson(studio, theo, [chidi], start=local(studio, day + timedelta(days=7), 15))

    other = make.studio(name="Elsewhere")
    other_admin = make.member(other, "admin")
    other_parent = make.member(other, "parent")
    other_family = make.family(other, guardians=[other_parent])
    make.student(other, other_family, instrument="piano")
    db.session.commit()
    return SimpleNamespace(
        studio=studio, other=other, owner=owner, admin=admin, theo=theo, clara=clara,
        parent=parent, parent2=parent2, parent3=parent3, parent4=parent4,
        student=student_user, bennett=bennett, okafor=okafor, sam=sam, lily=lily, chidi=chidi,
        day=day, other_admin=other_admin, other_parent=other_parent)
