"""API keys: a studio's credentials for other programs. Only the SHA-256 of a key's secret is
kept; the secret itself is shown once, when the key is made."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime
from app.extensions import db

KEY_STATUSES = ("active", "expired", "revoked")


class ApiKey(IdMixin, TimestampMixin, TenantMixin, db.Model):
    """A key acts in its studio as an admin narrowed by `scopes`, for as long as it is not
    revoked, not expired, and its creator is still an active owner or admin of the studio
    (the creator is who the key's changes are recorded under)."""

    studio_id_index = False  # ix_api_key_studio_created starts with it

    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[list] = mapped_column(sa.JSON, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_ip: Mapped[str] = mapped_column(sa.String(45), default="", server_default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")

    __table_args__ = (
        sa.Index("ix_api_key_studio_created", "studio_id", "created_at"),
    )

    def status_at(self, now):
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"
