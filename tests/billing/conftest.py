"""Billing test set-up: a studio with an admin, a teacher, and two families with children."""
from datetime import time
from decimal import Decimal

import pytest

from app.core.timeutil import add_months, local_today, month_end, month_start, zone
from app.extensions import db
from app.scheduling.recurrence import local_to_utc


class Billing:
    def __init__(self, make):
        self.make = make
        self.studio = make.studio(name="Harmony Test Studio", tax_rate=Decimal("8.25"),
                                  invoice_prefix="INV", invoice_due_days=14)
        self.owner = make.member(self.studio, "owner")
        self.admin = make.member(self.studio, "admin")
        self.parent = make.member(self.studio, "parent")
        self.other_parent = make.member(self.studio, "parent")
        self.student_user = make.member(self.studio, "student")
        self.teacher = make.teacher(self.studio, first_name="Theo", last_name="Marsh",
                                    hourly_rate=Decimal("60.00"))
        self.teacher_user = self.teacher.user
        self.family = make.family(self.studio, guardians=[self.parent], name="Bennett Family",
                                  billing_email="bennett@example.test")
        self.other_family = make.family(self.studio, guardians=[self.other_parent],
                                        name="Okafor Family")
        self.sam = make.student(self.studio, self.family, first_name="Sam", last_name="Bennett",
                                default_lesson_rate=Decimal("45.00"), default_lesson_minutes=45)
        self.lily = make.student(self.studio, self.family, first_name="Lily", last_name="Bennett",
                                 default_lesson_rate=Decimal("32.00"))
        self.chidi = make.student(self.studio, self.other_family, first_name="Chidi",
                                  last_name="Okafor", default_lesson_rate=Decimal("35.00"))
        self.foreign = make.studio(name="Elsewhere")
        self.foreign_admin = make.member(self.foreign, "admin")
        self.foreign_family = make.family(self.foreign, name="Foreign Family")
        db.session.flush()

    @property
    def tz(self):
        return zone(self.studio.timezone)

    def at(self, day, hour=16, minute=0):
        return local_to_utc(day, time(hour, minute), self.tz)

    def today(self):
        return local_today(self.studio)

    def last_month(self):
        first = add_months(month_start(self.today()), -1)
        return first, month_end(first)

    def next_month(self):
        first = add_months(month_start(self.today()), 1)
        return first, month_end(first)

    def lesson(self, student, day, status="completed", minutes=45, rate=None, **fields):
        students = student if isinstance(student, list) else [student]
        return self.make.lesson(self.studio, self.teacher, students, start=self.at(day),
                                minutes=minutes, status=status, rate=rate, **fields)


@pytest.fixture()
def bill(make):
    return Billing(make)
