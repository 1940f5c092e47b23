"""A studio for the thread tests: who teaches whom, two families, and another studio.

- Theo teaches Sam (a student who signs in, the parent's child) as primary teacher; Lena
  teaches Sam's sister Lily in a lesson only; Clara teaches the Okafor child.
- `parent` is the Bennett guardian; `parent2` the Okafor one.
"""
from types import SimpleNamespace

from app.core.tenancy import Principal
from app.extensions import db


def build(make):
    studio = make.studio(name="Harmony Test Studio")
    users = {role: make.member(studio, role) for role in ("owner", "admin", "parent", "student")}
    theo = make.teacher(studio, first_name="Theo", last_name="Marsh")
    lena = make.teacher(studio, first_name="Lena", last_name="Ruiz")
    clara = make.teacher(studio, first_name="Clara", last_name="Weiss")
    users.update(teacher=theo.user, lena=lena.user, colleague=clara.user)
    users["parent2"] = make.member(studio, "parent")
    family = make.family(studio, guardians=[users["parent"]], name="Bennett Family")
    other_family = make.family(studio, guardians=[users["parent2"]], name="Okafor Family")
    sam = make.student(studio, family, first_name="Sam", user=users["student"],
                       email=users["student"].email, primary_teacher=theo)
    lily = make.student(studio, family, first_name="Lily")
    chidi = make.student(studio, other_family, first_name="Chidi", primary_teacher=clara)
    make.lesson(studio, lena, [lily])
    make.lesson(studio, clara, [chidi])
    foreign = make.studio(name="Elsewhere")
    users["other"] = make.member(foreign, "admin")
    users["foreign_teacher"] = make.teacher(foreign).user
    db.session.commit()
    roles = {"owner": "owner", "admin": "admin", "teacher": "teacher", "lena": "teacher",
             "colleague": "teacher", "parent": "parent", "parent2": "parent",
             "student": "student"}
    principals = {name: Principal(user=users[name], studio=studio, role=role)
                  for name, role in roles.items()}
    principals["other"] = Principal(user=users["other"], studio=foreign, role="admin")
    principals["foreign_teacher"] = Principal(user=users["foreign_teacher"], studio=foreign,
                                              role="teacher")
    return SimpleNamespace(studio=studio, foreign=foreign, users=users, p=principals,
                           sam=sam, lily=lily, chidi=chidi, family=family)
