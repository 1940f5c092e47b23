"""/api/v1/rooms, /api/v1/reservations and /api/v1/closures."""
from flask.views import MethodView

from app.core.errors import PermissionDenied
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import can, requires
from app.core.tenancy import get_or_404, scoped
from app.scheduling import policies, services
from app.scheduling.api.common import CONFLICT, FORBIDDEN, NOT_FOUND, actor, blueprint, loads, studio
from app.scheduling.models import Room, RoomReservation, StudioClosure
from app.scheduling.schemas import (
    ClosureCreateSchema,
    ClosureListQuerySchema,
    ClosurePageSchema,
    ClosureSchema,
    ClosureUpdateSchema,
    EmptySchema,
    ReservationCreateSchema,
    ReservationListQuerySchema,
    ReservationPageSchema,
    ReservationSchema,
    ReservationUpdateSchema,
    RoomListQuerySchema,
    RoomPageSchema,
    RoomSchema,
    RoomUpdateSchema,
)
from app.scheduling.services.common import day_bounds

rooms_blp = blueprint("Rooms", "/api/v1/rooms", "Teaching and practice rooms.")
reservations_blp = blueprint("Reservations", "/api/v1/reservations",
                             "Practice-room bookings by students and teachers; never overlapping "
                             "a lesson or another reservation in the room.")
closures_blp = blueprint("Closures", "/api/v1/closures",
                         "Dates the studio is closed; recurring lessons skip them.")


# ---------------------------------------------------------------- rooms

def _visible_rooms():
    stmt = scoped(Room)
    if not can("rooms.manage"):
        stmt = stmt.where(Room.is_active.is_(True))
    return stmt


def _room(room_id):
    return get_or_404(Room, room_id, stmt=_visible_rooms())


