"""Long work in the background with a status a page polls: imports, auto-invoicing, exports.

A Job row names its kind, status (queued, running, done, failed), progress (`done` of
`total`), a result summary and the error. The page that starts one commits the queued job,
hands its id to the queue (app/jobs.py runs it in the worker; under HUEY_IMMEDIATE, in the
request) and redirects to the job's page, which polls its progress until it is finished and
survives a reload.

Domains say what a kind does with `register(kind, handler, permission)`: the handler takes
(job, studio, actor, progress) and returns the result summary, a dict with a `message` and
optionally a `link` ({"endpoint", "args", "label"}) to where the result is. `progress(done,
total)` commits, so a handler commits its work in steps too (each step all-or-nothing).
Core knows no domain: the app factory registers the kinds and names the queue.
"""
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import IdMixin, TenantMixin, TimestampMixin, UTCDateTime, utcnow
from app.core.errors import DomainError, NotFound
from app.core.permissions import can
from app.core.tenancy import current_principal, get_or_404
from app.extensions import db

log = logging.getLogger(__name__)

JOB_STATUSES = ("queued", "running", "done", "failed")
STATUS_LABELS = {"queued": "Waiting to start", "running": "Running", "done": "Done",
                 "failed": "Failed"}


class Job(IdMixin, TimestampMixin, TenantMixin, db.Model):
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(10), default="queued", server_default="queued")
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    done: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    total: Mapped[int | None] = mapped_column(sa.Integer)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")
    studio = relationship("Studio")

    __table_args__ = (
        sa.Index("ix_job_studio_created", "studio_id", "created_at"),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    )

    @property
    def finished(self):
        return self.status in ("done", "failed")

    @property
    def percent(self):
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def label(self):
        return KINDS[self.kind].label if self.kind in KINDS else self.kind

    @property
    def message(self):
        return (self.result or {}).get("message", "")


@dataclass(frozen=True)
class Kind:
    handler: object
    permission: str  # who, besides the one who started it, may follow the job
    label: str


KINDS: dict[str, Kind] = {}
_enqueue = None


def register(kind, handler, *, permission, label):
    KINDS[kind] = Kind(handler, permission, label)


def enqueue_with(enqueue):
    """Name the function that queues a job id for the worker (the app factory does)."""
    global _enqueue
    _enqueue = enqueue


def start_job(studio, actor, kind, **params):
    """A queued job of `kind` (flushed). The caller commits, then calls `queue_job`."""
    if kind not in KINDS:
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job(id=uuid.uuid4(), studio_id=studio.id, kind=kind, status="queued", done=0,
              params={k: _plain(v) for k, v in params.items()}, error="",
              created_by_id=getattr(actor, "id", None))
    db.session.add(job)
    db.session.flush()
    return job


def queue_job(job):
    """Hand a committed job to the worker (or run it now, without a queue)."""
    if _enqueue is None:
        return run_job(job.id)
    return _enqueue(job.id)


def run_job(job_id):
    """Run one queued job to its end: done with its result, or failed with the error (a
    DomainError's detail; anything else is logged and reported in general words)."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != "queued":
        return None
    job.status, job.started_at = "running", utcnow()
    db.session.commit()
    try:
        result = KINDS[job.kind].handler(job, job.studio, job.created_by, _progress(job))
    except Exception as exc:  # the job reports any failure; the worker keeps running
        db.session.rollback()
        if not isinstance(exc, DomainError):
            log.exception("job %s (%s) failed", job_id, job.kind)
        job = db.session.get(Job, job_id)
        job.status, job.finished_at = "failed", utcnow()
        job.error = exc.detail if isinstance(exc, DomainError) else (
            "Something went wrong; nothing after the last step was saved. Try again.")
        db.session.commit()
        return job
    job.status, job.finished_at, job.result = "done", utcnow(), result or {}
    if job.total is not None:
        job.done = job.total
    db.session.commit()
    return job


def _progress(job):
    def progress(done, total=None):
        job.done = done
        if total is not None:
            job.total = total
        db.session.commit()

    return progress


def visible_job(job_id):
    """A job of the current studio its caller may follow: the one who started it, or anyone
    whose role has the kind's permission. Another studio's job, or another's, is 404."""
    job = get_or_404(Job, job_id)
    principal = current_principal()
    user_id = getattr(getattr(principal, "user", None), "id", None)
    kind = KINDS.get(job.kind)
    if job.created_by_id != user_id and not (kind and can(kind.permission)):
        raise NotFound("Job not found.")
    return job


def _plain(value):
    return str(value) if isinstance(value, (uuid.UUID, datetime)) or hasattr(value, "isoformat") \
        else value
