"""The onboarding checklist: what a new studio sets up before it runs, each step ticked by
the studio's own data (a teacher exists, a lesson is booked), never by a click on the list."""
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import exists, or_, select

from app.billing.models import Invoice
from app.core.permissions import MANAGERS
from app.extensions import db
from app.people.models import Family, Student, TeacherProfile
from app.scheduling.models import Lesson


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    hint: str
    endpoint: str
    done: bool

    @property
    def url(self):
        return url_for(self.endpoint)


def _has(model, studio, *conditions):
    return exists().where(model.studio_id == studio.id, *conditions)


def studio_details_done(studio):
    """Invoices can say where the studio is and how to pay it."""
    return bool(studio.address_line1 and studio.city and studio.payment_instructions)


def onboarding_checklist(studio):
    """The steps in order, each with whether the studio's data shows it done (one query)."""
    teachers, families, students, rates, lessons, invoices = db.session.execute(select(
        _has(TeacherProfile, studio),
        _has(Family, studio),
        _has(Student, studio),
        or_(_has(Student, studio, Student.default_lesson_rate.is_not(None)),
            _has(TeacherProfile, studio, TeacherProfile.hourly_rate.is_not(None))),
        _has(Lesson, studio),
        _has(Invoice, studio),
    )).one()
    return [
        ChecklistItem("studio", "Add your studio details",
                      "Address, logo, tax id and how families pay: they appear on every invoice.",
                      "settings.studio", studio_details_done(studio)),
        ChecklistItem("teachers", "Add your teachers",
                      "Yourself too if you teach. They can be scheduled before they sign in.",
                      "people.teachers", bool(teachers)),
        ChecklistItem("families", "Add families and students",
                      "One by one, or import them all from a spreadsheet.",
                      "people.families" if not families else "people.students",
                      bool(families and students)),
        ChecklistItem("rates", "Set your rates",
                      "A teacher's hourly rate, or a student's price per lesson.",
                      "people.teachers", bool(rates)),
        ChecklistItem("lesson", "Book the first lesson",
                      "Click a free slot on the calendar.",
                      "scheduling.calendar", bool(lessons)),
        ChecklistItem("invoice", "Send the first invoice",
                      "Create one by hand, or bill a period's lessons at once.",
                      "billing.invoices", bool(invoices)),
    ]


def checklist_for(principal):
    """The checklist an owner or admin sees on the dashboard, or None once every step is
    done or the studio dismissed it (and for every other role)."""
    studio = principal.studio
    if principal.role not in MANAGERS or studio.checklist_dismissed_at is not None:
        return None
    items = onboarding_checklist(studio)
    return None if all(item.done for item in items) else items
