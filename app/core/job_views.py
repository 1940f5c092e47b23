"""The job page: progress that the page polls (htmx, every second) until the job is done,
then its result and a link to it. The URL survives a reload."""
from flask import Blueprint
from flask_login import login_required

from app.core.jobs import visible_job
from app.core.views import render

jobs_bp = Blueprint("jobs", __name__)


@jobs_bp.route("/jobs/<job_id>")
@login_required
def job(job_id):
    return render("jobs/show.html", "jobs/_progress.html", job=visible_job(job_id))
