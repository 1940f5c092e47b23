"""What the scheduling module adds to the dashboard: staff get today's agenda, the lessons
still waiting for attendance and the open cancellation requests (a teacher of their own
lessons, managers of the whole studio); families get their next lessons.

A big studio has hundreds of lessons a day: the agenda and the attendance list show a few
(AGENDA_LIMIT, ATTENDANCE_LIMIT), with how many there are and links to the rest; a small
studio sees its whole day as before."""
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
from app.scheduling.services.queries import count_agenda_lessons, missing_attendance_per_day

UPCOMING = 5
# About a screen each; a small studio's busiest day (the small demo's: 14) still fits whole.
AGENDA_LIMIT = 15  # today's lessons shown at most: those on now and next
ATTENDANCE_DAYS = 14  # how far back the dashboard lists lessons without attendance
ATTENDANCE_LIMIT = 15  # lessons without attendance listed at most: the latest


@dataclass
class AttendanceDay:
    """One local day of lessons waiting for attendance, and the same lessons by teacher."""

    day: date
    lessons: list  # those listed: all of the day's, its latest, or none beyond the limit
    teachers: list = field(default_factory=list)  # [(teacher profile, lessons)]
    total: int = 0  # how many of the day's lessons wait, listed or not

    @property
    def unlisted(self):
        return self.total - len(self.lessons)


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
               "today": local_today(principal.studio, now), "attendance_until": now,
               "attendance_teacher_id": teacher_id}
    if not has_lessons:
        return context | {"today_lessons": [], "today_count": 0, "today_over": True, "attendance_days": [],
                          "attendance_count": 0, "attendance_older": 0,
                          "attendance_since": context["today"], "requests": [], "requests_count": 0}
    context.update(attendance_context(principal, now, teacher_id))
    context.update(agenda_context(principal, now, teacher_id, context["today"]))
    requests, count = pending_requests(principal, teacher_id)
    return context | {"requests": requests, "requests_count": count}


def agenda_context(principal, now, teacher_id, today):
    """Today's lessons (of one teacher when given), at most AGENDA_LIMIT of them around
    `now`, how many the day has, and whether those shown are all over (the day's last)."""
    lessons = agenda_lessons(principal, teacher_id, day=today, limit=AGENDA_LIMIT, now=now)
    return {"today_lessons": lessons, "today_count": count_agenda_lessons(principal, teacher_id, day=today),
            "today_over": all(lesson.end_at <= now for lesson in lessons)}


def attendance_context(principal, now, teacher_id=None):
    """The latest lessons waiting for attendance (of one teacher when given), at most
    ATTENDANCE_LIMIT, grouped by day, latest first, and by teacher; each day with its full
    count, including the days none of whose lessons is listed; and how many older ones wait."""
    lessons, older = missing_attendance(principal, now, teacher_id=teacher_id, days=ATTENDANCE_DAYS,
                                        limit=ATTENDANCE_LIMIT)
    per_day = missing_attendance_per_day(principal, now, teacher_id=teacher_id, days=ATTENDANCE_DAYS)
    days = group_by_day(principal.studio, lessons, per_day)
    return {"attendance_days": days, "attendance_count": sum(d.total for d in days),
            "attendance_older": older,
            "attendance_since": local_today(principal.studio, now) - timedelta(days=ATTENDANCE_DAYS - 1)}


def group_by_day(studio, lessons, per_day=None):
    """[AttendanceDay], the latest day first; lessons keep their time order within a day.
    `per_day` ({date: how many wait}) gives each day its total, and a day for each date none
    of whose lessons is in `lessons`."""
    per_day = per_day or {}
    days = {}
    for day, of_day in groupby(lessons, key=lambda lesson: to_local(studio, lesson.start_at).date()):
        of_day = list(of_day)
        by_teacher = sorted(of_day, key=lambda lesson: (lesson.teacher.full_name, str(lesson.teacher_id)))
        teachers = [(items[0].teacher, items) for items in
                    (list(group) for _id, group in groupby(by_teacher, key=lambda lesson: lesson.teacher_id))]
        days[day] = AttendanceDay(day, of_day, teachers, max(per_day.get(day, 0), len(of_day)))
    for day, count in per_day.items():
        if count and day not in days:
            days[day] = AttendanceDay(day, [], [], count)
    return sorted(days.values(), key=lambda d: d.day, reverse=True)
