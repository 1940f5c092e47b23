"""The demo studio shows teaching records in use (SPEC §6)."""

from sqlalchemy import func, select

from app.demo import seed
from app.extensions import db
from app.people.models import Student
from app.teaching.models import Goal, LessonNote, LessonPlan, PracticeLog


def test_demo_has_notes_goals_plans_and_practice_for_the_bennetts(ctx):
    studio = seed()
    db.session.flush()
    sam = db.session.scalar(
        select(Student).where(Student.studio_id == studio.id, Student.first_name == "Sam")
    )
    sam_notes = db.session.scalars(select(LessonNote).where(LessonNote.student_id == sam.id)).all()
    assert len(sam_notes) >= 2
    assert any(n.visible_to_parent and not n.visible_to_student for n in sam_notes)
    assert any(n.visible_to_parent and n.visible_to_student for n in sam_notes)
    assert db.session.scalar(select(func.count()).select_from(Goal).where(Goal.student_id == sam.id)) >= 2
    goal = db.session.scalar(select(Goal).where(Goal.student_id == sam.id, Goal.title.like("%Für Elise%")))
    assert len(goal.history) >= 3
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(LessonPlan)
            .where(LessonPlan.studio_id == studio.id, LessonPlan.is_public.is_(True))
        )
        >= 3
    )
    assert (
        db.session.scalar(
            select(func.count()).select_from(PracticeLog).where(PracticeLog.student_id == sam.id)
        )
        >= 5
    )
