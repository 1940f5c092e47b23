"""What joining a studio means for the directory.

When someone becomes a member (usually by accepting an invitation), the people records that
were waiting for them are linked, inside the same flush:

- a teacher gets a teacher profile (if they have none yet);
- a parent becomes the login of every guardian row added with their email;
- a student becomes the login of the student record that carries their email.

The same happens when an admin changes a member's role to teacher, parent or student.
The hooks use the flush's connection (mapper events may not add ORM objects).
"""
import sqlalchemy as sa
from sqlalchemy import event, inspect

from app.accounts.models import Membership, User
from app.core import versions
from app.core.permissions import PARENT, STUDENT, TEACHER
from app.people.models import FamilyGuardian, Student, TeacherProfile


@event.listens_for(Membership, "after_insert")
def _member_joined(mapper, connection, membership):
    _link(connection, membership)


@event.listens_for(Membership, "after_update")
def _member_role_changed(mapper, connection, membership):
    if inspect(membership).attrs.role.history.has_changes():
        _link(connection, membership)


def _link(connection, membership):
    link_member_records(connection, membership.studio_id, membership.user_id, membership.role)
    session = inspect(membership).session
    for table in (TeacherProfile.__table__, FamilyGuardian.__table__, Student.__table__):
        versions.touch(session, table, [membership.studio_id])  # written past the ORM


def link_member_records(connection, studio_id, user_id, role):
    """Link or create the directory records of a member with `role` (see module docstring)."""
    if role == TEACHER:
        _ensure_teacher_profile(connection, studio_id, user_id)
    elif role in (PARENT, STUDENT):
        email = connection.scalar(sa.select(User.email).where(User.id == user_id))
        if email:
            link = _link_guardians if role == PARENT else _link_student
            link(connection, studio_id, user_id, email.lower())


def _ensure_teacher_profile(connection, studio_id, user_id):
    profiles = TeacherProfile.__table__
    exists = connection.scalar(sa.select(profiles.c.id).where(
        profiles.c.studio_id == studio_id, profiles.c.user_id == user_id
    ))
    if exists is None:
        connection.execute(profiles.insert().values(studio_id=studio_id, user_id=user_id))


def _link_guardians(connection, studio_id, user_id, email):
    guardians = FamilyGuardian.__table__
    already = sa.select(guardians.c.family_id).where(
        guardians.c.studio_id == studio_id, guardians.c.user_id == user_id
    )
    connection.execute(guardians.update().where(
        guardians.c.studio_id == studio_id, guardians.c.email == email,
        guardians.c.user_id.is_(None), guardians.c.family_id.not_in(already),
    ).values(user_id=user_id))


def _link_student(connection, studio_id, user_id, email):
    students = Student.__table__
    linked = connection.scalar(sa.select(students.c.id).where(
        students.c.studio_id == studio_id, students.c.user_id == user_id
    ))
    if linked is None:
        connection.execute(students.update().where(
            students.c.studio_id == studio_id, students.c.email == email,
            students.c.user_id.is_(None),
        ).values(user_id=user_id))
