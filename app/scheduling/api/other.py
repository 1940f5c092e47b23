"""Free slots, cancellation requests, make-up credits and the calendar feed link."""
from flask.views import MethodView
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import PermissionDenied
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.core.tenancy import get_or_404, scoped
from app.extensions import db
from app.people.models import TeacherAvailability, TeacherProfile
from app.people.policies import visible_teachers
from app.scheduling import policies, services
from app.scheduling.api.common import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    actor,
    blueprint,
    loads,
    studio,
    visible_lesson,
)
from app.scheduling.models import CancellationRequest, MakeupCredit
from app.scheduling.schemas import (
    CalendarFeedSchema,
    CancellationRequestCreateSchema,
    CancellationRequestListQuerySchema,
    CancellationRequestPageSchema,
    CancellationRequestSchema,
    FreeSlotQuerySchema,
    FreeSlotsSchema,
    MakeupCreditListQuerySchema,
    MakeupCreditPageSchema,
    MakeupCreditSchema,
    ReviewSchema,
)

free_slots_blp = blueprint("Free slots", "/api/v1/teachers",
                           "Open times in a teacher's availability for a lesson of a given length.")
requests_blp = blueprint("Cancellation requests", "/api/v1/cancellation-requests",
                         "Families ask to cancel a lesson; staff approve or decline.")
credits_blp = blueprint("Make-up credits", "/api/v1/makeup-credits",
                        "Credits from late cancellations; a make-up lesson uses one.")
feed_blp = blueprint("Calendar feed", "/api/v1/calendar-feed",
                     "Your private iCal subscription link (Google, Apple, Outlook calendars).")


# ---------------------------------------------------------------- free slots

@free_slots_blp.route("/<teacher_id>/free-slots")
class FreeSlots(MethodView):
    @requires("availability.find_slots")
    @loads("teacher", lambda teacher_id: get_or_404(TeacherProfile, teacher_id, stmt=visible_teachers()))
    @free_slots_blp.arguments(FreeSlotQuerySchema, location="query")
    @free_slots_blp.response(200, FreeSlotsSchema)
    @free_slots_blp.alt_response(404, **NOT_FOUND)
    def get(self, args, teacher):
        """Times a lesson of `duration` minutes fits into the teacher's availability without
        clashing with their lessons (studio buffer included), on open days from now on."""
        slots = services.free_slots(studio(), teacher, args["start_date"], args["end_date"],
                                    args["duration"], step_minutes=args["step"], now=utcnow())
        defined = db.session.scalar(select(TeacherAvailability.id).where(
            TeacherAvailability.studio_id == teacher.studio_id,
            TeacherAvailability.teacher_id == teacher.id).limit(1)) is not None
        return {"teacher": teacher.id, "duration_minutes": args["duration"],
                "availability_defined": defined,
                "slots": [{"start": start, "end": end} for start, end in slots]}


# ---------------------------------------------------------------- cancellation requests

def _request(request_id):
    return get_or_404(CancellationRequest, request_id,
                      stmt=policies.restrict_requests(scoped(CancellationRequest)))


def _reviewable_request(request_id):
    request = _request(request_id)
    policies.ensure_may_manage(request.lesson)
    return request


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
        stmt = apply_created_range(stmt, CancellationRequest, args)
        stmt = apply_ordering(stmt, CancellationRequest, args.get("ordering"),
                              {"created_at": CancellationRequest.created_at}, "-created_at")
        return paginate(stmt, args)

    @requires("lessons.request_cancellation")
    @requests_blp.arguments(CancellationRequestCreateSchema)
    @requests_blp.response(201, CancellationRequestSchema)
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


@requests_blp.route("/<request_id>")
class RequestItem(MethodView):
    @requires("cancellation_requests.view")
    @loads("request", _request)
    @requests_blp.response(200, CancellationRequestSchema)
    @requests_blp.alt_response(404, **NOT_FOUND)
    def get(self, request):
        """One request."""
        return request


@requests_blp.route("/<request_id>/approve")
class ApproveRequest(MethodView):
    @requires("cancellation_requests.review")
    @loads("request", _reviewable_request)
    @requests_blp.arguments(ReviewSchema)
    @requests_blp.response(200, CancellationRequestSchema)
    @requests_blp.alt_response(403, **FORBIDDEN)
    @requests_blp.alt_response(404, **NOT_FOUND)
    @requests_blp.alt_response(409, **CONFLICT)
    def post(self, data, request):
        """Approve: the lesson is cancelled under the policy as of the request's time."""
        return services.approve_request(studio(), actor(), request, data["response"])


@requests_blp.route("/<request_id>/decline")
class DeclineRequest(MethodView):
    @requires("cancellation_requests.review")
    @loads("request", _reviewable_request)
    @requests_blp.arguments(ReviewSchema)
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
        """Make-up credits: staff see all, families their own."""
        stmt = policies.restrict_credits(scoped(MakeupCredit))
        if args.get("student"):
            stmt = stmt.where(MakeupCredit.student_id == args["student"])
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


@credits_blp.route("/<credit_id>")
class CreditItem(MethodView):
    @requires("makeup_credits.view")
    @loads("credit", lambda credit_id: get_or_404(
        MakeupCredit, credit_id, stmt=policies.restrict_credits(scoped(MakeupCredit))))
    @credits_blp.response(200, MakeupCreditSchema)
    @credits_blp.alt_response(404, **NOT_FOUND)
    def get(self, credit):
        """One credit."""
        return credit


# ---------------------------------------------------------------- calendar feed

@feed_blp.route("")
class CalendarFeed(MethodView):
    @requires("calendar.subscribe")
    @feed_blp.response(200, CalendarFeedSchema)
    def get(self):
        """Whether you have a subscription link (the URL itself is shown only once)."""
        feed = services.active_feed(studio(), actor())
        return {"active": feed is not None, "url": None, "webcal_url": None,
                "created_at": feed.created_at if feed else None,
                "last_used_at": feed.last_used_at if feed else None}

    @requires("calendar.subscribe")
    @feed_blp.response(201, CalendarFeedSchema)
    def post(self):
        """Create your private subscription URL; an older one stops working."""
        feed, token = services.create_feed(studio(), actor())
        url, webcal = services.feed_urls(token)
        return {"active": True, "url": url, "webcal_url": webcal, "created_at": feed.created_at,
                "last_used_at": None}

    @requires("calendar.subscribe")
    @feed_blp.response(204)
    def delete(self):
        """Revoke your subscription URL."""
        services.revoke_feeds(studio(), actor())

