"""The demo studio, "Harmony Music Studio" (SPEC §6). Each capability extends it."""
from decimal import Decimal

from app.accounts import services
from app.accounts.models import Membership
from app.billing.demo import seed_billing
from app.extensions import db
from app.people.demo import seed_people
from app.scheduling.demo import seed_schedule
from app.teaching.demo import seed_teaching

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo login

STAFF = [
    ("admin@demo.test", "Alice", "Admin", "admin"),
    ("teacher@demo.test", "Theo", "Marsh", "teacher"),
    ("clara.piano@demo.test", "Clara", "Weiss", "teacher"),
    ("miguel.guitar@demo.test", "Miguel", "Ortega", "teacher"),
    ("priya.violin@demo.test", "Priya", "Raman", "teacher"),
]
FAMILY_LOGINS = [
    ("parent@demo.test", "Paula", "Bennett", "parent"),
    ("student@demo.test", "Sam", "Bennett", "student"),
]


def _member(studio, email, first, last, role):
    user = services.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last)
    db.session.add(Membership(studio_id=studio.id, user_id=user.id, role=role))
    return user


def seed(size="small"):
    """Create the demo studio and return it. The caller commits."""
    owner = services.create_user("owner@demo.test", DEMO_PASSWORD, first_name="Olivia",
                                 last_name="Harmon")
    studio = services.create_studio(owner, "Harmony Music Studio", timezone="America/New_York",
                                    currency="USD", locale="en_US")
    studio.tax_rate = Decimal("0.00")
    studio.invoice_prefix = "INV"
    for email, first, last, role in STAFF + FAMILY_LOGINS:
        _member(studio, email, first, last, role)
    db.session.flush()
    seed_people(studio, DEMO_PASSWORD, size)
    seed_schedule(studio, size)
    seed_teaching(studio, size)
    seed_billing(studio, size)
    return studio
