"""Rooms and practice-room reservations."""
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import Conflict, DomainError, ValidationFailed
from app.core.forms import EmptyForm, apply_errors, split_list
from app.core.permissions import can, requires
from app.core.tenancy import current_principal, current_studio, scoped
from app.core.timeutil import day_bounds, local_today
from app.core.views import denied_writes_redirect, form_failed, safe_back
from app.extensions import db
from app.scheduling import services
from app.scheduling.access import own_reservation, visible_room
from app.scheduling.forms import ReservationForm, RoomForm
from app.scheduling.models import Lesson, Room, RoomReservation
from app.scheduling.services.common import local_moment
from app.scheduling.views import scheduling_bp
from app.scheduling.views.common import describe_clashes, room_choices, selected

SCHEDULE_DAYS = 7


def _rooms(include_inactive=False):
    stmt = scoped(Room)
    if not include_inactive:
        stmt = stmt.where(Room.is_active.is_(True))
    return db.session.scalars(stmt.order_by(Room.is_active.desc(), Room.name)).all()


def _reservation_form():
    form = ReservationForm()
    form.room.choices = [("", "Choose a room")] + room_choices(blank=None, bookable_only=True)
    if request.method == "GET":
        form.date.data = local_today(current_studio())
        if request.args.get("room"):
            form.room.data = request.args["room"]
    return form


def _my_reservations():
    return db.session.scalars(select(RoomReservation).where(
        RoomReservation.studio_id == current_studio().id, RoomReservation.user_id == current_user.id,
        RoomReservation.status == "confirmed", RoomReservation.end_at > utcnow(),
    ).order_by(RoomReservation.start_at).limit(20)).all()


def _page(room_form=None, reservation_form=None, status=200, clashes=()):
    manager = can("rooms.manage")
    return render_template(
        "scheduling/rooms.html", rooms=_rooms(include_inactive=manager),
        room_form=room_form or (RoomForm() if manager else None),
        reservation_form=reservation_form or (_reservation_form() if can("reservations.create") else None),
        mine=_my_reservations(), action_form=EmptyForm(), clashes=clashes,
    ), status


@scheduling_bp.route("/rooms")
@login_required
@requires("rooms.view")
def rooms():
    return _page()


def _room_fields(form):
    return {"name": form.name.data, "capacity": form.capacity.data,
            "equipment": split_list(form.equipment.data),
            "description": form.description.data or "", "is_bookable": form.is_bookable.data,
            "is_active": form.is_active.data}


@scheduling_bp.route("/rooms", methods=["POST"])
@login_required
@requires("rooms.manage")
def create_room():
    form = RoomForm()
    if form.validate_on_submit():
        try:
            room = services.create_room(current_studio(), current_user, **_room_fields(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(f"{room.name} is added.", "success")
            return redirect(url_for("scheduling.rooms"))
    return _page(room_form=form, status=422)


@scheduling_bp.route("/rooms/<room_id>", methods=["GET", "POST"])
@login_required
@requires("rooms.view")
def room(room_id):
    manager = can("rooms.manage")
    item = visible_room(room_id)
    form = RoomForm(obj=item) if manager else None
    if request.method == "GET" and form is not None:
        form.equipment.data = ", ".join(item.equipment or [])
    status = 200
    if request.method == "POST":
        if not manager:
            flash("You do not have permission to do that.", "error")
            return redirect(url_for("scheduling.room", room_id=item.id))
        if form.validate_on_submit():
            try:
                services.update_room(current_studio(), current_user, item, **_room_fields(form))
            except ValidationFailed as exc:
                apply_errors(form, exc)
            else:
                flash(f"{item.name} is saved.", "success")
                return redirect(url_for("scheduling.room", room_id=item.id))
        status = 422
    return render_template("scheduling/room.html", room=item, form=form, schedule=_room_schedule(item),
                           action_form=EmptyForm()), status


def _room_schedule(room):
    """The room's lessons and reservations over the next week, by day."""
    studio = current_studio()
    first = local_today(studio)
    start, end = day_bounds(studio, first, first + timedelta(days=SCHEDULE_DAYS - 1))
    lessons = db.session.scalars(select(Lesson).where(
        Lesson.studio_id == studio.id, Lesson.room_id == room.id, Lesson.status != "cancelled",
        Lesson.start_at >= start, Lesson.start_at < end).order_by(Lesson.start_at)).all()
    reservations = db.session.scalars(select(RoomReservation).where(
        RoomReservation.studio_id == studio.id, RoomReservation.room_id == room.id,
        RoomReservation.status == "confirmed", RoomReservation.start_at >= start,
        RoomReservation.start_at < end).order_by(RoomReservation.start_at)).all()
    items = sorted([("lesson", lesson) for lesson in lessons] + [("reservation", r) for r in reservations],
                   key=lambda pair: pair[1].start_at)
    show_names = current_principal().role in ("owner", "admin", "teacher")
    return {"items": items, "show_names": show_names}


@scheduling_bp.route("/rooms/<room_id>/delete", methods=["POST"])
@login_required
@requires("rooms.manage")
def delete_room(room_id):
    item = visible_room(room_id)
    if EmptyForm().validate_on_submit():
        name = item.name
        outcome = services.delete_room(current_studio(), current_user, item)
        flash(f"{name} is removed." if outcome == "deleted" else
              f"{name} has lessons in its history, so it is deactivated instead.", "success")
    return redirect(url_for("scheduling.rooms"))


@scheduling_bp.route("/reservations", methods=["POST"])
@login_required
@requires("reservations.create")
def reserve():
    form = _reservation_form()
    clashes = []
    if form.validate_on_submit():
        studio = current_studio()
        try:
            start = local_moment(studio, form.date.data, form.start_time.data, field="start_time")
            end = local_moment(studio, form.date.data, form.end_time.data, field="end_time")
            reservation = services.reserve_room(studio, current_user, room=selected(form.room.data),
                                                start=start, end=end, notes=form.notes.data or "")
        except services.BookingConflict as exc:
            form.form_errors.append(exc.detail)
            clashes = describe_clashes(exc.clashes)
        except (Conflict, ValidationFailed) as exc:
            form_failed(form, exc)
        else:
            flash(f"{reservation.room.name} is yours on {form.date.data:%b %-d}, "
                  f"{form.start_time.data:%H:%M}–{form.end_time.data:%H:%M}.", "success")
            return redirect(url_for("scheduling.rooms"))
    return _page(reservation_form=form, status=422, clashes=clashes)


@scheduling_bp.route("/reservations/<reservation_id>/cancel", methods=["POST"])
@login_required
@requires("reservations.create")
@denied_writes_redirect
def cancel_reservation(reservation_id):
    item = own_reservation(reservation_id)
    if EmptyForm().validate_on_submit():
        try:
            services.cancel_reservation(current_studio(), current_user, item)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash("The reservation is cancelled.", "success")
    return redirect(safe_back(url_for("scheduling.rooms")))
