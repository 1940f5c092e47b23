"""Files the studio uploads (resource files, item photos), stored outside static/.

One `StoredFile` row per stored object: its key in the store (named by id, never by the
client's name), size, content type and digest. The rows are how a studio's storage use is
counted against its quota, whichever domain owns the file.
"""
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import IdMixin, TenantMixin, TimestampMixin
from app.extensions import db


class StoredFile(IdMixin, TimestampMixin, TenantMixin, db.Model):
    # "<studio>/<id>" in the store (local folder or S3 bucket); never the client's name.
    storage_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # The client's name, reduced to a safe base name: used only in Content-Disposition.
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    __table_args__ = (
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    def __repr__(self):
        return f"<StoredFile {self.storage_key} {self.content_type} {self.size_bytes}>"
