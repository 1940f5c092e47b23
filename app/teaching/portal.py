"""What the home page shows families (the portal) and teachers (notes to write)."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import defaultload, selectinload

from app.core.db import utcnow
from app.core.timeutil import local_today, week_bounds
from app.extensions import db
from app.library import services as library
from app.people.models import Student
from app.people.services import own_teacher_profile
from app.scheduling.models import Lesson
from app.scheduling.services import lesson_query
from app.teaching import policies, services
from app.teaching.models import Goal, LessonNote

RECENT_NOTES = 5
ASSIGNMENT_LOOKBACK = 50  # notes searched for each child's latest assignments
AGENDA_DAYS = 7


@dataclass
class Portal:
    students: list
    notes: list
    assignments: list  # [(student, note)] the latest visible note with assignments per student
    goals: list
    practice: list  # [WeekSummary]
    week: tuple
    resources: list  # the newest library resources the family may open


def _latest_notes_with_assignments(notes, students):
    latest = {}
    for note in notes:
        if note.assignments and note.student_id not in latest:
            latest[note.student_id] = note
    return [(s, latest[s.id]) for s in students if s.id in latest]


def family_portal(principal):
    """Latest visible notes and assignments, active goals and this week's practice
    (scheduling's dashboard context adds the next lessons, billing's the balance)."""
    studio = principal.studio
    students = db.session.scalars(
        policies.record_students(principal).where(Student.is_active.is_(True))
        .order_by(Student.first_name, Student.last_name)).all()
    notes_stmt = policies.visible_notes(principal)
    # One read serves both the latest notes and each child's latest assignments; the cards
    # show the lesson's date and teacher, not who else attended.
    notes = db.session.scalars(
        notes_stmt.join(Lesson, Lesson.id == LessonNote.lesson_id)
        .order_by(Lesson.start_at.desc(), LessonNote.created_at.desc()).limit(ASSIGNMENT_LOOKBACK)
        .options(defaultload(LessonNote.lesson).lazyload(Lesson.attendees))).unique().all()
    goals = db.session.scalars(
        policies.visible_goals(principal).where(Goal.status == "active")
        .order_by(Goal.target_date.is_(None), Goal.target_date, Goal.created_at)).unique().all()
    return Portal(
        students=students, notes=notes[:RECENT_NOTES],
        assignments=_latest_notes_with_assignments(notes, students), goals=goals,
        practice=services.weekly_summary(studio, students),
        week=week_bounds(local_today(studio)),
        resources=library.recent_resources(principal),
    )


def teacher_agenda(principal, now=None):
    """The teacher's lessons of the last week and today that still lack a note (oldest
    first), so notes get written in a few clicks from the home page."""
    now = now or utcnow()
    own = own_teacher_profile(principal)
    if own is None:
        return []
    stmt = (lesson_query(principal, teacher=own.id, status=("scheduled", "completed"))
            .where(Lesson.start_at >= now - timedelta(days=AGENDA_DAYS),
                   Lesson.start_at < now + timedelta(hours=12))
            .order_by(Lesson.start_at).options(selectinload(Lesson.attendees)))
    lessons = db.session.scalars(stmt).unique().all()
    missing = services.lessons_needing_notes(principal, lessons)
    return [(lesson, missing[lesson.id]) for lesson in lessons if missing[lesson.id]]

