"""Demo directory for Harmony Music Studio: teacher profiles, families, guardians, students."""
import random
import uuid
from datetime import date, time
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Membership, User
from app.accounts.passwords import hash_password
from app.accounts.services import create_user
from app.core.permissions import PARENT, TEACHER
from app.extensions import db
from app.people.models import Family, FamilyGuardian, Student, TeacherAvailability, TeacherProfile

TEACHER_PROFILES = {
    "teacher@demo.test": dict(
        bio="Classical and contemporary piano for all ages; RCM exam preparation.",
        instruments=["piano"], specialties=["classical", "exam prep", "theory"],
        hourly_rate=Decimal("60.00"), calendar_color="#5b3cc4",
        windows=[(0, "15:00", "20:00"), (1, "15:00", "20:00"), (3, "15:00", "19:00"), (5, "09:00", "13:00")],
    ),
    "clara.piano@demo.test": dict(
        bio="Piano and music theory; loves beginners and adult learners.",
        instruments=["piano", "keyboard"], specialties=["theory", "adult beginners"],
        hourly_rate=Decimal("55.00"), calendar_color="#0f766e",
        windows=[(0, "10:00", "14:00"), (2, "14:00", "19:00"), (4, "14:00", "19:00")],
    ),
    "miguel.guitar@demo.test": dict(
        bio="Acoustic, electric and bass guitar. Rock, jazz and songwriting.",
        instruments=["guitar", "bass guitar", "ukulele"], specialties=["jazz", "songwriting"],
        hourly_rate=Decimal("50.00"), calendar_color="#b45309",
        windows=[(1, "16:00", "21:00"), (2, "16:00", "21:00"), (5, "10:00", "15:00")],
    ),
    "priya.violin@demo.test": dict(
        bio="Violin and viola; Suzuki certified; chamber music coaching.",
        instruments=["violin", "viola"], specialties=["suzuki", "chamber music"],
        hourly_rate=Decimal("58.00"), calendar_color="#be123c", is_accepting_students=False,
        windows=[(0, "15:30", "19:30"), (3, "15:30", "19:30")],
    ),
}

