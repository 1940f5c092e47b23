"""Practice logs (what families record) and the weekly summary teachers read."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select

from app.core import validation
from app.core.errors import ValidationFailed
from app.core.timeutil import local_today, week_bounds
from app.extensions import db
from app.scheduling.models import Lesson
from app.teaching.models import MAX_PRACTICE_MINUTES, LessonNote, PracticeLog
from app.teaching.services.common import ensure_active_student

OLDEST_DAYS = 366


def _practice_date(studio, value, today=None):
    today = today or local_today(studio)
    if value is None:
        raise ValidationFailed(field_errors={"date": ["Enter the day of the practice."]})
    if value > today:
        raise ValidationFailed("Practice can't be logged for a day that hasn't happened yet.",
                               field_errors={"date": ["Must not be in the future."]})
    if value < today - timedelta(days=OLDEST_DAYS):
        raise ValidationFailed(field_errors={"date": ["Practice older than a year can't be logged."]})
    return value


def _clean(studio, fields, today=None):
    cleaned = {}
    if "date" in fields:
        cleaned["practice_date"] = _practice_date(studio, fields["date"], today)
    if "minutes" in fields:
        cleaned["minutes"] = validation.field(
            "minutes", validation.whole_number, fields["minutes"], minimum=1,
            maximum=MAX_PRACTICE_MINUTES,
            detail=f"Log between 1 and {MAX_PRACTICE_MINUTES} minutes per entry.")
    if "pieces" in fields:
        cleaned["pieces"] = validation.field("pieces", validation.text_list, fields["pieces"],
                                            max_items=20, max_length=200)
    if "note" in fields:
        cleaned["note"] = validation.field("note", validation.text, fields["note"], max_length=1000)
    return cleaned


def record_practice(studio, actor, student, *, date, minutes, pieces=(), note="", today=None):
    """Log a practice session of `student` on a studio-local `date` (not in the future)."""
    ensure_active_student(student)
    cleaned = _clean(studio, {"date": date, "minutes": minutes, "pieces": list(pieces or []),
                              "note": note}, today)
    log = PracticeLog(studio_id=studio.id, student=student, student_id=student.id,
                      recorded_by_id=getattr(actor, "id", None), **cleaned)
    db.session.add(log)
    db.session.flush()
    return log


def update_practice(studio, actor, log, today=None, **fields):
    for name, value in _clean(studio, fields, today).items():
        setattr(log, name, value)
    db.session.flush()
    return log


def delete_practice(studio, actor, log):
    db.session.delete(log)
    db.session.flush()


def filter_practice(stmt, *, student=None, start_date=None, end_date=None):
    if student is not None:
        stmt = stmt.where(PracticeLog.student_id == student)
    if start_date is not None:
        stmt = stmt.where(PracticeLog.practice_date >= start_date)
    if end_date is not None:
        stmt = stmt.where(PracticeLog.practice_date <= end_date)
    return stmt


# ---------------------------------------------------------------- weekly summary

@dataclass
class WeekSummary:
    student: object
    minutes: int
    days: int
    target: int | None

    @property
    def percent_of_target(self):
        if not self.target:
            return None
        return min(100, round(100 * self.minutes / self.target))

    @property
    def meets_target(self):
        return self.target is not None and self.minutes >= self.target


def practice_totals(studio, student_ids, first_day, last_day):
    """{student id: (minutes, days practised)} between two dates, inclusive (one query)."""
    if not student_ids:
        return {}
    rows = db.session.execute(
        select(PracticeLog.student_id, func.sum(PracticeLog.minutes),
               func.count(func.distinct(PracticeLog.practice_date)))
        .where(PracticeLog.studio_id == studio.id, PracticeLog.student_id.in_(student_ids),
               PracticeLog.practice_date >= first_day, PracticeLog.practice_date <= last_day)
        .group_by(PracticeLog.student_id)
    ).all()
    return {student_id: (int(minutes or 0), int(days or 0)) for student_id, minutes, days in rows}


def practice_targets(studio, student_ids):
    """{student id: weekly minutes}: the target of each student's latest note that sets one
    and is shared with the family (with the parents or the student). One number per child,
    whoever asks: a note kept from the family sets no target, and a note shown to parents
    only still sets the student's."""
    if not student_ids:
        return {}
    rows = db.session.execute(
        select(LessonNote.student_id, LessonNote.practice_target_minutes)
        .join(Lesson, Lesson.id == LessonNote.lesson_id)
        .where(LessonNote.studio_id == studio.id, LessonNote.student_id.in_(student_ids),
               LessonNote.practice_target_minutes.is_not(None),
               or_(LessonNote.visible_to_parent.is_(True), LessonNote.visible_to_student.is_(True)))
        .order_by(LessonNote.student_id, Lesson.start_at.desc(), LessonNote.created_at.desc())
    ).all()
    targets = {}
    for student_id, target in rows:
        targets.setdefault(student_id, target)
    return targets


def weekly_summary(studio, students, day=None):
    """Minutes this week (Monday–Sunday around `day`) against each student's target."""
    first, last = week_bounds(day or local_today(studio))
    ids = [s.id for s in students]
    totals = practice_totals(studio, ids, first, last)
    targets = practice_targets(studio, ids)
    return [WeekSummary(s, *totals.get(s.id, (0, 0)), targets.get(s.id)) for s in students]
