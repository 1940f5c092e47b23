"""Reports over the studio's local months: attendance, retention, teacher utilisation.

Each report is a few set-based queries, whatever the size of the studio: a lesson's month is
a CASE over the UTC bounds of the studio's local months (the same SQL on SQLite and
PostgreSQL, and no timezone arithmetic per row), and the counts are grouped in SQL.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, literal, select

from app.billing.services.reports import lesson_minutes
from app.core.timeutil import day_bounds, month_end, month_start, months_between, studio_zone
from app.extensions import db
from app.people.models import TeacherAvailability, TeacherProfile
from app.scheduling.models import Lesson, LessonAttendee, StudioClosure

ATTENDANCE_KINDS = ("present", "absent", "excused", "no_show")
TAUGHT = ("completed", "no_show")


def rate(part, whole):
    """part / whole as a percentage with one decimal, or None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthSpan:
    """A local month of a report, clipped to its range: its first and last day and UTC bounds."""

    month: date
    first_day: date
    last_day: date
    start_at: datetime
    end_at: datetime


def month_spans(studio, start, end):
    """The local months overlapping start..end, each clipped to the range."""
    spans = []
    for month in months_between(start, end):
        first, last = max(month, start), min(month_end(month), end)
        spans.append(MonthSpan(month, first, last, *day_bounds(studio, first, last)))
    return spans


def month_index(column, spans):
    """SQL: the index in `spans` of the month holding the moment `column` (NULL outside)."""
    return case(*((and_(column >= s.start_at, column < s.end_at), literal(i))
                  for i, s in enumerate(spans)), else_=None)


def _in_spans(column, spans):
    return and_(column >= spans[0].start_at, column < spans[-1].end_at)


# ---------------------------------------------------------------- attendance


@dataclass
class AttendanceMonth:
    """Students' attendance at the lessons of one month that were taught or missed."""

    month: date
    present: int = 0
    absent: int = 0
    excused: int = 0
    no_show: int = 0

    @property
    def recorded(self):
        return self.present + self.absent + self.excused + self.no_show

    @property
    def rate(self):
        """Present out of those expected: an excused absence does not count against it."""
        return rate(self.present, self.present + self.absent + self.no_show)


def attendance_by_month(studio, start, end):
    """Per local month of start..end: each student's place at a completed lesson counts as
    present, absent or excused (as recorded), and at a no-show lesson as a no-show.
    Cancelled and not yet recorded lessons are left out."""
    spans = month_spans(studio, start, end)
    rows = [AttendanceMonth(span.month) for span in spans]
    if not spans:
        return rows
    index = month_index(Lesson.start_at, spans).label("month")
    kind = case((Lesson.status == "no_show", literal("no_show")), else_=LessonAttendee.attendance)
    stmt = (select(index, kind, func.count())
            .select_from(LessonAttendee).join(Lesson, Lesson.id == LessonAttendee.lesson_id)
            .where(Lesson.studio_id == studio.id, Lesson.status.in_(TAUGHT),
                   _in_spans(Lesson.start_at, spans))
            .group_by(index, kind))
    for month, what, count in db.session.execute(stmt):
        if what in ATTENDANCE_KINDS:
            setattr(rows[month], what, getattr(rows[month], what) + count)
    return rows


# ---------------------------------------------------------------- retention


@dataclass
class RetentionMonth:
    """Active students of a month, who came and who left.

    A student is active in a month when they have a lesson in it that is not cancelled; new
    when it is their first month with one; churned when they were active the month before
    and are not in this one."""

    month: date
    active: int = 0
    new: int = 0
    churned: int = 0
    active_before: int = 0

    @property
    def churn_rate(self):
        """Churned out of the students active the month before."""
        return rate(self.churned, self.active_before)


def _whole_months(studio, start, end):
    """Whole local months from the one before start's to end's: retention compares each
    month with the one before, and a month's scheduled lessons count as activity."""
    first = month_start(start) - timedelta(days=1)
    return month_spans(studio, month_start(first), month_end(end))


def retention_by_month(studio, start, end):
    """Per local month of start..end (whole months): active, new and churned students."""
    spans = _whole_months(studio, start, end)
    rows = [RetentionMonth(span.month) for span in spans[1:]]
    if not rows:
        return rows
    index = month_index(Lesson.start_at, spans)
    held = and_(Lesson.studio_id == studio.id, Lesson.status != "cancelled")
    active = (select(LessonAttendee.student_id.label("student_id"), index.label("month"))
              .join(Lesson, Lesson.id == LessonAttendee.lesson_id)
              .where(held, LessonAttendee.studio_id == studio.id, _in_spans(Lesson.start_at, spans))
              .distinct().cte("active"))
    for month, count in db.session.execute(select(active.c.month, func.count()).group_by(active.c.month)):
        if month:
            rows[month - 1].active = count
        if month < len(rows):
            rows[month].active_before = count
    later = active.alias("later")
    gone = (select(active.c.month, func.count())
            .where(active.c.month < len(rows), ~select(later.c.student_id).where(
                later.c.student_id == active.c.student_id, later.c.month == active.c.month + 1).exists())
            .group_by(active.c.month))
    for month, count in db.session.execute(gone):
        rows[month].churned = count
    first_lesson = (select(func.min(Lesson.start_at).label("first_at"))
                    .join(LessonAttendee, LessonAttendee.lesson_id == Lesson.id)
                    .where(held, LessonAttendee.studio_id == studio.id)
                    .group_by(LessonAttendee.student_id).subquery())
    first_month = month_index(first_lesson.c.first_at, spans)
    for month, count in db.session.execute(
            select(first_month, func.count()).where(_in_spans(first_lesson.c.first_at, spans[1:]))
            .group_by(first_month)):
        rows[month - 1].new = count
    return rows