# (family name, phone, address, [(parent email, first, last, relation)], [students])
# student: (first, last, instrument, teacher email, minutes, rate, birth date, active)
FAMILIES = [
    ("Bennett Family", "+1 212 555 0101", "12 Orchard Lane, Brooklyn, NY 11201",
     [("parent@demo.test", "Paula", "Bennett", "Mother")],
     [("Sam", "Bennett", "piano", "teacher@demo.test", 45, "45.00", date(2011, 4, 12), True),
      ("Lily", "Bennett", "piano", "teacher@demo.test", 30, "32.00", date(2015, 9, 3), True)]),
    ("Okafor Family", "+1 212 555 0102", "88 Maple Ave, Queens, NY 11375",
     [("ngozi.okafor@demo.test", "Ngozi", "Okafor", "Mother")],
     [("Chidi", "Okafor", "violin", "priya.violin@demo.test", 30, "35.00", date(2013, 1, 22), True),
      ("Ada", "Okafor", "piano", "clara.piano@demo.test", 30, "33.00", date(2016, 6, 8), True)]),
    ("Nguyen Family", "+1 212 555 0103", "5 Pine St, Manhattan, NY 10005",
     [("linh.nguyen@demo.test", "Linh", "Nguyen", "Mother"),
      ("bao.nguyen@demo.test", "Bao", "Nguyen", "Father")],
     [("Minh", "Nguyen", "guitar", "miguel.guitar@demo.test", 45, "45.00", date(2010, 11, 30), True),
      ("Lan", "Nguyen", "piano", "clara.piano@demo.test", 30, "33.00", date(2015, 3, 12), True)]),
    ("García Family", "+1 212 555 0104", "301 Cedar Rd, Bronx, NY 10451",
     [("lucia.garcia@demo.test", "Lucía", "García", "Mother")],
     [("Mateo", "García", "guitar", "miguel.guitar@demo.test", 30, "30.00", date(2014, 2, 14), True),
      ("Sofía", "García", "violin", "priya.violin@demo.test", 30, "35.00", date(2012, 7, 19), True),
      ("Diego", "García", "ukulele", "miguel.guitar@demo.test", 30, "30.00", date(2017, 12, 1), True)]),
    ("Kowalski Family", "+1 212 555 0105", "19 Birch Blvd, Jersey City, NJ 07302",
     [("anna.kowalski@demo.test", "Anna", "Kowalski", "Mother")],
     [("Jakub", "Kowalski", "piano", "teacher@demo.test", 60, "60.00", date(2008, 3, 5), True),
      ("Zofia", "Kowalski", "violin", "priya.violin@demo.test", 30, "35.00", date(2014, 10, 18), True)]),
    ("Haddad Family", "+1 212 555 0106", "7 Elm Court, Hoboken, NJ 07030",
     [("rami.haddad@demo.test", "Rami", "Haddad", "Father")],
     [("Layla", "Haddad", "piano", "clara.piano@demo.test", 45, "42.00", date(2012, 10, 10), True),
      ("Omar", "Haddad", "bass guitar", "miguel.guitar@demo.test", 45, "45.00", date(2009, 5, 27), False)]),
    ("Schmidt Family", "+1 212 555 0107", "240 Willow Way, Staten Island, NY 10301",
     [("petra.schmidt@demo.test", "Petra", "Schmidt", "Mother")],
     [("Felix", "Schmidt", "violin", "priya.violin@demo.test", 45, "48.00", date(2011, 8, 16), True),
      ("Greta", "Schmidt", "viola", "priya.violin@demo.test", 30, "35.00", date(2014, 4, 2), True)]),
    ("Patel Family", "+1 212 555 0108", "16 Aspen Pl, Manhattan, NY 10023",
     [("meera.patel@demo.test", "Meera", "Patel", "Mother"),
      ("raj.patel@demo.test", "Raj", "Patel", "Father")],
     [("Anika", "Patel", "piano", "teacher@demo.test", 30, "32.00", date(2015, 1, 28), True),
      ("Dev", "Patel", "guitar", "miguel.guitar@demo.test", 30, "30.00", date(2013, 9, 9), True)]),
    ("Rossi Family", "+1 212 555 0109", "42 Laurel St, Brooklyn, NY 11215",
     [("giulia.rossi@demo.test", "Giulia", "Rossi", "Mother")],
     [("Luca", "Rossi", "piano", "clara.piano@demo.test", 30, "33.00", date(2016, 11, 11), True),
      ("Marco", "Rossi", "guitar", "miguel.guitar@demo.test", 30, "30.00", date(2013, 4, 4), True)]),
    ("Johnson Family", "+1 212 555 0110", "9 Spruce Ln, Queens, NY 11101",
     [("mark.johnson@demo.test", "Mark", "Johnson", "Father")],
     [("Ella", "Johnson", "violin", "priya.violin@demo.test", 30, "35.00", date(2014, 5, 23), True),
      ("Noah", "Johnson", "guitar", "miguel.guitar@demo.test", 45, "45.00", date(2010, 2, 6), True)]),
    ("Tanaka Family", "+1 212 555 0111", "3 Magnolia Dr, Manhattan, NY 10011",
     [("yuki.tanaka@demo.test", "Yuki", "Tanaka", "Mother")],
     [("Hana", "Tanaka", "piano", "teacher@demo.test", 45, "45.00", date(2012, 3, 17), True),
      ("Kenji", "Tanaka", "violin", "priya.violin@demo.test", 30, "35.00", date(2015, 8, 30), True)]),
    ("Moreau Family", "+1 212 555 0112", "55 Poplar Ave, Brooklyn, NY 11217",
     [("claire.moreau@demo.test", "Claire", "Moreau", "Guardian")],
     [("Julien", "Moreau", "piano", "clara.piano@demo.test", 60, "55.00", date(2007, 6, 21), True)]),
]
LOGIN_STUDENT = ("student@demo.test", "Sam", "Bennett")


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _profile(studio, user):
    return db.session.scalar(select(TeacherProfile).where(
        TeacherProfile.studio_id == studio.id, TeacherProfile.user_id == user.id))


def seed_teachers(studio):
    """Complete the profiles of the demo teachers; returns {email: TeacherProfile}."""
    teachers = {}
    for email, details in TEACHER_PROFILES.items():
        details = dict(details)
        windows = details.pop("windows")
        teacher = _profile(studio, _user(email))
        for name, value in details.items():
            setattr(teacher, name, value)
        for weekday, start, end in windows:
            teacher.availability.append(TeacherAvailability(
                studio_id=studio.id, weekday=weekday, start_time=time.fromisoformat(start),
                end_time=time.fromisoformat(end)))
        teachers[email] = teacher
    db.session.flush()
    return teachers


def create_login(email, password, first, last, password_hash=None):
    """A demo login. With `password_hash` (a hash of `password`, made once for the large
    studio's many logins) the slow argon2 hashing is not repeated."""
    if password_hash is None:
        return create_user(email, password, first_name=first, last_name=last)
    user = create_user(email, None, first_name=first, last_name=last)
    user.password_hash = password_hash
    return user


