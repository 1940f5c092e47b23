"""factory-boy factories over the real models, and a small Maker facade for tests."""
import itertools

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.accounts.models import Membership, Studio, User
from app.accounts.passwords import hash_password
from app.extensions import db

PASSWORD = "correct-horse-battery"
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
    timezone = "America/New_York"
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
