"""A studio with two teachers and two families, and teaching records for both."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db


@dataclass
class World:
    studio_id: str
    other_studio_id: str
    emails: dict  # role name -> email
    ids: dict  # record name -> id (str)


@pytest.fixture()
def world(make):
    """teacher_a teaches kid_x (family X, parent_x; kid_x signs in as student_x) and
    teacher_b teaches kid_y (family Y, parent_y). Notes on kid_x's lessons: `shared` (both
    flags), `parents_only` (hidden from the student), `student_only` (hidden from parents)."""
    studio = make.studio(name="Teaching Studio")
    other = make.studio(name="Elsewhere")
    teacher_a = make.teacher(studio, first_name="Ana", last_name="Alto")
    teacher_b = make.teacher(studio, first_name="Ben", last_name="Bass")
    admin = make.member(studio, "admin")
    owner = make.member(studio, "owner")
    parent_x = make.member(studio, "parent")
    parent_y = make.member(studio, "parent")
    student_x_user = make.member(studio, "student")
    other_admin = make.member(other, "admin")
    family_x = make.family(studio, guardians=[parent_x], name="X Family")
    family_y = make.family(studio, guardians=[parent_y], name="Y Family")
    kid_x = make.student(
        studio, family_x, first_name="Xena", last_name="Ex", user=student_x_user, primary_teacher=teacher_a
    )
    sibling_x = make.student(studio, family_x, first_name="Xavi", last_name="Ex", primary_teacher=teacher_a)
    kid_y = make.student(studio, family_y, first_name="Yuri", last_name="Why", primary_teacher=teacher_b)

    past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=2)
    lesson_x = make.lesson(studio, teacher_a, [kid_x], start=past, status="completed")
    lesson_x2 = make.lesson(studio, teacher_a, [kid_x], start=past - timedelta(days=7), status="completed")
    lesson_x3 = make.lesson(studio, teacher_a, [kid_x], start=past - timedelta(days=14), status="completed")
    lesson_y = make.lesson(studio, teacher_b, [kid_y], start=past + timedelta(hours=2), status="completed")
    fresh_x = make.lesson(studio, teacher_a, [kid_x], start=past - timedelta(days=21), status="completed")
    group = make.lesson(
        studio,
        teacher_a,
        [kid_x, sibling_x],
        start=past - timedelta(days=1),
        lesson_type="group",
        status="completed",
    )
    shared = make.note(
        lesson_x,
        summary="Great **scales** today.",
        assignments=["Scale C, 10 min daily"],
        practice_target_minutes=90,
        author=teacher_a.user,
    )
    parents_only = make.note(
        lesson_x2,
        summary="Struggled with focus; PARENT-ONLY.",
        visible_to_student=False,
        author=teacher_a.user,
    )
    student_only = make.note(
        lesson_x3, summary="STUDENT-ONLY pep talk.", visible_to_parent=False, author=teacher_a.user
    )
    note_y = make.note(lesson_y, summary="Y-NOTE arpeggios.", author=teacher_b.user)
    goal_x = make.goal(kid_x, title="Für Elise", progress_percentage=40)
    goal_y = make.goal(kid_y, title="Y goal", progress_percentage=10)
    plan_public = make.plan(
        studio, teacher_a.user, title="Public scales plan", specialty="piano", is_public=True
    )
    plan_private = make.plan(studio, teacher_a.user, title="Ana private plan", specialty="piano")
    practice_x = make.practice(kid_x, minutes=25)
    practice_y = make.practice(kid_y, minutes=15)

    other_teacher = make.teacher(other)
    other_lesson = make.lesson(other, other_teacher, [make.student(other)], start=past, status="completed")
    other_note = make.note(other_lesson, summary="Foreign note")
    other_goal = make.goal(other_lesson.attendees[0].student)
    other_practice = make.practice(other_lesson.attendees[0].student)
    other_plan = make.plan(other, other_admin, is_public=True)
    db.session.commit()

    records = dict(
        teacher_a=teacher_a,
        teacher_b=teacher_b,
        kid_x=kid_x,
        sibling_x=sibling_x,
        kid_y=kid_y,
        lesson_x=lesson_x,
        lesson_y=lesson_y,
        fresh_x=fresh_x,
        group=group,
        shared=shared,
        parents_only=parents_only,
        student_only=student_only,
        note_y=note_y,
        goal_x=goal_x,
        goal_y=goal_y,
        plan_public=plan_public,
        plan_private=plan_private,
        practice_x=practice_x,
        practice_y=practice_y,
        other_note=other_note,
        other_goal=other_goal,
        other_practice=other_practice,
        other_plan=other_plan,
        other_lesson=other_lesson,
        other_student=other_lesson.attendees[0].student,
    )
    emails = dict(
        teacher_a=teacher_a.user.email,
        teacher_b=teacher_b.user.email,
        admin=admin.email,
        owner=owner.email,
        parent_x=parent_x.email,
        parent_y=parent_y.email,
        student_x=student_x_user.email,
        other_admin=other_admin.email,
    )
    return World(str(studio.id), str(other.id), emails, {k: str(v.id) for k, v in records.items()})
