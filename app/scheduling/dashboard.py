"""What the scheduling module adds to the dashboard: staff get today's agenda, the lessons
still waiting for attendance and the open cancellation requests (a teacher of their own
lessons, managers of the whole studio); families get their next lessons."""
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby

from app.core.db import utcnow
from app.core.permissions import STAFF, TEACHER
from app.core.timeutil import local_today, to_local
from app.people.services import own_teacher_profile
from app.scheduling.calendar import teacher_colors
from app.scheduling.forms import AttendanceForm, ReviewForm
from app.scheduling.policies import family_student_ids
from app.scheduling.services import (
    agenda_lessons,
    credits_of_students,
    missing_attendance,
    pending_requests,
    studio_teachers,
    upcoming_lessons,
)

UPCOMING = 5
ATTENDANCE_DAYS = 14  # how far back the dashboard lists lessons without attendance


@dataclass
class AttendanceDay:
    """One local day of lessons waiting for attendance, and the same lessons by teacher."""

    day: date
    lessons: list
    teachers: list = field(default_factory=list)  # [(teacher profile, lessons)]


def dashboard_context(principal):
    """Extra template context for the dashboard of `principal`'s role."""
    if principal.role in STAFF:
        return staff_context(principal)
    if principal.role in ("parent", "student"):
        credits = credits_of_students(principal.studio, family_student_ids(principal))
        return {"upcoming_lessons": upcoming_lessons(principal, utcnow(), limit=UPCOMING),
                "makeup_credits": credits,
                "offers_credits": bool(credits) or principal.studio.makeup_credits_enabled}
    return {}


def _own_lessons_only(principal):
    """(whose lessons a staff member works on: a teacher id, or None for the whole studio,
    and whether there is anything at all: a teacher without a profile has no lessons)."""
    if principal.role != TEACHER:
        return None, True
    own = own_teacher_profile(principal)
    return (own.id, True) if own else (None, False)


def staff_context(principal, now=None):
    now = now or utcnow()
    teacher_id, has_lessons = _own_lessons_only(principal)
    colors = teacher_colors(studio_teachers(principal.studio, active_only=False))
    context = {"colors": colors, "attendance_form": AttendanceForm(), "review_form": ReviewForm(),
               "today": local_today(principal.studio, now)}
    if not has_lessons:
        return context | {"today_lessons": [], "attendance_days": [], "attendance_count": 0,
                          "attendance_older": 0, "attendance_since": context["today"],
                          "requests": [], "requests_count": 0}
    context.update(attendance_context(principal, now, teacher_id))
    requests, count = pending_requests(principal, teacher_id)
    return context | {"today_lessons": agenda_lessons(principal, teacher_id, day=context["today"]),
                      "requests": requests, "requests_count": count}


def attendance_context(principal, now, teacher_id=None):
    """The lessons waiting for attendance (of one teacher when given), grouped by day,
    latest first, and by teacher; and how many older ones wait too."""
    lessons, older = missing_attendance(principal, now, teacher_id=teacher_id, days=ATTENDANCE_DAYS)
    return {"attendance_days": group_by_day(principal.studio, lessons), "attendance_count": len(lessons),
            "attendance_older": older,
            "attendance_since": local_today(principal.studio, now) - timedelta(days=ATTENDANCE_DAYS - 1)}


def group_by_day(studio, lessons):
    """[AttendanceDay], the latest day first; lessons keep their time order within a day."""
    days = []
    for day, of_day in groupby(lessons, key=lambda lesson: to_local(studio, lesson.start_at).date()):
        of_day = list(of_day)
        by_teacher = sorted(of_day, key=lambda lesson: (lesson.teacher.full_name, str(lesson.teacher_id)))
        teachers = [(items[0].teacher, items) for items in
                    (list(group) for _id, group in groupby(by_teacher, key=lambda lesson: lesson.teacher_id))]
        days.append(AttendanceDay(day, of_day, teachers))
    return sorted(days, key=lambda d: d.day, reverse=True)
