"""Loaders shared by the scheduling pages and API: find an object the caller may see (404
otherwise), and check they may change it (403 otherwise), before any input is validated."""
from app.core.errors import NotFound, PermissionDenied
from app.core.permissions import can
from app.core.tenancy import get_or_404, parse_uuid, scoped
from app.extensions import db
from app.scheduling import policies
from app.scheduling.models import (
    CancellationRequest,
    Lesson,
    MakeupCredit,
    RecurringSeries,
    Room,
    RoomReservation,
    StudioClosure,
)


def visible_lesson(lesson_id):
    return get_or_404(Lesson, lesson_id, stmt=policies.restrict_lessons(scoped(Lesson)))


def managed_lesson(lesson_id):
    """A lesson the caller may change: their own as a teacher, any as a manager."""
    lesson = visible_lesson(lesson_id)
    policies.ensure_may_manage(lesson)
    return lesson


def managed_lessons(lesson_ids):
    """Several lessons the caller may change, in time order: one id they may not see (or
    malformed) answers 404, one lesson that is not theirs to change 403, before any change."""
    ids = {parse_uuid(lesson_id) for lesson_id in lesson_ids}
    if not ids or None in ids:
        raise NotFound("Lesson not found.")
    stmt = policies.restrict_lessons(scoped(Lesson)).where(Lesson.id.in_(ids))
    lessons = db.session.scalars(stmt.order_by(Lesson.start_at, Lesson.id)).unique().all()
    if len(lessons) != len(ids):
        raise NotFound("Lesson not found.")
    for lesson in lessons:
        policies.ensure_may_manage(lesson)
    return lessons


def visible_series(series_id):
    return get_or_404(RecurringSeries, series_id,
                      stmt=policies.restrict_series(scoped(RecurringSeries)))


def managed_series(series_id):
    series = visible_series(series_id)
    policies.ensure_may_manage(series)
    return series


def visible_rooms():
    """Every room for those who manage rooms; the active ones for everyone else."""
    stmt = scoped(Room)
    if not can("rooms.manage"):
        stmt = stmt.where(Room.is_active.is_(True))
    return stmt


def visible_room(room_id):
    return get_or_404(Room, room_id, stmt=visible_rooms())


def visible_reservation(reservation_id):
    return get_or_404(RoomReservation, reservation_id,
                      stmt=policies.restrict_reservations(scoped(RoomReservation)))


def own_reservation(reservation_id):
    """A reservation the caller may change: their own (managers: anyone's)."""
    reservation = visible_reservation(reservation_id)
    if not policies.may_manage_reservation(reservation):
        raise PermissionDenied("You can only change your own reservations.")
    return reservation


def visible_closure(closure_id):
    return get_or_404(StudioClosure, closure_id)


def visible_request(request_id):
    return get_or_404(CancellationRequest, request_id,
                      stmt=policies.restrict_requests(scoped(CancellationRequest)))


def reviewable_request(request_id):
    """A cancellation request the caller may approve or decline: one on a lesson they manage."""
    request = visible_request(request_id)
    policies.ensure_may_manage(request.lesson)
    return request


def visible_credit(credit_id):
    return get_or_404(MakeupCredit, credit_id, stmt=policies.restrict_credits(scoped(MakeupCredit)))
