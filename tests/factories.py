"""factory-boy factories over the real models, and a small Maker facade for tests."""
import itertools
import os

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.accounts.models import Membership, Studio, User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.people.models import Family, FamilyGuardian, Student, TeacherProfile
from app.scheduling.models import Room, StudioClosure

PASSWORD = "correct-horse-battery"
# Another zone can be chosen to check that no test mistakes the UTC date for the studio's.
TIMEZONE = os.environ.get("TEST_STUDIO_TIMEZONE", "America/New_York")


def studio_today(timezone=TIMEZONE):
    """Today in the factories' studio timezone: what the app calls today, which is not the
    UTC date for several hours of every day."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(timezone)).date()
_counter = itertools.count(1)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class StudioFactory(Base):
    class Meta:
        model = Studio

    name = factory.Sequence(lambda n: f"Studio {n}")
    slug = factory.Sequence(lambda n: f"studio-{n}")
    timezone = TIMEZONE
    currency = "USD"
    locale = "en_US"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    preferences = factory.LazyFunction(dict)


class MembershipFactory(Base):
    class Meta:
        model = Membership

    studio = factory.SubFactory(StudioFactory)
    user = factory.SubFactory(UserFactory)
    role = "teacher"


class FamilyFactory(Base):
    class Meta:
        model = Family

    name = factory.Sequence(lambda n: f"Family {n}")
    phone = "+1 555 0100"
    billing_email = factory.Sequence(lambda n: f"billing{n}@example.test")
    address = "1 Main Street"
    notes = ""


class FamilyGuardianFactory(Base):
    class Meta:
        model = FamilyGuardian

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class StudentFactory(Base):
    class Meta:
        model = Student

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    instrument = "piano"
    specialties = factory.LazyFunction(list)
    default_lesson_minutes = 30


class Maker:
    """Short names for tests: make.studio(), make.user(), make.member(studio, "parent")."""

    def studio(self, **kwargs):
        return StudioFactory(**kwargs)

    def user(self, **kwargs):
        return UserFactory(**kwargs)

    def member(self, studio, role="teacher", **user_fields):
        n = next(_counter)
        user_fields.setdefault("email", f"{role}{n}@example.test")
        user = UserFactory(**user_fields)
        MembershipFactory(studio=studio, user=user, role=role)
        db.session.flush()
        db.session.refresh(user)
        return user

    def teacher(self, studio, **profile):
        """A teacher member and their profile (joining as a teacher creates it)."""
        user_fields = {k: profile.pop(k) for k in ("email", "first_name", "last_name") if k in profile}
        user = self.member(studio, "teacher", **user_fields)
        teacher = db.session.scalar(db.select(TeacherProfile).where(
            TeacherProfile.studio_id == studio.id, TeacherProfile.user_id == user.id))
        for name, value in profile.items():
            setattr(teacher, name, value)
        db.session.flush()
        return teacher

    def family(self, studio, guardians=(), **fields):
        family = FamilyFactory(studio_id=studio.id, **fields)
        for user in guardians:
            self.guardian(family, user=user)
        return family

    def guardian(self, family, user=None, **fields):
        if user is not None:
            fields.setdefault("email", user.email)
            fields.setdefault("first_name", user.first_name)
            fields.setdefault("last_name", user.last_name)
        guardian = FamilyGuardianFactory(studio_id=family.studio_id, family=family, user=user, **fields)
        db.session.refresh(family)
        return guardian

    def student(self, studio, family=None, **fields):
        family = family or self.family(studio)
        return StudentFactory(studio_id=studio.id, family=family, **fields)

    # -------------------------------------------------------------- scheduling

    def room(self, studio, **fields):
        fields.setdefault("name", f"Room {next(_counter)}")
        room = Room(studio_id=studio.id, **fields)
        db.session.add(room)
        db.session.flush()
        return room

    def closure(self, studio, start_date, end_date=None, name="Holiday"):
        closure = StudioClosure(studio_id=studio.id, name=name, start_date=start_date,
                                end_date=end_date or start_date)
        db.session.add(closure)
        db.session.flush()
        return closure

    def lesson(self, studio, teacher=None, students=None, start=None, minutes=30, **fields):
        """A lesson row without conflict checks (use the services to test those)."""
        from dataclasses import fields as dataclass_fields
        from datetime import datetime, timedelta, timezone

        from app.scheduling.services import Placement
        from app.scheduling.services.common import money
        from app.scheduling.services.lessons import new_lesson

        teacher = teacher or self.teacher(studio)
        students = students if students is not None else [self.student(studio)]
        start = start or datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
        status = fields.pop("status", "scheduled")
        placed = {f.name: fields.pop(f.name) for f in dataclass_fields(Placement) if f.name in fields}
        placed["rate"] = money(placed.get("rate"))
        placement = Placement(teacher=teacher, students=tuple(students), **placed)
        lesson = new_lesson(studio, None, placement, start, start + timedelta(minutes=minutes), **fields)
        lesson.status = status
        db.session.flush()
        return lesson

    # -------------------------------------------------------------- teaching

    def note(self, lesson, student=None, author=None, **fields):
        """A lesson note (visible to parent and student unless told otherwise)."""
        from app.teaching.models import LessonNote

        student = student or lesson.attendees[0].student
        fields.setdefault("summary", "Worked on scales.")
        note = LessonNote(studio_id=lesson.studio_id, lesson=lesson, lesson_id=lesson.id,
                          student=student, student_id=student.id,
                          author_id=getattr(author, "id", None), **fields)
        db.session.add(note)
        db.session.flush()
        return note

    def goal(self, student, **fields):
        from app.teaching.models import Goal

        fields.setdefault("title", f"Goal {next(_counter)}")
        goal = Goal(studio_id=student.studio_id, student=student, student_id=student.id, **fields)
        db.session.add(goal)
        db.session.flush()
        return goal

    def plan(self, studio, author, **fields):
        from app.teaching.models import LessonPlan

        fields.setdefault("title", f"Plan {next(_counter)}")
        plan = LessonPlan(studio_id=studio.id, author_id=author.id, **fields)
        db.session.add(plan)
        db.session.flush()
        return plan

    def practice(self, student, practice_date=None, minutes=30, **fields):
        from app.teaching.models import PracticeLog

        log = PracticeLog(studio_id=student.studio_id, student=student, student_id=student.id,
                          practice_date=practice_date or studio_today(), minutes=minutes, **fields)
        db.session.add(log)
        db.session.flush()
        return log

    # -------------------------------------------------------------- billing

    def invoice(self, studio, family=None, lines=(("Piano lessons", 4, "50.00"),), send=False,
                actor=None, **fields):
        """An invoice through the billing services (a draft; `send=True` issues it)."""
        from app.billing import services

        family = family or self.family(studio)
        invoice = services.create_invoice(
            studio, actor, family=family,
            line_items=[{"description": d, "quantity": q, "unit_price": p} for d, q, p in lines],
            **fields)
        if send:
            services.send_invoice(studio, actor, invoice)
        return invoice

    def payment(self, studio, invoice, amount, method="cash", actor=None, **fields):
        from app.billing import services

        return services.record_payment(studio, actor, invoice=invoice, amount=amount,
                                       method=method, **fields)
