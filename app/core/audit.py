"""Audit log: who changed money, roles, or archived/deleted what, and when."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin
from app.core.tenancy import current_principal
from app.extensions import db


class AuditLog(IdMixin, TimestampMixin, TenantMixin, db.Model):
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User")

    __table_args__ = (sa.Index("ix_audit_log_studio_created", "studio_id", "created_at"),)


def record(studio, actor, action, target, **details):
    """Add an audit row to the session (the request commits it with the change). A change
    made through an API key is recorded under the key's creator, with the key's id."""
    principal = current_principal() if has_request_context() else None
    if principal is not None and principal.api_key_id is not None:
        details.setdefault("api_key", principal.api_key_id)
    entry = AuditLog(
        studio_id=studio.id, actor_id=getattr(actor, "id", None), action=action,
        target_type=type(target).__name__, target_id=getattr(target, "id", None),
        details={k: _plain(v) for k, v in details.items()},
    )
    db.session.add(entry)
    return entry


def _plain(value):
    if isinstance(value, (uuid.UUID, datetime)):
        return str(value)
    return value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
