"""Free slots: open times in a teacher's availability."""
from flask.views import MethodView
from sqlalchemy import select

from app.core.api import loads, refused_when
from app.core.db import utcnow
from app.core.permissions import requires
from app.extensions import db
from app.people.models import TeacherAvailability
from app.people.services import visible_teacher
from app.scheduling import services
from app.scheduling.api.common import NOT_FOUND, blueprint, studio
from app.scheduling.schemas import FreeSlotQuerySchema, FreeSlotsSchema

free_slots_blp = blueprint("Free slots", "/api/v1/teachers",
                           "Open times in a teacher's availability for a lesson of a given length.")


@free_slots_blp.route("/<uuid:teacher_id>/free-slots")
class FreeSlots(MethodView):
    @requires("availability.find_slots")
    @loads("teacher", visible_teacher)
    @free_slots_blp.arguments(FreeSlotQuerySchema, location="query")
    @free_slots_blp.response(200, FreeSlotsSchema)
    @free_slots_blp.alt_response(400, **refused_when(
        "`end_date` is before `start_date` or more than 31 days after it."))
    @free_slots_blp.alt_response(404, **NOT_FOUND)
    def get(self, args, teacher):
        """Free times for a lesson with this teacher.

        Times a lesson of `duration` minutes fits into the teacher's availability without
        clashing with their lessons (studio buffer included), on open days from now on."""
        slots = services.free_slots(studio(), teacher, args["start_date"], args["end_date"],
                                    args["duration"], step_minutes=args["step"], now=utcnow())
        defined = db.session.scalar(select(TeacherAvailability.id).where(
            TeacherAvailability.studio_id == teacher.studio_id,
            TeacherAvailability.teacher_id == teacher.id).limit(1)) is not None
        return {"teacher": teacher.id, "duration_minutes": args["duration"],
                "availability_defined": defined,
                "slots": [{"start": start, "end": end} for start, end in slots]}
