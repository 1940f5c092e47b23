"""CSV import (upload, preview, commit) and CSV export of students and families."""
from datetime import date

from flask import Response, flash, redirect, stream_with_context, url_for
from flask_login import current_user, login_required

from app.core import jobs
from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import requires
from app.core.tenancy import current_studio, get_or_404
from app.core.views import choice_arg, form_failed, html_list_page, render, render_form, text_arg, uuid_arg
from app.extensions import db
from app.people import policies, services
from app.people.forms import ImportUploadForm
from app.people.models import ImportBatch
from app.people.services.csv_read import COLUMNS
from app.people.views import people_bp
from app.people.views.students import STATUSES

PREVIEW_PAGE_SIZE = 100
SHOW = ("all", "create", "match", "reject")


@people_bp.route("/people/import", methods=["GET", "POST"])
@login_required
@requires("people.import")
def import_upload():
    studio = current_studio()
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = services.preview_import(studio, current_user, upload.read(), upload.filename)
        except DomainError as exc:
            form_failed(form, exc)
        else:
            return redirect(url_for("people.import_preview", batch_id=batch.id))
    return render_form("people/import/upload.html", form, columns=COLUMNS,
                       recent=services.recent_imports(studio))


def _preview_rows(batch, show):
    rows = batch.preview if show == "all" else [r for r in batch.preview if r["status"] == show]
    return html_list_page(rows, PREVIEW_PAGE_SIZE)


@people_bp.route("/people/import/<batch_id>")
@login_required
@requires("people.import")
def import_preview(batch_id):
    batch = get_or_404(ImportBatch, batch_id)
    show = choice_arg("show", SHOW, "reject" if batch.summary.get("reject") else "all")
    return render("people/import/preview.html", "people/import/_rows.html", batch=batch,
                           show=show, listing=_preview_rows(batch, show), commit_form=EmptyForm())


@people_bp.route("/people/import/<batch_id>/commit", methods=["POST"])
@login_required
@requires("people.import")
def import_commit(batch_id):
    """The import is written by a job; its page shows it running and then the outcome."""
    batch = get_or_404(ImportBatch, batch_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("people.import_preview", batch_id=batch.id))
    if batch.status == "committed":
        flash("This file has already been imported.", "error")
        return redirect(url_for("people.import_preview", batch_id=batch.id))
    job = jobs.start_job(current_studio(), current_user, "people_import", batch=batch.id)
    db.session.commit()  # the worker reads the job from the database
    jobs.queue_job(job)
    return redirect(url_for("jobs.job", job_id=job.id))


def _csv_response(rows, name):
    filename = f"{name}-{current_studio().slug}-{date.today().isoformat()}.csv"
    response = Response(stream_with_context(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@people_bp.route("/people/export/students.csv")
@login_required
@requires("people.export")
def export_students():
    rows = services.export_students(
        current_studio(), policies.visible_students(), search=text_arg("q"), family=uuid_arg("family"),
        teacher=uuid_arg("teacher"), is_active=STATUSES[choice_arg("status", STATUSES, "active")],
        instrument=text_arg("instrument", 60) or None,
    )
    return _csv_response(rows, "students")


@people_bp.route("/people/export/families.csv")
@login_required
@requires("people.export")
def export_families():
    return _csv_response(services.export_families(current_studio()), "families")
