"""People's background work, run by app/jobs.py: writing a previewed CSV import."""
import uuid

from app.core.errors import NotFound
from app.extensions import db
from app.people.models import ImportBatch
from app.people.services.csv_import import commit_import


def import_people(job, studio, actor, progress):
    """The "people_import" job: create what the previewed batch describes. The writing is one
    transaction (nothing half-imported), so the page shows it running, then the outcome."""
    batch = db.session.get(ImportBatch, uuid.UUID(job.params["batch"]))
    if batch is None or batch.studio_id != studio.id:
        raise NotFound("This import is no longer here; upload the file again.")
    commit_import(studio, actor, batch)
    summary = batch.summary
    created, families = summary["create"], summary["families"]
    return {
        "message": f"Imported {created} student{'s' if created != 1 else ''} and {families} new "
                   f"famil{'ies' if families != 1 else 'y'}.",
        "created": created, "families": families,
        "link": {"endpoint": "people.import_preview", "args": {"batch_id": str(batch.id)},
                 "label": "See the imported rows"},
    }
