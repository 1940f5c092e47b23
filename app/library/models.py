"""Resources: an uploaded file (pdf, audio, video, image, document), a link, or a physical
item (a book of sheet music) with copies that are lent out.

Visibility is one of three: `private` (staff only), `shared` (staff and the students named in
`ResourceShare`, with their families), `studio` (everyone in the studio; the API's
`is_public`). Teachers attach resources to lesson notes and lesson plans; a note's family
sees its attachments that they may open.
"""
import uuid
from datetime import date, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime
from app.core.files import StoredFile
from app.core.search import Searchable, fold
from app.extensions import db

RESOURCE_TYPES = ("pdf", "audio", "video", "image", "document", "link", "physical")
FILE_TYPES = ("pdf", "audio", "video", "image", "document")
VISIBILITIES = ("private", "shared", "studio")
LOAN_STATUSES = ("checked_out", "returned")
MAX_TAGS = 20


def _in(values):
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Resource(IdMixin, TimestampMixin, TenantMixin, Searchable, db.Model):
    search_fields = ("title", "description", "tag_words", "category")

    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    resource_type: Mapped[str] = mapped_column(sa.String(10))
    category: Mapped[str] = mapped_column(sa.String(80), default="")
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The tags folded (core.search.fold) between bars, "|jazz|piano|", so a tag filter
    # matches whole tags, accent- and case-insensitively, the same on every database.
    tag_keys: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    visibility: Mapped[str] = mapped_column(sa.String(8), default="private")
    url: Mapped[str] = mapped_column(sa.String(2000), default="")  # links
    file_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("stored_file.id", ondelete="RESTRICT")
    )
    copies: Mapped[int] = mapped_column(sa.Integer, default=0)  # physical
    available_copies: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    file = relationship(StoredFile, lazy="joined")
    created_by = relationship("User")
    shares: Mapped[list["ResourceShare"]] = relationship(
        back_populates="resource", cascade="all, delete-orphan")

    __table_args__ = (
        sa.Index("ix_resource_studio_created", "studio_id", "created_at"),
        sa.CheckConstraint(f"resource_type IN {_in(RESOURCE_TYPES)}", name="resource_type"),
        sa.CheckConstraint(f"visibility IN {_in(VISIBILITIES)}", name="visibility"),
        sa.CheckConstraint("copies >= 0 AND available_copies >= 0 "
                           "AND available_copies <= copies", name="copies_range"),
        sa.CheckConstraint(
            f"(resource_type IN {_in(FILE_TYPES)}) = (file_id IS NOT NULL)", name="file_kind"),
    )

    @property
    def tag_words(self):
        return " ".join(self.tags or [])

    @property
    def is_public(self):
        return self.visibility == "studio"

    @property
    def link_host(self):
        """The site a link opens (imslp.org), to say where it leads before it is opened."""
        return (urlsplit(self.url).hostname or "") if self.url else ""

    @property
    def has_file(self):
        return self.file_id is not None

    def __repr__(self):
        return f"<Resource {self.resource_type} {self.title!r}>"


def tag_keys(tags):
    folded = [fold(tag).replace("|", " ") for tag in tags or ()]
    return "|" + "|".join(tag for tag in folded if tag) + "|" if any(folded) else ""


@sa.event.listens_for(Resource, "before_insert")
@sa.event.listens_for(Resource, "before_update")
def _refresh_tag_keys(_mapper, _connection, target):
    target.tag_keys = tag_keys(target.tags)


class ResourceShare(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A resource shared with one student (and so with the student's family)."""

    resource_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("resource.id", ondelete="CASCADE")
    )
    student_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="CASCADE")
    )
    shared_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    resource: Mapped[Resource] = relationship(back_populates="shares")
    student = relationship("Student", lazy="joined", innerjoin=True)

    __table_args__ = (
        sa.UniqueConstraint("resource_id", "student_id"),
        sa.Index("ix_resource_share_student", "student_id"),
    )


class ResourceCheckout(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A copy of a physical resource lent to a student."""

    resource_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("resource.id", ondelete="CASCADE")
    )
    student_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("student.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(sa.String(12), default="checked_out")
    checked_out_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lent_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    resource: Mapped[Resource] = relationship(lazy="joined", innerjoin=True)
    student = relationship("Student", lazy="joined", innerjoin=True)

    __table_args__ = (
        sa.Index("ix_resource_checkout_resource", "resource_id", "checked_out_at"),
        sa.Index("ix_resource_checkout_student", "student_id", "checked_out_at"),
        sa.CheckConstraint(f"status IN {_in(LOAN_STATUSES)}", name="status"),
    )

    @classmethod
    def overdue_on(cls, day):
        """SQL: still lent out with a due date before `day` (the studio's today)."""
        return (cls.status == "checked_out") & (cls.due_date < day)

    def is_overdue_on(self, day):
        return self.status == "checked_out" and self.due_date is not None and self.due_date < day


class NoteResource(TenantMixin, db.Model):
    """A resource attached to a lesson note; the note's readers see it if they may open it."""

    __tablename__ = "lesson_note_resource"
    studio_id_index = False

    note_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("lesson_note.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True
    )

    resource: Mapped[Resource] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (sa.Index("ix_lesson_note_resource_resource", "resource_id"),)


class PlanResource(TenantMixin, db.Model):
    """A resource attached to a lesson plan."""

    __tablename__ = "lesson_plan_resource"
    studio_id_index = False

    plan_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("lesson_plan.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True
    )

    resource: Mapped[Resource] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (sa.Index("ix_lesson_plan_resource_resource", "resource_id"),)
