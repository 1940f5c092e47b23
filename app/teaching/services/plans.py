"""The studio's library of lesson plans, and plans attached to lessons."""
from sqlalchemy import func, select

from app.core import validation
from app.core.errors import Conflict
from app.core.search import matches
from app.extensions import db
from app.teaching.models import LessonPlan, LessonPlanAttachment

MAX_CONTENT = 50_000


def _clean(fields):
    cleaned = {}
    if "title" in fields:
        cleaned["title"] = validation.field("title", validation.text, fields["title"], max_length=200,
                                            required=True, missing="A title is required.")
    if "specialty" in fields:
        cleaned["specialty"] = validation.field("specialty", validation.text, fields["specialty"],
                                                max_length=60).lower()
    if "content" in fields:
        cleaned["content"] = validation.field("content", validation.text, fields["content"],
                                              max_length=MAX_CONTENT)
    if "is_public" in fields:
        cleaned["is_public"] = bool(fields["is_public"])
    return cleaned


def create_plan(studio, actor, *, title, specialty="", content="", is_public=False):
    plan = LessonPlan(studio_id=studio.id, author_id=actor.id, author=actor, **_clean(
        {"title": title, "specialty": specialty, "content": content, "is_public": is_public}))
    db.session.add(plan)
    db.session.flush()
    return plan


def update_plan(studio, actor, plan, **fields):
    for name, value in _clean(fields).items():
        setattr(plan, name, value)
    db.session.flush()
    return plan


def delete_plan(studio, actor, plan):
    db.session.delete(plan)
    db.session.flush()


def filter_plans(stmt, *, specialty=None, is_public=None, search=None):
    if specialty:
        stmt = stmt.where(LessonPlan.specialty == specialty.strip().lower())
    if is_public is not None:
        stmt = stmt.where(LessonPlan.is_public.is_(is_public))
    if search:
        stmt = stmt.where(matches(search, LessonPlan.search_text))
    return stmt


def specialties(stmt):
    """The distinct specialties of the plans `stmt` selects, for a filter menu."""
    sub = stmt.with_only_columns(LessonPlan.specialty).where(LessonPlan.specialty != "").order_by(None)
    return sorted(set(db.session.scalars(sub.distinct()).all()))


def attach_plan(studio, actor, lesson, plan):
    """Attach `plan` to `lesson`; attaching it twice is a 409."""
    if attachment_of(lesson, plan) is not None:
        raise Conflict(f"“{plan.title}” is already attached to this lesson.")
    attachment = LessonPlanAttachment(studio_id=studio.id, lesson_id=lesson.id, plan=plan,
                                      plan_id=plan.id, attached_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def detach_plan(studio, actor, lesson, plan):
    attachment = attachment_of(lesson, plan)
    if attachment is not None:
        db.session.delete(attachment)
        db.session.flush()


def attachment_of(lesson, plan):
    return db.session.scalar(select(LessonPlanAttachment).where(
        LessonPlanAttachment.studio_id == lesson.studio_id,
        LessonPlanAttachment.lesson_id == lesson.id, LessonPlanAttachment.plan_id == plan.id))


def plans_of_lesson(lesson, visible_stmt):
    """The plans attached to a lesson that the caller may see (`visible_stmt`)."""
    ids = select(LessonPlanAttachment.plan_id).where(
        LessonPlanAttachment.studio_id == lesson.studio_id, LessonPlanAttachment.lesson_id == lesson.id)
    return db.session.scalars(visible_stmt.where(LessonPlan.id.in_(ids))
                              .order_by(func.lower(LessonPlan.title))).all()

