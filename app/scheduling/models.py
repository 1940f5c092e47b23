"""Lessons and what they are scheduled around: series, rooms, reservations, closures.

Times are stored in UTC (`start_at`/`end_at`); recurring series keep a wall-clock time in the
studio's timezone, so a 16:00 Tuesday lesson stays at 16:00 across a DST change.
"""
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import sync
from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime, utcnow
from app.core.search import Searchable
from app.extensions import db

LESSON_TYPES = ("private", "group", "makeup", "trial", "recital")
SINGLE_STUDENT_TYPES = ("private", "makeup", "trial")
LESSON_STATUSES = ("scheduled", "completed", "cancelled", "no_show")
ATTENDANCE = ("pending", "present", "absent", "excused")
CANCELLATION_OUTCOMES = ("no_charge", "charged", "makeup_credit")
FREQUENCIES = ("weekly", "biweekly", "monthly")
RESERVATION_STATUSES = ("confirmed", "cancelled")
REQUEST_STATUSES = ("pending", "approved", "declined")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

MIN_DURATION = timedelta(minutes=5)
MAX_DURATION = timedelta(hours=12)


def _where(condition):
    """A partial index's condition, on both backends."""
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Room(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    """A teaching or practice room. Rooms with history are deactivated, never deleted."""

    search_fields = ("name",)

    name: Mapped[str] = mapped_column(sa.String(80))
    capacity: Mapped[int | None] = mapped_column(sa.Integer)
    equipment: Mapped[list] = mapped_column(sa.JSON, default=list)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    is_bookable: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    __table_args__ = (
        sa.UniqueConstraint("studio_id", "name"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
    )

    def __repr__(self):
        return f"<Room {self.name}>"


class RoomReservation(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A practice booking of a room by a student or teacher."""

    room_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("room.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(12), default="confirmed")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    room: Mapped[Room] = relationship(lazy="joined", innerjoin=True)
    user = relationship("User", foreign_keys=[user_id], lazy="joined", innerjoin=True)

    __table_args__ = (
        sa.Index("ix_room_reservation_studio_room_start", "studio_id", "room_id", "start_at"),
        sa.Index("ix_room_reservation_studio_user_start", "studio_id", "user_id", "start_at"),
        sa.CheckConstraint("end_at > start_at", name="ends_after_start"),
        sa.CheckConstraint(f"status IN {_in(RESERVATION_STATUSES)}", name="status"),
    )

    @property
    def is_active(self):
        return self.status == "confirmed"


class StudioClosure(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    """Dates (inclusive, studio-local) on which no lessons happen: holidays, breaks."""

    search_fields = ("name",)

    name: Mapped[str] = mapped_column(sa.String(120))
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date] = mapped_column(sa.Date)

    __table_args__ = (
        sa.Index("ix_studio_closure_studio_start", "studio_id", "start_date"),
        sa.CheckConstraint("end_date >= start_date", name="ends_after_start"),
    )

    def covers(self, day):
        return self.start_date <= day <= self.end_date


class RecurringSeries(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """The reference's "recurring pattern": a weekly, biweekly or monthly lesson.

    Its lessons are real rows, generated up to `end_date` or a rolling horizon that a job
    extends (`generated_until`). `day_of_week` is 0 = Monday; `start_time` is wall-clock
    time in the studio's timezone.
    """

    __tablename__ = "recurring_series"

    teacher_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("teacher_profile.id", ondelete="RESTRICT")
    )
    student_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="RESTRICT")
    )
    room_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("room.id", ondelete="SET NULL")
    )
    frequency: Mapped[str] = mapped_column(sa.String(10), default="weekly")
    day_of_week: Mapped[int] = mapped_column(sa.SmallInteger)
    start_time: Mapped[time] = mapped_column(sa.Time)
    duration_minutes: Mapped[int] = mapped_column(sa.Integer)
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    lesson_type: Mapped[str] = mapped_column(sa.String(12), default="private")
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    generated_until: Mapped[date | None] = mapped_column(sa.Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    teacher = relationship("TeacherProfile", lazy="joined", innerjoin=True)
    student = relationship("Student", lazy="joined", innerjoin=True)
    room: Mapped[Room | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.Index("ix_recurring_series_studio_teacher", "studio_id", "teacher_id"),
        sa.Index("ix_recurring_series_studio_student", "studio_id", "student_id"),
        sa.CheckConstraint("day_of_week >= 0 AND day_of_week <= 6", name="day_of_week_range"),
        sa.CheckConstraint("duration_minutes >= 5 AND duration_minutes <= 720", name="duration_range"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        sa.CheckConstraint(f"frequency IN {_in(FREQUENCIES)}", name="frequency"),
        sa.CheckConstraint(f"lesson_type IN {_in(LESSON_TYPES)}", name="lesson_type"),
        sa.CheckConstraint("rate IS NULL OR rate >= 0", name="rate_positive"),
    )

    @property
    def is_active(self):
        return self.ended_at is None

    @property
    def weekday_name(self):
        return WEEKDAYS[self.day_of_week]

    @property
    def duration(self):
        return timedelta(minutes=self.duration_minutes)


class Lesson(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """One lesson: a teacher and one student (private) or several (group), at a time.

    Every student of a lesson has a LessonAttendee row carrying their attendance;
    `student_id` is also set when the lesson has exactly one student (the API's `student`).
    """

    teacher_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("teacher_profile.id", ondelete="RESTRICT")
    )
    student_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="RESTRICT")
    )
    room_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("room.id", ondelete="SET NULL")
    )
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lesson_type: Mapped[str] = mapped_column(sa.String(12), default="private")
    status: Mapped[str] = mapped_column(sa.String(12), default="scheduled")
    rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    series_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("recurring_series.id", ondelete="SET NULL")
    )
    # The series occurrence (studio-local date) this lesson fulfils, also after a reschedule.
    occurrence_date: Mapped[date | None] = mapped_column(sa.Date)
    # Changed on its own ("this lesson only"): series edits leave it alone.
    is_exception: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    rescheduled_from_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("lesson.id", ondelete="SET NULL")
    )

    cancellation_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    cancelled_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_outcome: Mapped[str | None] = mapped_column(sa.String(16))
    attendance_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by billing when an invoice line charges this lesson (no FK: billing comes later).
    billed_line_item_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    teacher = relationship("TeacherProfile", lazy="joined", innerjoin=True)
    student = relationship("Student", lazy="joined")
    room: Mapped[Room | None] = relationship(lazy="joined")
    series: Mapped[RecurringSeries | None] = relationship()
    cancelled_by = relationship("User", foreign_keys=[cancelled_by_id])
    attendees: Mapped[list["LessonAttendee"]] = relationship(
        back_populates="lesson", cascade="all, delete-orphan", passive_deletes=True,
        lazy="selectin", order_by="LessonAttendee.created_at",
    )

    # Lessons are found by start, teacher, room or series (a student's through their
    # attendee rows): each index here is one more write for every generated lesson, so
    # lessons without a room or a series have no entry in those two.
    studio_id_index = False
    __table_args__ = (
        sa.Index("ix_lesson_studio_start_id", "studio_id", "start_at", "id"),  # pages by OFFSET: index only
        # A teacher's lessons by time; its end and status also cover the teacher-hours report.
        sa.Index("ix_lesson_studio_teacher_start_cover", "studio_id", "teacher_id", "start_at",
                 "end_at", "status"),
        # Lessons by status and time: those waiting for attendance are the few scheduled ones
        # that have begun (the dashboard's latest ones, newest first, and its counts).
        sa.Index("ix_lesson_studio_status_start_id", "studio_id", "status", "start_at", "id"),
        sa.Index("ix_lesson_studio_updated_id", "studio_id", "updated_at", "id"),  # sync (updated_since)
        sa.Index("ix_lesson_studio_in_room_start", "studio_id", "room_id", "start_at",
                 **_where("room_id IS NOT NULL")),
        sa.Index("ix_lesson_studio_in_series_occurrence", "studio_id", "series_id", "occurrence_date",
                 **_where("series_id IS NOT NULL")),
        sa.CheckConstraint("end_at > start_at", name="ends_after_start"),
        sa.CheckConstraint(f"lesson_type IN {_in(LESSON_TYPES)}", name="lesson_type"),
        sa.CheckConstraint(f"status IN {_in(LESSON_STATUSES)}", name="status"),
        sa.CheckConstraint(
            f"cancellation_outcome IS NULL OR cancellation_outcome IN {_in(CANCELLATION_OUTCOMES)}",
            name="cancellation_outcome",
        ),
        sa.CheckConstraint("rate IS NULL OR rate >= 0", name="rate_positive"),
    )

    @property
    def duration_minutes(self):
        return int((self.end_at - self.start_at).total_seconds() // 60)

    @property
    def is_scheduled(self):
        return self.status == "scheduled"

    @property
    def is_billed(self):
        return self.billed_line_item_id is not None

    @property
    def is_untouched(self):
        """May a series edit still move or remove it?"""
        return self.status == "scheduled" and not self.is_billed and not self.is_exception

    @property
    def students(self):
        return [attendee.student for attendee in self.attendees]

    @property
    def student_ids(self):
        return [attendee.student_id for attendee in self.attendees]

    @property
    def place(self):
        """Where it happens, in words: the room, the location text or "Online"."""
        if self.room is not None:
            return self.room.name
        if self.location:
            return self.location
        return "Online" if self.online_url else ""

    @property
    def title(self):
        names = ", ".join(s.full_name for s in self.students) or "No students"
        return names

    def overlaps(self, start, end):
        return self.start_at < end and self.end_at > start

    def __repr__(self):
        return f"<Lesson {self.start_at:%Y-%m-%d %H:%M} {self.status}>"


class LessonAttendee(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A student in a lesson, with their own attendance."""

    lesson_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("lesson.id", ondelete="CASCADE"))
    student_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="RESTRICT")
    )
    attendance: Mapped[str] = mapped_column(sa.String(10), default="pending")

    lesson: Mapped[Lesson] = relationship(back_populates="attendees")
    student = relationship("Student", lazy="joined", innerjoin=True)

    studio_id_index = False  # the student index starts with it
    __table_args__ = (
        # Also the index of a lesson's attendees: Lesson.attendees loads by lesson_id alone
        # (selectinload), and so does the cascade when a lesson is deleted.
        sa.UniqueConstraint("lesson_id", "student_id"),
        sa.Index("ix_lesson_attendee_studio_student", "studio_id", "student_id"),
        sa.CheckConstraint(f"attendance IN {_in(ATTENDANCE)}", name="attendance"),
    )


class MakeupCredit(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """Owed to a family after a late cancellation; a make-up lesson consumes it."""

    family_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("family.id", ondelete="CASCADE"))
    student_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("student.id", ondelete="CASCADE"))
    source_lesson_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("lesson.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by_lesson_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("lesson.id", ondelete="SET NULL")
    )
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    student = relationship("Student", lazy="joined", innerjoin=True)
    source_lesson: Mapped[Lesson | None] = relationship(foreign_keys=[source_lesson_id])
    used_by_lesson: Mapped[Lesson | None] = relationship(foreign_keys=[used_by_lesson_id])

    __table_args__ = (
        sa.Index("ix_makeup_credit_studio_family", "studio_id", "family_id"),
        sa.Index("ix_makeup_credit_studio_student", "studio_id", "student_id"),
        # Auto-invoicing asks of every billable lesson whether a credit paid for it.
        sa.Index("ix_makeup_credit_studio_used_by", "studio_id", "used_by_lesson_id"),
    )

    @property
    def status(self):
        if self.used_by_lesson_id is not None:
            return "used"
        return "expired" if self.expires_at <= utcnow() else "available"

    @property
    def is_available(self):
        return self.status == "available"


class CancellationRequest(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A parent's (or student's) request to cancel a lesson, for staff to approve."""

    lesson_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("lesson.id", ondelete="CASCADE"))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response: Mapped[str] = mapped_column(sa.String(500), default="")

    lesson: Mapped[Lesson] = relationship(lazy="joined", innerjoin=True)
    requested_by = relationship("User", foreign_keys=[requested_by_id], lazy="joined")
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])

    __table_args__ = (
        sa.Index("ix_cancellation_request_studio_status", "studio_id", "status", "created_at"),
        sa.Index("ix_cancellation_request_studio_lesson", "studio_id", "lesson_id"),
        sa.CheckConstraint(f"status IN {_in(REQUEST_STATUSES)}", name="status"),
    )


class CalendarFeedToken(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A private, revocable iCal subscription URL of one user in one studio.

    The URL carries the row id and a secret; only the secret's SHA-256 is stored.
    """

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    __table_args__ = (sa.Index("ix_calendar_feed_token_studio_user", "studio_id", "user_id"),)

    @property
    def is_active(self):
        return self.revoked_at is None


# A lesson as the API shows it holds its attendees (and their attendance).
sync.bumps(LessonAttendee, "lesson_id", Lesson)