def _parent(studio, email, first, last, password, password_hash=None):
    user = _user(email)
    if user is None:
        user = create_login(email, password, first, last, password_hash)
        db.session.add(Membership(studio_id=studio.id, user_id=user.id, role=PARENT))
    return user


def seed_families(studio, teachers, password, password_hash=None):
    """A dozen families with parents who sign in, and about 25 students."""
    student_login = _user(LOGIN_STUDENT[0])
    for name, phone, address, parents, students in FAMILIES:
        family = Family(studio_id=studio.id, name=name, phone=phone, address=address,
                        billing_email=parents[0][0], notes="")
        db.session.add(family)
        for email, first, last, relation in parents:
            user = _parent(studio, email, first, last, password, password_hash)
            family.guardians.append(FamilyGuardian(
                studio_id=studio.id, user=user, email=email, first_name=first, last_name=last,
                relation=relation))
            family.primary_contact = family.primary_contact or user
        for first, last, instrument, teacher, minutes, rate, born, active in students:
            is_login = (first, last) == LOGIN_STUDENT[1:]
            family.students.append(Student(
                studio_id=studio.id, first_name=first, last_name=last, instrument=instrument,
                specialties=[], primary_teacher=teachers[teacher], default_lesson_minutes=minutes,
                default_lesson_rate=Decimal(rate), date_of_birth=born, is_active=active,
                user=student_login if is_login else None, email=LOGIN_STUDENT[0] if is_login else None,
                emergency_contact_name=f"{family.guardians[0].first_name} {last}",
                emergency_contact_phone=phone, notes="",
            ))
        db.session.flush()


# ------------------------------------------------------------------ the large demo (bench)

FIRST_NAMES = ("Ava", "Liam", "Mia", "Noah", "Zoe", "Ethan", "Isla", "Leo", "Nora", "Omar", "Ruby",
               "Kai", "Lena", "Theo", "Maya", "Ivan", "Aria", "Jude", "Yara", "Finn", "Sara", "Adam")
LAST_NAMES = ("Smith", "Lee", "Khan", "Rossi", "Novak", "Silva", "Okafor", "Chen", "Dubois", "Berg",
              "Haddad", "Ivanova", "Tanaka", "Murphy", "Garcia", "Nguyen", "Cohen", "Patel", "Kim")
INSTRUMENTS = ("piano", "violin", "guitar", "cello", "flute", "voice", "drums", "viola", "trumpet")


def seed_large(studio, password, teacher_count=60, student_count=3000, seed=7, password_hash=None):
    """Many teachers (with logins) and families for benchmarks; fast bulk inserts."""
    rng = random.Random(seed)  # seeded demo data, no secret # nosec B311
    password_hash = password_hash or hash_password(password)
    teachers = []
    for n in range(teacher_count):
        user = User(email=f"teacher{n:03d}@bench.test", first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES), password_hash=password_hash, preferences={})
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(studio_id=studio.id, user_id=user.id, role=TEACHER))
        db.session.flush()
        teacher = _profile(studio, user)
        teacher.instruments = [rng.choice(INSTRUMENTS)]
        teacher.hourly_rate = Decimal(rng.randrange(40, 90))
        teachers.append(teacher)
    made = 0
    while made < student_count:
        last = rng.choice(LAST_NAMES)
        family = Family(id=uuid.uuid4(), studio_id=studio.id, name=f"{last} Family {made}",
                        phone="", billing_email="", address="", notes="")
        db.session.add(family)
        db.session.add(FamilyGuardian(studio_id=studio.id, family_id=family.id,
                                      first_name=rng.choice(FIRST_NAMES), last_name=last))
        for _ in range(min(rng.choice((1, 1, 2, 3)), student_count - made)):
            teacher = rng.choice(teachers)
            db.session.add(Student(
                studio_id=studio.id, family_id=family.id, first_name=rng.choice(FIRST_NAMES),
                last_name=last, instrument=teacher.instruments[0], specialties=[],
                primary_teacher_id=teacher.id, default_lesson_minutes=rng.choice((30, 45, 60)),
                default_lesson_rate=Decimal(rng.choice((30, 40, 50))), notes=""))
            made += 1
        if made % 500 < 3:
            db.session.flush()
    db.session.flush()


def seed_people(studio, password, size="small", *, password_hash=None, teacher_count=60,
                student_count=3000):
    """Everything the directory shows in the demo studio."""
    teachers = seed_teachers(studio)
    seed_families(studio, teachers, password, password_hash)
    if size == "large":
        seed_large(studio, password, teacher_count, student_count, password_hash=password_hash)
