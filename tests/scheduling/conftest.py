"""Shared set-up for scheduling tests: a studio with a teacher, a family and two children."""

from datetime import datetime, time, timedelta, timezone

import pytest

from app.core.timeutil import zone
from app.extensions import db
from app.scheduling.recurrence import local_to_utc


class Studio:
    """What a scheduling test needs, with helpers for local times."""

    def __init__(self, make, timezone_name="America/New_York"):
        self.make = make
        self.studio = make.studio(timezone=timezone_name)
        self.admin = make.member(self.studio, "admin")
        self.parent = make.member(self.studio, "parent")
        self.teacher = make.teacher(self.studio, first_name="Theo", last_name="Marsh")
        self.other_teacher = make.teacher(self.studio, first_name="Clara", last_name="Weiss")
        self.family = make.family(self.studio, guardians=[self.parent], name="Bennett")
        self.student = make.student(self.studio, self.family, first_name="Sam", last_name="Bennett")
        self.sibling = make.student(self.studio, self.family, first_name="Ella", last_name="Bennett")
        self.room = make.room(self.studio, name="Room A", capacity=3)
        db.session.flush()

    @property
    def tz(self):
        return zone(self.studio.timezone)

    def at(self, day, hour, minute=0):
        """A local date and wall-clock time as aware UTC."""
        return local_to_utc(day, time(hour, minute), self.tz)

    def future_day(self, weekday=1, weeks=1):
        """A local date `weeks` weeks ahead falling on `weekday` (0 = Monday)."""
        today = datetime.now(timezone.utc).astimezone(self.tz).date()
        ahead = today + timedelta(weeks=weeks)
        return ahead + timedelta(days=(weekday - ahead.weekday()) % 7)


@pytest.fixture()
def sched(make):
    return Studio(make)


class World(Studio):
    """A committed studio with a member of every role (each with a login), plus another
    studio with its own lesson, for HTTP tests."""

    def __init__(self, make):
        super().__init__(make)
        self.owner = make.member(self.studio, "owner")
        self.teacher_user = self.teacher.user
        self.other_teacher_user = self.other_teacher.user
        self.student_user = make.member(self.studio, "student")
        self.student.user_id = self.student_user.id
        self.practice_room = make.room(self.studio, name="Practice 1", is_bookable=True)
        self.foreign = make.studio(name="Other Studio")
        self.foreign_admin = make.member(self.foreign, "admin")
        self.foreign_teacher = make.teacher(self.foreign)
        self.foreign_student = make.student(self.foreign)
        self.foreign_room = make.room(self.foreign, name="Their room", is_bookable=True)
        self.foreign_lesson = make.lesson(self.foreign, self.foreign_teacher, [self.foreign_student])
        db.session.commit()

    def users(self):
        return {
            "owner": self.owner,
            "admin": self.admin,
            "teacher": self.teacher_user,
            "parent": self.parent,
            "student": self.student_user,
            "foreign_admin": self.foreign_admin,
        }


@pytest.fixture()
def world(make):
    return World(make)


def bearer_for(user):
    """An access token as POST /auth/login would issue it (login itself is tested elsewhere);
    minting it directly keeps the authorization matrix fast."""
    from flask_jwt_extended import create_access_token

    from app.accounts.services.sign_ins import start_sign_in

    sign_in = start_sign_in(user, "api")
    db.session.commit()
    token = create_access_token(identity=str(user.id), additional_claims={"sid": str(sign_in.id)})
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def tokens(world):
    """Authorization headers per role (owner, admin, teacher, parent, student, foreign_admin)."""

    class Tokens(dict):
        def __missing__(self, role):
            self[role] = bearer_for(world.users()[role])
            return self[role]

    return Tokens()
