"""Cancellation requests (families ask, staff decide) and the make-up credits they leave."""
from flask.views import MethodView

from app.core.api import loads, refused_when
from app.core.db import utcnow
from app.core.errors import PermissionDenied
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.core.tenancy import scoped
from app.scheduling import policies, services
from app.scheduling.access import reviewable_request, visible_credit, visible_lesson, visible_request
from app.scheduling.api.common import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    actor,
    blueprint,
    lessons_of_students_named,
    students_named,
    studio,
)
from app.scheduling.models import CancellationRequest, MakeupCredit
from app.scheduling.schemas import (
    CancellationRequestCreateSchema,
    CancellationRequestListQuerySchema,
    CancellationRequestPageSchema,
    CancellationRequestSchema,
    MakeupCreditListQuerySchema,
    MakeupCreditPageSchema,
    MakeupCreditSchema,
    ReviewSchema,
)

requests_blp = blueprint("Cancellation requests", "/api/v1/cancellation-requests",
                         "Families ask to cancel a lesson; staff approve or decline.")
credits_blp = blueprint("Make-up credits", "/api/v1/makeup-credits",
                        "Credits from late cancellations; a make-up lesson uses one.")


# ---------------------------------------------------------------- cancellation requests

@requests_blp.route("")
class Requests(MethodView):
    @requires("cancellation_requests.view")
    @requests_blp.arguments(CancellationRequestListQuerySchema, location="query")
    @requests_blp.response(200, CancellationRequestPageSchema)
    def get(self, args):
        """Staff see every request; families the requests for their own lessons."""
        stmt = policies.restrict_requests(scoped(CancellationRequest))
        if args.get("status"):
            stmt = stmt.where(CancellationRequest.status == args["status"])
        if args.get("lesson"):
            stmt = stmt.where(CancellationRequest.lesson_id == args["lesson"])
        if args.get("search"):
            stmt = stmt.where(CancellationRequest.lesson_id.in_(lessons_of_students_named(args["search"])))
        stmt = apply_created_range(stmt, CancellationRequest, args)
        stmt = apply_ordering(stmt, CancellationRequest, args.get("ordering"),
                              {"created_at": CancellationRequest.created_at}, "-created_at")
        return paginate(stmt, args)

    @requires("lessons.request_cancellation")
    @requests_blp.arguments(CancellationRequestCreateSchema)
    @requests_blp.response(201, CancellationRequestSchema)
    @requests_blp.alt_response(400, **refused_when(
        "`lesson` is not one of yours still to come; `reason` is longer than 500 characters."))
    @requests_blp.alt_response(403, **FORBIDDEN)
    @requests_blp.alt_response(404, **NOT_FOUND)
    @requests_blp.alt_response(409, **CONFLICT)
    def post(self, data):
        """Ask the studio to cancel your (child's) upcoming lesson. The studio's
        cancellation policy applies as of the time of the request."""
        lesson = visible_lesson(data["lesson"])
        if not policies.may_request_cancellation(lesson):
            raise PermissionDenied("You can request cancellation of your own upcoming lessons only.")
        return services.request_cancellation(studio(), actor(), lesson, data["reason"])


@requests_blp.route("/<uuid:request_id>")
class RequestItem(MethodView):
    @requires("cancellation_requests.view")
    @loads("request", visible_request)
    @requests_blp.response(200, CancellationRequestSchema)
    @requests_blp.alt_response(404, **NOT_FOUND)
    def get(self, request):
        """One request."""
        return request


@requests_blp.route("/<uuid:request_id>/approve")
class ApproveRequest(MethodView):
    @requires("cancellation_requests.review")
    @loads("request", reviewable_request)
    @requests_blp.arguments(ReviewSchema, required=False)
    @requests_blp.response(200, CancellationRequestSchema)
    @requests_blp.alt_response(403, **FORBIDDEN)
    @requests_blp.alt_response(404, **NOT_FOUND)
    @requests_blp.alt_response(409, **CONFLICT)
    def post(self, data, request):
        """Approve: the lesson is cancelled under the policy as of the request's time."""
        return services.approve_request(studio(), actor(), request, data["response"])


@requests_blp.route("/<uuid:request_id>/decline")
class DeclineRequest(MethodView):
    @requires("cancellation_requests.review")
    @loads("request", reviewable_request)
    @requests_blp.arguments(ReviewSchema, required=False)
    @requests_blp.response(200, CancellationRequestSchema)
    @requests_blp.alt_response(403, **FORBIDDEN)
    @requests_blp.alt_response(404, **NOT_FOUND)
    @requests_blp.alt_response(409, **CONFLICT)
    def post(self, data, request):
        """Decline: the lesson stays scheduled."""
        return services.decline_request(studio(), actor(), request, data["response"])


# ---------------------------------------------------------------- make-up credits

@credits_blp.route("")
class Credits(MethodView):
    @requires("makeup_credits.view")
    @credits_blp.arguments(MakeupCreditListQuerySchema, location="query")
    @credits_blp.response(200, MakeupCreditPageSchema)
    def get(self, args):
        """Make-up credits: staff see all, families their own. A family's balance is the
        `count` of `?family=<id>&status=available`."""
        stmt = policies.restrict_credits(scoped(MakeupCredit))
        if args.get("student"):
            stmt = stmt.where(MakeupCredit.student_id == args["student"])
        if args.get("family"):
            stmt = stmt.where(MakeupCredit.family_id == args["family"])
        if args.get("search"):
            stmt = stmt.where(MakeupCredit.student_id.in_(students_named(args["search"])))
        status, now = args.get("status"), utcnow()
        if status == "used":
            stmt = stmt.where(MakeupCredit.used_by_lesson_id.is_not(None))
        elif status == "available":
            stmt = stmt.where(MakeupCredit.used_by_lesson_id.is_(None), MakeupCredit.expires_at > now)
        elif status == "expired":
            stmt = stmt.where(MakeupCredit.used_by_lesson_id.is_(None), MakeupCredit.expires_at <= now)
        stmt = apply_created_range(stmt, MakeupCredit, args)
        stmt = apply_ordering(stmt, MakeupCredit, args.get("ordering"),
                              {"expires_at": MakeupCredit.expires_at, "created_at": MakeupCredit.created_at},
                              "expires_at")
        return paginate(stmt, args)


@credits_blp.route("/<uuid:credit_id>")
class CreditItem(MethodView):
    @requires("makeup_credits.view")
    @loads("credit", visible_credit)
    @credits_blp.response(200, MakeupCreditSchema)
    @credits_blp.alt_response(404, **NOT_FOUND)
    def get(self, credit):
        """One credit."""
        return credit
