"""GET /api/v1/jobs/{id}: a background job's status and progress, within the studio."""
from marshmallow import fields

from app.core.api import Blueprint
from app.core.jobs import visible_job
from app.core.schemas import BaseSchema, UTCDateTime
from app.core.tenancy import api_login_required

jobs_blp = Blueprint("Jobs", __name__, url_prefix="/api/v1/jobs",
                     description="Background jobs (imports, auto-invoicing, exports) and their progress.")
jobs_blp.before_request(api_login_required)


class JobSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    kind = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"description": "queued, running, done or failed."})
    done = fields.Integer(dump_only=True)
    total = fields.Integer(dump_only=True, allow_none=True, metadata={
        "description": "Steps in all; null until the job knows."})
    percent = fields.Integer(dump_only=True)
    message = fields.String(dump_only=True, metadata={"description": "The result, in words."})
    result = fields.Dict(dump_only=True, allow_none=True)
    error = fields.String(dump_only=True)
    created_at = UTCDateTime(dump_only=True)
    started_at = UTCDateTime(dump_only=True, allow_none=True)
    finished_at = UTCDateTime(dump_only=True, allow_none=True)


@jobs_blp.route("/<uuid:job_id>", methods=["GET"])
@jobs_blp.response(200, JobSchema)
@jobs_blp.alt_response(404, description="Not in your studio, or not a job you may follow.")
def get_job(job_id):
    """A background job: its status, progress (`done` of `total`) and result or error."""
    return visible_job(job_id)