@rooms_blp.route("")
class Rooms(MethodView):
    @requires("rooms.view")
    @rooms_blp.arguments(RoomListQuerySchema, location="query")
    @rooms_blp.response(200, RoomPageSchema)
    def get(self, args):
        """List rooms (admins also see rooms no longer in use)."""
        stmt = _visible_rooms()
        if args.get("search"):
            stmt = stmt.where(Room.name.ilike(f"%{args['search']}%"))
        for name in ("is_bookable", "is_active"):
            if args.get(name) is not None:
                stmt = stmt.where(getattr(Room, name).is_(args[name]))
        stmt = apply_created_range(stmt, Room, args)
        stmt = apply_ordering(stmt, Room, args.get("ordering"),
                              {"name": Room.name, "capacity": Room.capacity, "created_at": Room.created_at},
                              "name")
        return paginate(stmt, args)

    @requires("rooms.manage")
    @rooms_blp.arguments(RoomSchema)
    @rooms_blp.response(201, RoomSchema)
    @rooms_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Add a room (admins)."""
        return services.create_room(studio(), actor(), **data)


@rooms_blp.route("/<room_id>")
class RoomItem(MethodView):
    @requires("rooms.view")
    @loads("room", _room)
    @rooms_blp.response(200, RoomSchema)
    @rooms_blp.alt_response(404, **NOT_FOUND)
    def get(self, room):
        """One room."""
        return room

    @requires("rooms.manage")
    @loads("room", _room)
    @rooms_blp.arguments(RoomUpdateSchema)
    @rooms_blp.response(200, RoomSchema)
    @rooms_blp.alt_response(403, **FORBIDDEN)
    @rooms_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, room):
        """Change a room (admins)."""
        return services.update_room(studio(), actor(), room, **data)

    @requires("rooms.manage")
    @loads("room", _room)
    @rooms_blp.response(204)
    @rooms_blp.alt_response(403, **FORBIDDEN)
    @rooms_blp.alt_response(404, **NOT_FOUND)
    def delete(self, room):
        """Remove a room. A room with lessons or reservations is deactivated instead, so
        history keeps its name."""
        services.delete_room(studio(), actor(), room)


# ---------------------------------------------------------------- reservations

def _reservation(reservation_id):
    return get_or_404(RoomReservation, reservation_id,
                      stmt=policies.restrict_reservations(scoped(RoomReservation)))


def _own_reservation(reservation_id):
    reservation = _reservation(reservation_id)
    if not policies.may_manage_reservation(reservation):
        raise PermissionDenied("You can only change your own reservations.")
    return reservation


@reservations_blp.route("")
class Reservations(MethodView):
    @requires("reservations.view")
    @reservations_blp.arguments(ReservationListQuerySchema, location="query")
    @reservations_blp.response(200, ReservationPageSchema)
    def get(self, args):
        """List reservations: staff see all, students their own."""
        stmt = policies.restrict_reservations(scoped(RoomReservation))
        if args.get("room"):
            stmt = stmt.where(RoomReservation.room_id == args["room"])
        if args.get("status"):
            stmt = stmt.where(RoomReservation.status == args["status"])
        if args.get("mine"):
            stmt = stmt.where(RoomReservation.user_id == actor().id)
        if args.get("start_date"):
            stmt = stmt.where(RoomReservation.start_at >= day_bounds(studio(), args["start_date"],
                                                                     args["start_date"])[0])
        if args.get("end_date"):
            stmt = stmt.where(RoomReservation.start_at < day_bounds(studio(), args["end_date"],
                                                                    args["end_date"])[1])
        stmt = apply_created_range(stmt, RoomReservation, args)
        stmt = apply_ordering(stmt, RoomReservation, args.get("ordering"),
                              {"start_time": RoomReservation.start_at,
                               "created_at": RoomReservation.created_at}, "start_time")
        return paginate(stmt, args)

    @requires("reservations.create")
    @reservations_blp.arguments(ReservationCreateSchema)
    @reservations_blp.response(201, ReservationSchema)
    @reservations_blp.alt_response(403, **FORBIDDEN)
    @reservations_blp.alt_response(409, **CONFLICT)
    def post(self, data):
        """Reserve a bookable room for practice. 409 when it is taken then."""
        return services.reserve_room(studio(), actor(), room=data["room"], start=data["start_time"],
                                     end=data["end_time"], notes=data["notes"])


@reservations_blp.route("/<reservation_id>")
class ReservationItem(MethodView):
    @requires("reservations.view")
    @loads("reservation", _reservation)
    @reservations_blp.response(200, ReservationSchema)
    @reservations_blp.alt_response(404, **NOT_FOUND)
    def get(self, reservation):
        """One reservation."""
        return reservation

    @requires("reservations.create")
    @loads("reservation", _own_reservation)
    @reservations_blp.arguments(ReservationUpdateSchema)
    @reservations_blp.response(200, ReservationSchema)
    @reservations_blp.alt_response(403, **FORBIDDEN)
    @reservations_blp.alt_response(404, **NOT_FOUND)
    @reservations_blp.alt_response(409, **CONFLICT)
    def patch(self, data, reservation):
        """Move your reservation or change its notes."""
        return services.update_reservation(studio(), actor(), reservation, start=data.get("start_time"),
                                           end=data.get("end_time"), notes=data.get("notes"))

    @requires("reservations.create")
    @loads("reservation", _own_reservation)
    @reservations_blp.response(204)
    @reservations_blp.alt_response(403, **FORBIDDEN)
    @reservations_blp.alt_response(404, **NOT_FOUND)
    @reservations_blp.alt_response(409, **CONFLICT)
    def delete(self, reservation):
        """Cancel your reservation (same as POST …/cancel)."""
        services.cancel_reservation(studio(), actor(), reservation)


@reservations_blp.route("/<reservation_id>/cancel")
class CancelReservation(MethodView):
    @requires("reservations.create")
    @loads("reservation", _own_reservation)
    @reservations_blp.arguments(EmptySchema)
    @reservations_blp.response(200, ReservationSchema)
    @reservations_blp.alt_response(403, **FORBIDDEN)
    @reservations_blp.alt_response(404, **NOT_FOUND)
    @reservations_blp.alt_response(409, **CONFLICT)
    def post(self, data, reservation):
        """Cancel your reservation (admins: anyone's)."""
        return services.cancel_reservation(studio(), actor(), reservation)


# ---------------------------------------------------------------- closures

def _closure(closure_id):
    return get_or_404(StudioClosure, closure_id)


@closures_blp.route("")
class Closures(MethodView):
    @requires("closures.view")
    @closures_blp.arguments(ClosureListQuerySchema, location="query")
    @closures_blp.response(200, ClosurePageSchema)
    def get(self, args):
        """List closures."""
        stmt = scoped(StudioClosure)
        if args.get("start_date"):
            stmt = stmt.where(StudioClosure.end_date >= args["start_date"])
        if args.get("end_date"):
            stmt = stmt.where(StudioClosure.start_date <= args["end_date"])
        if args.get("search"):
            stmt = stmt.where(StudioClosure.name.ilike(f"%{args['search']}%"))
        stmt = apply_created_range(stmt, StudioClosure, args)
        stmt = apply_ordering(stmt, StudioClosure, args.get("ordering"),
                              {"start_date": StudioClosure.start_date, "name": StudioClosure.name},
                              "start_date")
        return paginate(stmt, args)

    @requires("closures.manage")
    @closures_blp.arguments(ClosureCreateSchema)
    @closures_blp.response(201, ClosureSchema)
    @closures_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Close the studio on these dates (admins). Scheduled lessons on them are cancelled
        without charge unless `cancel_lessons` is false."""
        closure, _cancelled = services.create_closure(studio(), actor(), **data)
        return closure


@closures_blp.route("/<closure_id>")
class ClosureItem(MethodView):
    @requires("closures.view")
    @loads("closure", _closure)
    @closures_blp.response(200, ClosureSchema)
    @closures_blp.alt_response(404, **NOT_FOUND)
    def get(self, closure):
        """One closure."""
        return closure

    @requires("closures.manage")
    @loads("closure", _closure)
    @closures_blp.arguments(ClosureUpdateSchema)
    @closures_blp.response(200, ClosureSchema)
    @closures_blp.alt_response(403, **FORBIDDEN)
    @closures_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, closure):
        """Rename or move a closure. Lessons are not cancelled or restored by this."""
        return services.update_closure(
            studio(), actor(), closure, name=data.get("name", closure.name),
            start_date=data.get("start_date", closure.start_date),
            end_date=data.get("end_date", closure.end_date),
        )

    @requires("closures.manage")
    @loads("closure", _closure)
    @closures_blp.response(204)
    @closures_blp.alt_response(403, **FORBIDDEN)
    @closures_blp.alt_response(404, **NOT_FOUND)
    def delete(self, closure):
        """Reopen those days; lessons the closure cancelled stay cancelled."""
        services.delete_closure(studio(), actor(), closure)
