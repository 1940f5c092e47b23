"""Teacher pages: list, profile, add, edit, weekly availability, archive."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func

from app.accounts.models import User
from app.accounts.services import pending_invitations
from app.core.errors import DomainError
from app.core.forms import EmptyForm, split_list
from app.core.permissions import TEACHER, can, requires
from app.core.tenancy import current_studio
from app.core.views import deny, form_failed, html_page, render, render_form, text_arg
from app.people import policies, services
from app.people.access import visible_teacher
from app.people.forms import AvailabilityForm, TeacherAddForm, TeacherProfileForm, tags_text
from app.people.models import TeacherProfile
from app.people.views import people_bp

STATUSES = {"active": True, "archived": False, "all": None}


def _cannot_edit(teacher):
    return deny("You may only change your own teaching profile.",
                url_for("people.teacher", teacher_id=teacher.id))


def _list_filters():
    status = request.args.get("status", "active")
    if status not in STATUSES or not policies.is_staff():
        status = "active"
    return {
        "q": text_arg("q"), "specialty": text_arg("specialty", 60),
        "accepting": request.args.get("accepting") == "1", "status": status,
    }


@people_bp.route("/teachers")
@login_required
@requires("teachers.view")
def teachers():
    studio = current_studio()
    filters = _list_filters()
    stmt = services.filter_teachers(
        policies.visible_teachers(), search=filters["q"], specialty=filters["specialty"] or None,
        is_accepting_students=True if filters["accepting"] else None,
        is_active=STATUSES[filters["status"]],
    ).order_by(func.lower(User.first_name), func.lower(User.last_name), TeacherProfile.id)
    invitations = [i for i in pending_invitations(studio) if i.role == TEACHER] \
        if can("teachers.manage") else []
    return render(
        "people/teachers/index.html", "people/teachers/_results.html", page=html_page(stmt),
        filters=filters, specialties=services.teacher_specialties(studio), invitations=invitations,
    )


@people_bp.route("/teachers/new", methods=["GET", "POST"])
@login_required
@requires("teachers.manage")
def new_teacher():
    form = TeacherAddForm()
    if form.validate_on_submit():
        try:
            teacher, invitation = services.add_teacher(
                current_studio(), current_user, form.email.data, first_name=form.first_name.data,
                last_name=form.last_name.data, invite=form.invite.data,
                **({"instruments": split_list(form.instruments.data)} if form.instruments.data else {}),
            )
        except DomainError as exc:
            form_failed(form, exc)
        else:
            sent = f" Invitation sent to {invitation.email}." if invitation is not None else ""
            flash(f"{teacher.full_name} is on the teachers list and can be booked.{sent} "
                  "Complete their profile.", "success")
            return redirect(url_for("people.edit_teacher", teacher_id=teacher.id))
    return render_form("people/teachers/new.html", form)


@people_bp.route("/teachers/<teacher_id>")
@login_required
@requires("teachers.view")
def teacher(teacher_id):
    teacher = visible_teacher(teacher_id)
    students = services.students_of_teacher(current_studio(), teacher) if policies.is_staff() else []
    return render_template("people/teachers/show.html", teacher=teacher, students=students,
                           action_form=EmptyForm())


def _profile_changes(form, include_rate):
    changes = {
        "bio": form.bio.data or "", "specialties": split_list(form.specialties.data),
        "instruments": split_list(form.instruments.data), "calendar_color": form.calendar_color.data,
        "is_accepting_students": form.is_accepting_students.data,
    }
    if include_rate:
        changes["hourly_rate"] = form.hourly_rate.data
    return changes


@people_bp.route("/teachers/<teacher_id>/edit", methods=["GET", "POST"])
@login_required
@requires("teachers.view")
def edit_teacher(teacher_id):
    teacher = visible_teacher(teacher_id)
    if not policies.may_edit_teacher(teacher):
        return _cannot_edit(teacher)
    form = TeacherProfileForm(obj=teacher)
    include_rate = policies.is_manager()
    if not include_rate:
        del form.hourly_rate
    if request.method == "GET":
        form.specialties.data = tags_text(teacher.specialties)
        form.instruments.data = tags_text(teacher.instruments)
    if form.validate_on_submit():
        try:
            services.update_teacher(current_studio(), current_user, teacher,
                                    **_profile_changes(form, include_rate))
        except DomainError as exc:
            form_failed(form, exc)
        else:
            flash("The teaching profile is saved.", "success")
            return redirect(url_for("people.teacher", teacher_id=teacher.id))
    return render_form("people/teachers/edit.html", form, teacher=teacher)


def _window_rows(form):
    return [
        {"weekday": int(entry.form.weekday.data) if entry.form.weekday.data else None,
         "start_time": entry.form.start_time.data, "end_time": entry.form.end_time.data}
        for entry in form.windows if not entry.form.is_blank()
    ]


def _fill_windows(form, teacher, blanks=2):
    while len(form.windows):
        form.windows.pop_entry()
    for window in teacher.availability:
        form.windows.append_entry({"weekday": str(window.weekday), "start_time": window.start_time,
                                   "end_time": window.end_time})
    for _ in range(blanks):
        form.windows.append_entry()


def _window_errors(form, error):
    """Show `3.end_time`-style service errors next to the non-blank row they belong to."""
    filled = [entry for entry in form.windows if not entry.form.is_blank()]
    for key, messages in error.field_errors.items():
        index, _, name = key.partition(".")
        if index.isdigit() and int(index) < len(filled) and name in filled[int(index)].form:
            field = filled[int(index)].form[name]
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)
    if not error.field_errors:
        form.form_errors.append(error.detail)


@people_bp.route("/teachers/<teacher_id>/availability", methods=["GET", "POST"])
@login_required
@requires("teachers.view")
def teacher_availability(teacher_id):
    teacher = visible_teacher(teacher_id)
    if not policies.may_edit_teacher(teacher):
        return _cannot_edit(teacher)
    form = AvailabilityForm()
    status = None
    if request.method == "GET":
        _fill_windows(form, teacher)
    elif form.validate_on_submit():
        try:
            services.replace_availability(current_studio(), current_user, teacher, _window_rows(form))
        except DomainError as exc:
            _window_errors(form, exc)
            status = 422  # errors on rows are not part of the validated form.errors
        else:
            flash("Weekly availability is saved.", "success")
            return redirect(url_for("people.teacher", teacher_id=teacher.id))
    return render_form("people/teachers/availability.html", form, status=status, teacher=teacher)


@people_bp.route("/teachers/<teacher_id>/<any(archive, restore):action>", methods=["POST"])
@login_required
@requires("teachers.manage")
def set_teacher_active(teacher_id, action):
    teacher = visible_teacher(teacher_id)
    if EmptyForm().validate_on_submit():
        verb = services.archive_teacher if action == "archive" else services.restore_teacher
        verb(current_studio(), current_user, teacher)
        flash(f"{teacher.full_name} is {action}d.", "success")
    return redirect(url_for("people.teacher", teacher_id=teacher.id))


@people_bp.route("/me/teaching")
@login_required
@requires("teachers.edit_own")
def my_teacher():
    teacher = policies.own_teacher_profile()
    if teacher is None:
        flash("You have no teaching profile in this studio yet. Ask an admin to set it up.", "info")
        return redirect(url_for("people.teachers"))
    return redirect(url_for("people.teacher", teacher_id=teacher.id))
