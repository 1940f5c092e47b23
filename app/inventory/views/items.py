"""The catalogue: list with filters and thumbnails, an item's page (photos, history, the
family's Request button), add and edit, photo upload and management."""
from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.core import files
from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import can, requires, requires_one_of
from app.core.tenancy import current_studio
from app.core.views import (
    choice_arg,
    form_failed,
    form_status,
    html_page,
    render,
    safe_back,
    text_arg,
)
from app.extensions import db
from app.inventory import access, policies, services
from app.inventory.forms import ItemForm, PhotoForm, RequestForm
from app.inventory.models import ITEM_CATEGORIES, ITEM_STATUSES, Checkout, InventoryItem
from app.inventory.views import inventory_bp


def _item_url(item_id):
    return url_for("inventory.item", item_id=item_id)


@inventory_bp.route("/inventory/")
@login_required
@requires("inventory.view")
def items():
    """The catalogue (for families: what they may borrow)."""
    filters = {"q": text_arg("q"), "category": choice_arg("category", ("", *ITEM_CATEGORIES), ""),
               "status": choice_arg("status", ("", *ITEM_STATUSES), "")}
    stmt = services.filter_items(policies.visible_items(), category=filters["category"] or None,
                                 status=filters["status"] or None, search=filters["q"])
    stmt = stmt.options(selectinload(InventoryItem.photos)).order_by(InventoryItem.name, InventoryItem.id)
    borrowers = policies.borrowers() if can("checkouts.request") else []
    page = html_page(stmt)
    held = services.held_by_item(policies.visible_checkouts(), page["results"]) if borrowers else {}
    return render("inventory/index.html", "inventory/_results.html", page=page,
                  filters=filters, categories=ITEM_CATEGORIES, statuses=ITEM_STATUSES,
                  borrowers=borrowers, held=held, action_form=EmptyForm())


def _request_form():
    form = RequestForm()
    form.student.choices = [(str(s.id), s.full_name) for s in policies.borrowers()]
    return form


def _history(item):
    stmt = policies.visible_checkouts().where(Checkout.item_id == item.id)
    return db.session.scalars(stmt.options(selectinload(Checkout.requested_by))
                              .order_by(Checkout.created_at.desc()).limit(100)).unique().all()


def _show(item, request_form=None, photo_form=None, status=200):
    # Students who already asked for it or have it are not offered it again: their state and
    # (for a waiting request) Withdraw show instead.
    held = services.held_by_item(policies.visible_checkouts(), [item]).get(item.id, {})
    request_form = request_form or _request_form()
    request_form.student.choices = [(value, label) for value, label in request_form.student.choices
                                    if value not in {str(sid) for sid in held}]
    history = _history(item)
    return render("inventory/show.html", status=status, item=item, history=history,
                  openable=policies.openable_students(history) if policies.is_staff() else set(),
                  held=sorted(held.values(), key=lambda c: (c.student.first_name, c.student_id)),
                  request_form=request_form,
                  photo_form=photo_form or PhotoForm(), action_form=EmptyForm(),
                  units_out=services.units_out(item) if policies.is_staff() else None)


@inventory_bp.route("/inventory/items/<item_id>")
@login_required
@requires("inventory.view")
def item(item_id):
    return _show(access.visible_item(item_id))


@inventory_bp.route("/inventory/items/new", methods=["GET", "POST"])
@login_required
@requires("inventory.manage")
def new_item():
    form = ItemForm()
    if form.validate_on_submit():
        try:
            created = services.create_item(current_studio(), current_user, **form.service_fields())
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash(f"{created.name} is in the inventory.", "success")
            return redirect(_item_url(created.id))
    return render("inventory/form.html", status=form_status(form), form=form, item=None)


@inventory_bp.route("/inventory/items/<item_id>/edit", methods=["GET", "POST"])
@login_required
@requires("inventory.manage")
def edit_item(item_id):
    item = access.visible_item(item_id)
    form = ItemForm(obj=item)
    if request.method == "GET":
        form.status.data = services.staff_status(item)
    if form.validate_on_submit():
        try:
            services.update_item(current_studio(), current_user, item, **form.service_fields())
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash(f"{item.name} is saved.", "success")
            return redirect(_item_url(item.id))
    return render("inventory/form.html", status=form_status(form), form=form, item=item)


@inventory_bp.route("/inventory/items/<item_id>/photos", methods=["POST"])
@login_required
@requires("inventory.manage")
def upload_photo(item_id):
    item = access.visible_item(item_id)
    form = PhotoForm()
    if form.validate_on_submit():
        upload = form.photo.data
        if not upload or not getattr(upload, "filename", ""):
            form.photo.errors = [*form.photo.errors, "Choose an image to upload."]
        else:
            try:
                services.add_photo(current_studio(), current_user, item, upload)
            except DomainError as exc:
                form_failed(form, exc)
            else:
                flash("The photo is added.", "success")
                return redirect(_item_url(item.id))
    else:
        form.form_errors.append("The form expired; reload the page and try again.")
    return _show(item, photo_form=form, status=422)


@inventory_bp.route("/inventory/items/<item_id>/photos/<photo_id>")
@login_required
@requires("inventory.view")
def photo(item_id, photo_id):
    _item, found = access.visible_photo(item_id, photo_id)
    return files.file_response(found.file, inline=True)


@inventory_bp.route("/inventory/items/<item_id>/photos/<photo_id>/thumbnail")
@login_required
@requires("inventory.view")
def thumbnail(item_id, photo_id):
    _item, found = access.visible_photo(item_id, photo_id)
    return files.file_response(found.thumbnail, inline=True)


@inventory_bp.route("/inventory/items/<item_id>/photos/<photo_id>/primary", methods=["POST"])
@login_required
@requires("inventory.manage")
def primary_photo(item_id, photo_id):
    return _photo_action(item_id, photo_id, services.set_primary_photo,
                         "The primary photo is changed.")


@inventory_bp.route("/inventory/items/<item_id>/photos/<photo_id>/delete", methods=["POST"])
@login_required
@requires("inventory.manage")
def delete_photo(item_id, photo_id):
    return _photo_action(item_id, photo_id, services.delete_photo, "The photo is deleted.")


def _photo_action(item_id, photo_id, verb, success):
    """A photo button on the item's page (CSRF is checked app-wide): do it, say so, and back
    to the item."""
    item, found = access.visible_photo(item_id, photo_id)
    try:
        verb(current_studio(), current_user, item, found)
    except DomainError as exc:  # deleted meanwhile by another request
        flash(exc.detail, "error")
    else:
        flash(success, "success")
    return redirect(_item_url(item.id))


@inventory_bp.route("/inventory/items/<item_id>/request", methods=["POST"])
@login_required
@requires_one_of("checkouts.request", "checkouts.manage")
def request_item(item_id):
    """The family's Request button (staff may also ask on a student's behalf)."""
    item = access.visible_item(item_id)
    form = _request_form()
    if form.validate_on_submit():
        try:
            student = access.borrower(form.student.data)
            checkout = services.request_checkout(current_studio(), current_user, item, student,
                                                 notes=form.notes.data or "")
        except DomainError as exc:
            form_failed(form, exc, {"item": "student", "quantity": "student"})
        else:
            flash(f"{item.name} is requested for {checkout.student.first_name}; the studio will "
                  "confirm.", "success")
            if can("checkouts.manage"):
                return redirect(url_for("inventory.desk"))
            # Back to where the button was: the item's page, the Borrow list or the portal.
            return redirect(safe_back(_item_url(item.id)))
    return _show(item, request_form=form, status=422)
