"""The demo studio, "Harmony Music Studio" (SPEC §6). Each capability extends it."""
from decimal import Decimal

from sqlalchemy import text

from app.accounts import services
from app.accounts.models import Membership
from app.accounts.passwords import hash_password
from app.billing.demo import seed_billing
from app.extensions import db
from app.inventory.demo import seed_inventory
from app.library.demo import seed_library
from app.messaging.demo import seed_messaging
from app.oauth.demo import seed_oauth
from app.people.demo import create_login, seed_people
from app.scheduling.demo import seed_schedule
from app.teaching.demo import seed_teaching
from app.webhooks.demo import seed_webhooks

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


def _member(studio, email, first, last, role, password_hash=None):
    user = create_login(email, DEMO_PASSWORD, first, last, password_hash)
    db.session.add(Membership(studio_id=studio.id, user_id=user.id, role=role))
    return user


# What `seed(size="large", progress=...)` reports, in order, as each stage begins.
LARGE_STAGES = ("people", "schedule", "a year of lessons", "teaching", "lesson notes", "billing",
                "invoices and payments")


def seed(size="small", progress=None, *, teachers=60, students=3000, months=12):
    """Create the demo studio and return it. The caller commits. `progress(stage)` is told
    when each stage begins (LARGE_STAGES for the large studio, whose size the keywords set:
    bench teachers, bench students, months of history)."""
    progress = progress or (lambda stage: None)
    progress("people")
    large = size == "large"
    if large and db.session.get_bind().dialect.name == "sqlite":
        # The large studio's indexes outgrow SQLite's default page cache (2 MB) many times.
        db.session.execute(text("PRAGMA cache_size = -524288"))
    # Its many logins share one hash of the demo password: argon2 is slow on purpose.
    password_hash = hash_password(DEMO_PASSWORD) if large else None
    owner = create_login("owner@demo.test", DEMO_PASSWORD, "Olivia", "Harmon", password_hash)
    studio = services.create_studio(owner, "Harmony Music Studio", timezone="America/New_York",
                                    currency="USD", locale="en_US")
    studio.tax_rate = Decimal("0.00")
    studio.invoice_prefix = "INV"
    for email, first, last, role in STAFF + FAMILY_LOGINS:
        _member(studio, email, first, last, role, password_hash)
    db.session.flush()
    seed_people(studio, DEMO_PASSWORD, size, password_hash=password_hash, teacher_count=teachers,
                student_count=students)
    progress("schedule")
    seed_schedule(studio, size, progress, months=months)
    progress("teaching")
    seed_teaching(studio, size, progress)
    seed_library(studio)
    seed_inventory(studio)
    progress("billing")
    seed_billing(studio, size, progress, months=months)
    seed_messaging(studio)
    seed_webhooks(studio)
    seed_oauth(studio)
    return studio
