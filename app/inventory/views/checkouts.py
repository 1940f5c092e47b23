"""The checkout desk (requests to approve, items to hand out, out, overdue), the desk's
actions, and the Borrowed lists of a student's page and a family's page."""
from flask import flash, redirect, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import requires
from app.core.tenancy import current_studio, get_or_404
from app.core.views import render, safe_back
from app.extensions import db
from app.inventory import access, policies, services
from app.inventory.forms import RejectForm, ReturnForm
from app.inventory.models import Checkout, InventoryItem
from app.inventory.views import inventory_bp
from app.people.models import Family, Student
from app.people.services import visible_families
from app.scheduling.services import family_student_ids


@inventory_bp.route("/inventory/desk")
@login_required
@requires("checkouts.manage")
def desk():
    """Requests waiting for approval, approved items to hand out, loans out, overdue."""
    lists = services.desk(policies.visible_checkouts())
    openable = policies.openable_students([c for rows in lists.values() for c in rows])
    return render("inventory/desk.html", lists=lists, openable=openable, action_form=EmptyForm(),
                  reject_form=RejectForm(formdata=None), return_form=ReturnForm(formdata=None))


def _act(checkout_id, verb, success, form=None, fields=None, **kwargs):
    checkout = access.visible_checkout(checkout_id)
    form = form or EmptyForm()
    if not form.validate_on_submit():
        errors = [m for messages in form.errors.values() for m in messages]
        flash(" ".join(errors) or "The form expired; reload the page and try again.", "error")
        return redirect(safe_back(url_for("inventory.desk")))
    try:
        verb(current_studio(), current_user, checkout, **(fields(form) if fields else {}), **kwargs)
    except DomainError as exc:
        messages = [m for ms in exc.field_errors.values() for m in ms] or [exc.detail]
        flash(" ".join(messages), "error")
    else:
        flash(success.format(item=checkout.item.name, student=checkout.student.first_name), "success")
    return redirect(safe_back(url_for("inventory.desk")))


@inventory_bp.route("/inventory/checkouts/<checkout_id>/approve", methods=["POST"])
@login_required
@requires("checkouts.manage")
def approve(checkout_id):
    return _act(checkout_id, services.approve_checkout, "{item} is approved for {student}.")


@inventory_bp.route("/inventory/checkouts/<checkout_id>/approve-and-hand-out", methods=["POST"])
@login_required
@requires("checkouts.manage")
def approve_and_hand_out(checkout_id):
    return _act(checkout_id, services.approve_checkout, "{item} is handed out to {student}.",
                hand_out=True)


@inventory_bp.route("/inventory/checkouts/<checkout_id>/hand-out", methods=["POST"])
@login_required
@requires("checkouts.manage")
def hand_out(checkout_id):
    return _act(checkout_id, services.hand_out_checkout, "{item} is handed out to {student}.")


@inventory_bp.route("/inventory/checkouts/<checkout_id>/reject", methods=["POST"])
@login_required
@requires("checkouts.manage")
def reject(checkout_id):
    return _act(checkout_id, services.reject_checkout, "The request of {student} is rejected.",
                RejectForm(), lambda form: {"reason": form.reason.data})


@inventory_bp.route("/inventory/checkouts/<checkout_id>/return", methods=["POST"])
@login_required
@requires("checkouts.manage")
def mark_returned(checkout_id):
    return _act(checkout_id, services.return_checkout, "{item} is back from {student}.",
                ReturnForm(), lambda form: {"condition": form.condition.data,
                                            "note": form.note.data or ""})


@inventory_bp.route("/inventory/checkouts/<checkout_id>/cancel", methods=["POST"])
@login_required
@requires("checkouts.request")
def cancel(checkout_id):
    """A family withdraws its waiting request."""
    return _act(checkout_id, services.cancel_checkout, "The request for {item} is withdrawn.")


def _checkouts_of(student_ids):
    stmt = (policies.visible_checkouts().where(Checkout.student_id.in_(student_ids))
            .options(selectinload(Checkout.requested_by),
                     joinedload(Checkout.item).selectinload(InventoryItem.photos))
            .order_by(Checkout.created_at.desc()))
    return db.session.scalars(stmt.limit(200)).unique().all()


@inventory_bp.route("/inventory/students/<student_id>/borrowed")
@login_required
@requires("checkouts.view")
def student_borrowed(student_id):
    """The student page's Borrowed tab: loans and requests, then the history."""
    student = access.borrower(student_id)
    return render("inventory/borrowed.html", "inventory/_borrowed.html", student=student,
                  family=None, checkouts=_checkouts_of([student.id]), action_form=EmptyForm())


@inventory_bp.route("/inventory/families/<family_id>/borrowed")
@login_required
@requires("checkouts.view")
def family_borrowed(family_id):
    """The family page's Borrowed section: what the family's children have out or asked for."""
    family = get_or_404(Family, family_id, stmt=visible_families())
    ids = db.session.scalars(family_student_ids().where(Student.family_id == family.id)).all()
    return render("inventory/borrowed.html", "inventory/_borrowed.html", student=None,
                  family=family, checkouts=_checkouts_of(ids), action_form=EmptyForm())
