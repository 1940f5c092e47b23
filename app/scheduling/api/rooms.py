"""/api/v1/rooms, /api/v1/reservations and /api/v1/closures."""
from flask.views import MethodView
from sqlalchemy import or_, select

from app.accounts.models import User
from app.core.api import loads, refused_when
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.core.search import matches
from app.core.tenancy import scoped
from app.core.timeutil import day_bounds
from app.scheduling import policies, services
from app.scheduling.access import (
    own_reservation,
    visible_closure,
    visible_reservation,
    visible_room,
    visible_rooms,
)
from app.scheduling.api.common import CONFLICT, FORBIDDEN, NOT_FOUND, actor, blueprint, studio
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

rooms_blp = blueprint("Rooms", "/api/v1/rooms", "Teaching and practice rooms.")
reservations_blp = blueprint("Reservations", "/api/v1/reservations",
                             "Practice-room bookings by students and teachers; never overlapping "
                             "a lesson or another reservation in the room.")
closures_blp = blueprint("Closures", "/api/v1/closures",
                         "Dates the studio is closed; recurring lessons skip them.")


# ---------------------------------------------------------------- rooms

@rooms_blp.route("")
class Rooms(MethodView):
    @requires("rooms.view")
    @rooms_blp.arguments(RoomListQuerySchema, location="query")
    @rooms_blp.response(200, RoomPageSchema)
    def get(self, args):
        """List rooms (admins also see rooms no longer in use)."""
        stmt = visible_rooms()
        if args.get("search"):
            stmt = stmt.where(matches(args["search"], Room.search_text))
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
    @rooms_blp.alt_response(400, **refused_when(
        "`name` is blank or another room's; `equipment` blank or repeated entries."))
    @rooms_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Add a room (admins)."""
        return services.create_room(studio(), actor(), **data)


@rooms_blp.route("/<uuid:room_id>")
class RoomItem(MethodView):
    @requires("rooms.view")
    @loads("room", visible_room)
    @rooms_blp.response(200, RoomSchema)
    @rooms_blp.alt_response(404, **NOT_FOUND)
    def get(self, room):
        """One room."""
        return room

    @requires("rooms.manage")
    @loads("room", visible_room)
    @rooms_blp.arguments(RoomUpdateSchema)
    @rooms_blp.response(200, RoomSchema)
    @rooms_blp.alt_response(400, **refused_when(
        "`name` is blank or another room's; `equipment` blank or repeated entries."))
    @rooms_blp.alt_response(403, **FORBIDDEN)
    @rooms_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, room):
        """Change a room (admins)."""
        return services.update_room(studio(), actor(), room, **data)

    @requires("rooms.manage")
    @loads("room", visible_room)
    @rooms_blp.response(204)
    @rooms_blp.alt_response(403, **FORBIDDEN)
    @rooms_blp.alt_response(404, **NOT_FOUND)
    def delete(self, room):
        """Remove a room. A room with lessons or reservations is deactivated instead, so
        history keeps its name."""
        services.delete_room(studio(), actor(), room)


# ---------------------------------------------------------------- reservations

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
        if args.get("search"):  # who booked it, or the room
            text = args["search"]
            people = select(User.id).where(matches(text, User.search_text))
            rooms = select(Room.id).where(Room.studio_id == studio().id, matches(text, Room.search_text))
            stmt = stmt.where(or_(RoomReservation.user_id.in_(people), RoomReservation.room_id.in_(rooms)))
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
    @reservations_blp.alt_response(400, **refused_when(
        "`room` is not in your studio or cannot be booked; `start_time` is in the past; `end_time` is"
        " not 5 minutes to 12 hours after it; `notes` longer than 500 characters."))
    @reservations_blp.alt_response(403, **FORBIDDEN)
    @reservations_blp.alt_response(409, **CONFLICT)
    def post(self, data):
        """Reserve a bookable room for practice. 409 when it is taken then."""
        return services.reserve_room(studio(), actor(), room=data["room"], start=data["start_time"],
                                     end=data["end_time"], notes=data["notes"])


@reservations_blp.route("/<uuid:reservation_id>")
class ReservationItem(MethodView):
    @requires("reservations.view")
    @loads("reservation", visible_reservation)
    @reservations_blp.response(200, ReservationSchema)
    @reservations_blp.alt_response(404, **NOT_FOUND)
    def get(self, reservation):
        """One reservation."""
        return reservation

    @requires("reservations.create")
    @loads("reservation", own_reservation)
    @reservations_blp.arguments(ReservationUpdateSchema)
    @reservations_blp.response(200, ReservationSchema)
    @reservations_blp.alt_response(400, **refused_when(
        "`start_time` is in the past; `end_time` is not 5 minutes to 12 hours after it; `notes` "
        "longer than 500 characters."))
    @reservations_blp.alt_response(403, **FORBIDDEN)
    @reservations_blp.alt_response(404, **NOT_FOUND)
    @reservations_blp.alt_response(409, **CONFLICT)
    def patch(self, data, reservation):
        """Move your reservation or change its notes."""
        return services.update_reservation(studio(), actor(), reservation, start=data.get("start_time"),
                                           end=data.get("end_time"), notes=data.get("notes"))

    @requires("reservations.create")
    @loads("reservation", own_reservation)
    @reservations_blp.response(204)
    @reservations_blp.alt_response(403, **FORBIDDEN)
    @reservations_blp.alt_response(404, **NOT_FOUND)
    @reservations_blp.alt_response(409, **CONFLICT)
    def delete(self, reservation):
        """Cancel your reservation (same as POST …/cancel)."""
        services.cancel_reservation(studio(), actor(), reservation)


@reservations_blp.route("/<uuid:reservation_id>/cancel")
class CancelReservation(MethodView):
    @requires("reservations.create")
    @loads("reservation", own_reservation)
    @reservations_blp.arguments(EmptySchema, required=False)
    @reservations_blp.response(200, ReservationSchema)
    @reservations_blp.alt_response(403, **FORBIDDEN)
    @reservations_blp.alt_response(404, **NOT_FOUND)
    @reservations_blp.alt_response(409, **CONFLICT)
    def post(self, data, reservation):
        """Cancel your reservation (admins: anyone's)."""
        return services.cancel_reservation(studio(), actor(), reservation)


# ---------------------------------------------------------------- closures

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
            stmt = stmt.where(matches(args["search"], StudioClosure.search_text))
        stmt = apply_created_range(stmt, StudioClosure, args)
        stmt = apply_ordering(stmt, StudioClosure, args.get("ordering"),
                              {"start_date": StudioClosure.start_date, "name": StudioClosure.name,
                               "created_at": StudioClosure.created_at},
                              "start_date")
        return paginate(stmt, args)

    @requires("closures.manage")
    @closures_blp.arguments(ClosureCreateSchema)
    @closures_blp.response(201, ClosureSchema)
    @closures_blp.alt_response(400, **refused_when(
        "`end_date` is before `start_date` or more than a year after it; `name` is blank."))
    @closures_blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Close the studio on these dates (admins). Scheduled lessons on them are cancelled
        without charge unless `cancel_lessons` is false."""
        closure, _cancelled = services.create_closure(studio(), actor(), **data)
        return closure


@closures_blp.route("/<uuid:closure_id>")
class ClosureItem(MethodView):
    @requires("closures.view")
    @loads("closure", visible_closure)
    @closures_blp.response(200, ClosureSchema)
    @closures_blp.alt_response(404, **NOT_FOUND)
    def get(self, closure):
        """One closure."""
        return closure

    @requires("closures.manage")
    @loads("closure", visible_closure)
    @closures_blp.arguments(ClosureUpdateSchema)
    @closures_blp.response(200, ClosureSchema)
    @closures_blp.alt_response(400, **refused_when(
        "`end_date` is before `start_date` or more than a year after it; `name` is blank."))
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
    @loads("closure", visible_closure)
    @closures_blp.response(204)
    @closures_blp.alt_response(403, **FORBIDDEN)
    @closures_blp.alt_response(404, **NOT_FOUND)
    def delete(self, closure):
        """Reopen those days; lessons the closure cancelled stay cancelled."""
        services.delete_closure(studio(), actor(), closure)
