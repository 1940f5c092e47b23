"""The studio's directory: teacher profiles and availability, families, guardians, students."""
import uuid
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime
from app.core.search import Searchable
from app.extensions import db

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_CALENDAR_COLOR = "#5b3cc4"
DEFAULT_LESSON_MINUTES = 30
USUAL_LESSON_TYPES = ("private", "group")  # a trial, make-up or recital is never the usual
ZERO = Decimal("0.00")


class TeacherProfile(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A studio member who teaches. One profile per user per studio."""

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE")
    )
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    specialties: Mapped[list] = mapped_column(sa.JSON, default=list)
    instruments: Mapped[list] = mapped_column(sa.JSON, default=list)
    hourly_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    is_accepting_students: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    calendar_color: Mapped[str] = mapped_column(sa.String(7), default=DEFAULT_CALENDAR_COLOR)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    user = relationship("User", lazy="joined", innerjoin=True)
    availability: Mapped[list["TeacherAvailability"]] = relationship(
        back_populates="teacher", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: (TeacherAvailability.weekday, TeacherAvailability.start_time),
    )

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "user_id"),
        sa.CheckConstraint("hourly_rate IS NULL OR hourly_rate >= 0", name="hourly_rate_positive"),
    )

    @property
    def full_name(self):
        return self.user.full_name

    @property
    def email(self):
        return self.user.email

    def __repr__(self):
        return f"<TeacherProfile {self.user_id}>"


class TeacherAvailability(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A weekly window in which a teacher takes lessons, in the studio's wall-clock time."""

    teacher_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("teacher_profile.id", ondelete="CASCADE")
    )
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)  # 0 = Monday … 6 = Sunday
    start_time: Mapped[time] = mapped_column(sa.Time)
    end_time: Mapped[time] = mapped_column(sa.Time)

    teacher: Mapped[TeacherProfile] = relationship(back_populates="availability")

    __table_args__ = (
        sa.Index("ix_teacher_availability_studio_teacher", "studio_id", "teacher_id", "weekday"),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        sa.CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    @property
    def day_name(self):
        return WEEKDAYS[self.weekday]


class Family(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    """The billing unit: guardians, their children, and how to reach and bill them."""

    search_fields = ("name", "billing_email")

    name: Mapped[str] = mapped_column(sa.String(120))
    primary_contact_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    billing_email: Mapped[str] = mapped_column(sa.String(254), default="")
    address: Mapped[str] = mapped_column(sa.String(500), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    primary_contact = relationship("User")
    guardians: Mapped[list["FamilyGuardian"]] = relationship(
        back_populates="family", cascade="all, delete-orphan", passive_deletes=True,
        order_by="FamilyGuardian.created_at",
    )
    students: Mapped[list["Student"]] = relationship(
        back_populates="family", order_by=lambda: (Student.first_name, Student.last_name),
    )

    __table_args__ = (sa.Index("ix_family_studio_name", "studio_id", "name"),)

    def __repr__(self):
        return f"<Family {self.name}>"


class FamilyGuardian(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    """A parent or guardian of a family: a contact, with a login when `user` is set.

    A guardian added by email who has no login yet keeps the address in `email`; when that
    person joins the studio as a parent, the row is linked to their user.
    """

    search_fields = ("first_name", "last_name", "email")

    family_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("family.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE")
    )
    first_name: Mapped[str] = mapped_column(sa.String(80), default="")
    last_name: Mapped[str] = mapped_column(sa.String(80), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))  # lower-cased
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    relation: Mapped[str] = mapped_column(sa.String(40), default="")

    family: Mapped[Family] = relationship(back_populates="guardians")
    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "family_id", "user_id"),
        sa.UniqueConstraint("studio_id", "family_id", "email"),
        sa.Index("ix_family_guardian_studio_user", "studio_id", "user_id"),
        sa.Index("ix_family_guardian_studio_email", "studio_id", "email"),
    )

    @property
    def full_name(self):
        if self.user is not None:
            return self.user.full_name
        return f"{self.first_name} {self.last_name}".strip() or (self.email or "")

    @property
    def contact_email(self):
        return self.user.email if self.user is not None else (self.email or "")

    @property
    def contact_phone(self):
        return self.phone or (self.user.phone if self.user is not None else "")

    @property
    def has_login(self):
        return self.user_id is not None


class Student(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    """A learner. Young children have no login (`user` is None) but always have a name."""

    search_fields = ("first_name", "last_name", "email")

    family_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("family.id", ondelete="RESTRICT")
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))  # lower-cased; None when unknown
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    instrument: Mapped[str] = mapped_column(sa.String(60), default="")
    specialties: Mapped[list] = mapped_column(sa.JSON, default=list)
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    emergency_contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    primary_teacher_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("teacher_profile.id", ondelete="SET NULL")
    )
    default_lesson_minutes: Mapped[int] = mapped_column(sa.Integer, default=DEFAULT_LESSON_MINUTES)
    default_lesson_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    # The kind of lesson the student usually has; booking them starts from it.
    default_lesson_type: Mapped[str] = mapped_column(
        sa.String(20), default="private", server_default="private")
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    family: Mapped[Family] = relationship(back_populates="students")
    user = relationship("User")
    primary_teacher: Mapped[TeacherProfile | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "user_id"),
        sa.UniqueConstraint("studio_id", "email"),
        sa.Index("ix_student_studio_family", "studio_id", "family_id"),
        sa.Index("ix_student_studio_teacher", "studio_id", "primary_teacher_id"),
        sa.Index("ix_student_studio_name", "studio_id", "last_name", "first_name"),
        sa.CheckConstraint(
            "default_lesson_minutes >= 5 AND default_lesson_minutes <= 480", name="lesson_minutes_range"
        ),
        sa.CheckConstraint(
            "default_lesson_rate IS NULL OR default_lesson_rate >= 0", name="lesson_rate_positive"
        ),
        sa.CheckConstraint(
            "default_lesson_type IN ('private', 'group')", name="usual_lesson_type"
        ),
    )

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def contact_email(self):
        return self.user.email if self.user is not None else (self.email or "")

    @property
    def has_login(self):
        return self.user_id is not None

    def __repr__(self):
        return f"<Student {self.full_name}>"


class ImportBatch(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """An uploaded CSV between preview and commit: its normalized rows and their outcome."""

    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="previewed")
    row_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows: Mapped[list] = mapped_column(sa.JSON, default=list)
    preview: Mapped[list] = mapped_column(sa.JSON, default=list)
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.Index("ix_import_batch_studio_created", "studio_id", "created_at"),
        sa.CheckConstraint("status IN ('previewed', 'committed')", name="status"),
    )
