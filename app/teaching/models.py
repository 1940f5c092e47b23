"""Teaching records: what happened in a lesson, what a student aims for, and how they practise.

A lesson note belongs to one lesson *and one student*: a private lesson has one note, a group
lesson one note per attending student (each family reads only its own child's note). So
`(studio_id, lesson_id, student_id)` is unique; editing is how a teacher changes a note.
"""
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime, utcnow
from app.core.search import Searchable
from app.extensions import db

GOAL_STATUSES = ("active", "achieved", "abandoned")
MAX_PRACTICE_MINUTES = 600  # per entry: ten hours is already generous


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class LessonNote(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    """The teacher's record of a lesson for one student; `summary` is Markdown."""

    search_fields = ("summary",)

    lesson_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("lesson.id", ondelete="CASCADE")
    )
    student_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    topics_covered: Mapped[list] = mapped_column(sa.JSON, default=list)
    assignments: Mapped[list] = mapped_column(sa.JSON, default=list)
    strengths: Mapped[list] = mapped_column(sa.JSON, default=list)
    challenges: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Minutes a week the assignments ask for; the practice summary compares against it.
    practice_target_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    visible_to_student: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    visible_to_parent: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    # The lesson (which joins its teacher, student and room) in a query of its own: joined
    # into every note query, PostgreSQL spent longer planning the nine tables than reading them.
    lesson = relationship("Lesson", lazy="selectin")
    student = relationship("Student", lazy="joined", innerjoin=True)
    author = relationship("User", lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "lesson_id", "student_id"),
        sa.Index("ix_lesson_note_studio_student_created", "studio_id", "student_id", "created_at"),
        sa.Index("ix_lesson_note_studio_created", "studio_id", "created_at"),  # the notes list
        sa.Index("ix_lesson_note_studio_updated_id", "studio_id", "updated_at", "id"),  # sync
        sa.Index("ix_lesson_note_lesson", "lesson_id"),  # notes of lessons, loaded by lesson_id
        sa.CheckConstraint(
            f"practice_target_minutes IS NULL OR (practice_target_minutes >= 1 "
            f"AND practice_target_minutes <= {MAX_PRACTICE_MINUTES * 7})",
            name="practice_target_range",
        ),
    )

    @property
    def teacher_id(self):
        return self.lesson.teacher_id

    @property
    def teacher(self):
        return self.lesson.teacher

    def __repr__(self):
        return f"<LessonNote {self.lesson_id} {self.student_id}>"


class Goal(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    """Something a student works towards, with progress 0–100 and its history."""

    search_fields = ("title",)

    student_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    target_date: Mapped[date | None] = mapped_column(sa.Date)
    progress_percentage: Mapped[int] = mapped_column(sa.Integer, default=0)
    status: Mapped[str] = mapped_column(sa.String(10), default="active")
    achieved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    student = relationship("Student", lazy="joined", innerjoin=True)
    history: Mapped[list["GoalProgress"]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", passive_deletes=True,
        order_by="GoalProgress.recorded_at.desc()",
    )

    __table_args__ = (
        sa.Index("ix_goal_studio_student_status", "studio_id", "student_id", "status"),
        sa.CheckConstraint(
            "progress_percentage >= 0 AND progress_percentage <= 100", name="progress_range"
        ),
        sa.CheckConstraint(f"status IN {_in(GOAL_STATUSES)}", name="status"),
    )

    @property
    def is_active(self):
        return self.status == "active"

    def __repr__(self):
        return f"<Goal {self.title!r} {self.progress_percentage}%>"


class GoalProgress(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """One step of a goal's history: the progress it was set to, by whom, and why."""

    goal_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("goal.id", ondelete="CASCADE"))
    progress: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(10), default="active")
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="history")
    recorded_by = relationship("User", lazy="joined")

    __table_args__ = (
        sa.Index("ix_goal_progress_studio_goal_recorded", "studio_id", "goal_id", "recorded_at"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.CheckConstraint(f"status IN {_in(GOAL_STATUSES)}", name="status"),
    )


class LessonPlan(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    """A reusable plan in the studio's library: private to its author or public to staff."""

    search_fields = ("title",)

    title: Mapped[str] = mapped_column(sa.String(200))
    specialty: Mapped[str] = mapped_column(sa.String(60), default="")
    content: Mapped[str] = mapped_column(sa.Text, default="")
    is_public: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    author = relationship("User", lazy="joined")

    __table_args__ = (
        sa.Index("ix_lesson_plan_studio_specialty", "studio_id", "specialty"),
        sa.Index("ix_lesson_plan_studio_author", "studio_id", "author_id"),
    )

    def __repr__(self):
        return f"<LessonPlan {self.title!r}>"


class LessonPlanAttachment(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A lesson plan attached to a lesson (a plan serves many lessons)."""

    lesson_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("lesson.id", ondelete="CASCADE")
    )
    plan_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("lesson_plan.id", ondelete="CASCADE")
    )
    attached_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    plan: Mapped[LessonPlan] = relationship(lazy="joined", innerjoin=True)
    lesson = relationship("Lesson")

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "lesson_id", "plan_id"),
        sa.Index("ix_lesson_plan_attachment_studio_plan", "studio_id", "plan_id"),
    )


class PracticeLog(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    """Minutes a student practised on a (studio-local) day, and on what."""

    search_fields = ("note",)

    student_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="CASCADE")
    )
    practice_date: Mapped[date] = mapped_column(sa.Date)
    minutes: Mapped[int] = mapped_column(sa.Integer)
    pieces: Mapped[list] = mapped_column(sa.JSON, default=list)
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    student = relationship("Student", lazy="joined", innerjoin=True)
    recorded_by = relationship("User", lazy="joined")

    __table_args__ = (
        sa.Index("ix_practice_log_studio_student_date", "studio_id", "student_id", "practice_date"),
        sa.CheckConstraint(
            f"minutes >= 1 AND minutes <= {MAX_PRACTICE_MINUTES}", name="minutes_range"
        ),
    )