# ---------------------------------------------------------------- utilisation


@dataclass
class UtilisationMonth:
    month: date
    lessons: int = 0
    taught_minutes: int = 0
    available_minutes: int = 0

    @property
    def taught_hours(self):
        return _hours(self.taught_minutes)

    @property
    def available_hours(self):
        return _hours(self.available_minutes)

    @property
    def utilisation(self):
        """Hours taught out of the hours the teacher is available."""
        return rate(self.taught_minutes, self.available_minutes)


@dataclass
class TeacherUtilisation:
    teacher: TeacherProfile
    months: list = field(default_factory=list)

    @property
    def total(self):
        total = UtilisationMonth(None)
        for month in self.months:
            total.lessons += month.lessons
            total.taught_minutes += month.taught_minutes
            total.available_minutes += month.available_minutes
        return total


def _hours(minutes):
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _closed_days(studio, start, end):
    closures = db.session.execute(select(StudioClosure.start_date, StudioClosure.end_date).where(
        StudioClosure.studio_id == studio.id, StudioClosure.start_date <= end,
        StudioClosure.end_date >= start))
    closed = set()
    for first, last in closures:
        day = max(first, start)
        while day <= min(last, end):
            closed.add(day)
            day += timedelta(days=1)
    return closed


def _wall_minutes(start_time, end_time):
    return max(0, (end_time.hour * 60 + end_time.minute) - (start_time.hour * 60 + start_time.minute))


def _window_minutes(zone, day, start_time, end_time):
    """Minutes of a wall-clock window on a local day whose clocks change (DST)."""
    begin = datetime.combine(day, start_time, tzinfo=zone).timestamp()
    finish = datetime.combine(day, end_time, tzinfo=zone).timestamp()
    return max(0, int(finish - begin) // 60)


def _clocks_change(zone, day):
    today = datetime.combine(day, time.min, tzinfo=zone)
    tomorrow = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return today.utcoffset() != tomorrow.utcoffset()


def _available_minutes(studio, spans, windows, closed):
    """{teacher id: [minutes per span]} from the weekly availability windows, on the days of
    each span the studio is open. Days are counted per weekday; only the few days whose
    clocks change are measured one by one."""
    zone = studio_zone(studio)
    per_teacher = {}
    for index, span in enumerate(spans):
        usual, changing = [0] * 7, [[] for _ in range(7)]
        day = span.first_day
        while day <= span.last_day:
            if day not in closed:
                if _clocks_change(zone, day):
                    changing[day.weekday()].append(day)
                else:
                    usual[day.weekday()] += 1
            day += timedelta(days=1)
        for teacher_id, weekday, start_time, end_time in windows:
            minutes = usual[weekday] * _wall_minutes(start_time, end_time) + sum(
                _window_minutes(zone, day, start_time, end_time) for day in changing[weekday])
            per_teacher.setdefault(teacher_id, [0] * len(spans))[index] += minutes
    return per_teacher


def teacher_utilisation(studio, start, end, teacher_id=None):
    """Per teacher and local month of start..end: lessons taught (completed or no-show, as in
    the teacher-hours report), their hours, and the hours the teacher's weekly availability
    offers on the days the studio is open. Teachers with neither are left out."""
    spans = month_spans(studio, start, end)
    if not spans:
        return []
    index = month_index(Lesson.start_at, spans).label("month")
    taught = (select(Lesson.teacher_id, index, func.count(), func.sum(lesson_minutes()))
              .where(Lesson.studio_id == studio.id, Lesson.status.in_(TAUGHT),
                     _in_spans(Lesson.start_at, spans))
              .group_by(Lesson.teacher_id, index))
    windows = select(TeacherAvailability.teacher_id, TeacherAvailability.weekday,
                     TeacherAvailability.start_time, TeacherAvailability.end_time
                     ).where(TeacherAvailability.studio_id == studio.id)
    if teacher_id is not None:
        taught = taught.where(Lesson.teacher_id == teacher_id)
        windows = windows.where(TeacherAvailability.teacher_id == teacher_id)
    available = _available_minutes(studio, spans, db.session.execute(windows).all(),
                                   _closed_days(studio, start, end))
    rows = {}

    def row(teacher):
        return rows.setdefault(teacher, [UtilisationMonth(span.month) for span in spans])

    for teacher, minutes in available.items():
        for month, value in zip(row(teacher), minutes, strict=True):
            month.available_minutes = value
    for teacher, month, lessons, minutes in db.session.execute(taught):
        row(teacher)[month].lessons = lessons
        row(teacher)[month].taught_minutes = int(minutes or 0)
    if not rows:
        return []
    teachers = db.session.scalars(select(TeacherProfile).where(
        TeacherProfile.studio_id == studio.id, TeacherProfile.id.in_(list(rows))))
    result = [TeacherUtilisation(teacher, rows[teacher.id]) for teacher in teachers]
    return sorted(result, key=lambda r: (r.teacher.full_name.lower(), str(r.teacher.id)))
