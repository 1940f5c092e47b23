"""Student pages: list with filters, detail with tabs, create/edit, archive/restore, login."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.forms import EmptyForm, split_list
from app.core.pagination import apply_ordering
from app.core.permissions import STUDENT, requires
from app.core.tenancy import current_principal, current_studio, get_or_404
from app.core.views import choice_arg, deny, form_failed, html_page, render, render_form, text_arg, uuid_arg
from app.extensions import db
from app.people import policies, services
from app.people.access import STUDENT_LOAD, visible_student
from app.people.forms import StudentForm, StudentLoginForm, tags_text
from app.people.models import Family, Student
from app.people.views import people_bp
from app.scheduling.models import Lesson
from app.scheduling.services import lesson_query

STATUSES = {"active": True, "archived": False, "all": None}
SORTS = {
    "name": ("Last name", "name"),
    "first_name": ("First name", "first_name"),
    "family": ("Family", "family"),
    "instrument": ("Instrument", "instrument"),
    "newest": ("Newest first", "-created_at"),
}
TABS = ("profile", "lessons", "notes", "goals", "practice", "borrowed", "invoices")
LOGIN_ALIASES = {"user.email": "login_email", "user.password": "password", "family": "family",
                 "primary_teacher": "primary_teacher"}


def _list_filters():
    return {
        "q": text_arg("q"), "family": uuid_arg("family"), "teacher": uuid_arg("teacher"),
        "status": choice_arg("status", STATUSES, "active"), "instrument": text_arg("instrument", 60),
        "sort": choice_arg("sort", SORTS, "name"),
    }


@people_bp.route("/students")
@login_required
@requires("students.view")
def students():
    if current_principal().role == STUDENT:
        return redirect(url_for("people.my_student"))
    studio, filters = current_studio(), _list_filters()
    stmt = services.filter_students(
        policies.visible_students().options(*STUDENT_LOAD), search=filters["q"],
        family=filters["family"], teacher=filters["teacher"], is_active=STATUSES[filters["status"]],
        instrument=filters["instrument"] or None,
    )
    stmt = apply_ordering(stmt, Student, SORTS[filters["sort"]][1], services.STUDENT_ORDERING, "last_name")
    family = get_or_404(Family, filters["family"], stmt=policies.visible_families()) \
        if filters["family"] else None
    return render(
        "people/students/index.html", "people/students/_results.html", page=html_page(stmt),
        filters=filters, sorts=SORTS, family_filter=family,
        teachers=services.teacher_choices(studio), instruments=services.student_instruments(studio),
    )


def _choices(form, studio, student=None):
    families = services.family_choices(studio)
    form.family.choices = ([] if student else [("", "New family")]) + families
    form.primary_teacher.choices = [("", "No teacher yet")] + services.teacher_choices(
        studio, include=student.primary_teacher if student else None)


def _student_fields(form):
    return {
        "first_name": form.first_name.data or "", "last_name": form.last_name.data or "",
        "email": form.email.data or None, "phone": form.phone.data or "",
        "date_of_birth": form.date_of_birth.data, "family": form.family.data or None,
        "instrument": form.instrument.data or "", "specialties": split_list(form.specialties.data),
        "primary_teacher": form.primary_teacher.data or None,
        "default_lesson_minutes": form.default_lesson_minutes.data,
        "default_lesson_rate": form.default_lesson_rate.data,
        "default_lesson_type": form.default_lesson_type.data or "private",
        "emergency_contact_name": form.emergency_contact_name.data or "",
        "emergency_contact_phone": form.emergency_contact_phone.data or "", "notes": form.notes.data or "",
    }


def _login_request(form):
    if form.login.data == "none":
        return None
    login = {"email": form.login_email.data or form.email.data or ""}
    if form.login.data == "password":
        login["password"] = form.password.data or ""
    return login


def _missing_login_fields(form):
    if form.login.data == "password" and not form.password.data:
        form.password.errors = [*form.password.errors, "Choose a password, or send an invitation instead."]
    if form.login.data != "none" and not (form.login_email.data or form.email.data):
        form.login_email.errors = [*form.login_email.errors, "Enter the email the student signs in with."]
    return bool(form.password.errors or form.login_email.errors)


@people_bp.route("/students/new", methods=["GET", "POST"])
@login_required
@requires("students.manage")
def new_student():
    studio = current_studio()
    form = StudentForm()
    _choices(form, studio)
    if request.method == "GET" and request.args.get("family"):
        form.family.data = request.args["family"]
    valid = form.validate_on_submit()
    missing = form.is_submitted() and _missing_login_fields(form)
    if valid and not missing:
        try:
            student, invitation = services.create_student(
                studio, current_user, login=_login_request(form),
                new_family_name=form.new_family_name.data, **_student_fields(form))
        except DomainError as exc:
            form_failed(form, exc, LOGIN_ALIASES)
        else:
            sent = f" An invitation to sign in went to {invitation.email}." if invitation else ""
            flash(f"{student.full_name} is added to {student.family.name}.{sent}", "success")
            return redirect(url_for("people.student", student_id=student.id))
    return render_form("people/students/form.html", form, student=None)


@people_bp.route("/students/<student_id>")
@login_required
@requires("students.view")
def student(student_id):
    student = visible_student(student_id)
    tab = choice_arg("tab", TABS, "profile")
    if tab == "invoices" and not policies.may_see_billing():
        tab = "profile"
    invitation = services.pending_login_invitation(current_studio(), student) \
        if policies.is_manager() else None
    lessons = _student_lessons(student) if tab == "lessons" else None
    return render(
        "people/students/show.html", "people/students/_tab.html", student=student, tab=tab,
        lessons=lessons,
        tabs=[t for t in TABS if t != "invoices" or policies.may_see_billing()],
        action_form=EmptyForm(), login_form=StudentLoginForm(login_email=student.email),
        invitation=invitation,
    )


def _student_lessons(student, limit=10):
    """The student's next lessons and latest past ones, as the signed-in role may see them."""
    principal, now = current_principal(), utcnow()
    upcoming = db.session.scalars(
        lesson_query(principal, student=student.id, start=now)
        .order_by(Lesson.start_at).limit(limit)).unique().all()
    past = db.session.scalars(
        lesson_query(principal, student=student.id).where(Lesson.start_at < now)
        .order_by(Lesson.start_at.desc()).limit(limit)).unique().all()
    return {"upcoming": upcoming, "past": past}


@people_bp.route("/students/<student_id>/edit", methods=["GET", "POST"])
@login_required
@requires("students.manage")
def edit_student(student_id):
    studio, student = current_studio(), visible_student(student_id)
    form = StudentForm(obj=student)
    _choices(form, studio, student)
    if not form.is_submitted():
        form.family.data = str(student.family_id)
        form.primary_teacher.data = str(student.primary_teacher_id or "")
        form.specialties.data = tags_text(student.specialties)
        form.email.data = student.contact_email
    if form.validate_on_submit():
        fields = _student_fields(form)
        if student.user is not None:
            fields.pop("email")
        try:
            services.update_student(studio, current_user, student, **fields)
        except DomainError as exc:
            form_failed(form, exc, LOGIN_ALIASES)
        else:
            flash(f"{student.full_name} is saved.", "success")
            return redirect(url_for("people.student", student_id=student.id))
    return render_form("people/students/form.html", form, student=student)


@people_bp.route("/students/<student_id>/<any(archive, restore):action>", methods=["POST"])
@login_required
@requires("students.manage")
def set_student_active(student_id, action):
    student = visible_student(student_id)
    if EmptyForm().validate_on_submit():
        verb = services.archive_student if action == "archive" else services.restore_student
        verb(current_studio(), current_user, student)
        note = " Their history is kept; restore them any time." if action == "archive" else ""
        flash(f"{student.full_name} is {action}d.{note}", "success")
    return redirect(url_for("people.student", student_id=student.id))


@people_bp.route("/students/<student_id>/login", methods=["POST"])
@login_required
@requires("students.manage")
def invite_student(student_id):
    student = visible_student(student_id)
    form = StudentLoginForm()
    if not form.validate_on_submit():
        return deny("Enter the email the student signs in with.",
                    url_for("people.student", student_id=student.id))
    try:
        invitation = services.give_login(current_studio(), current_user, student, email=form.login_email.data)
    except DomainError as exc:
        messages = sum(exc.field_errors.values(), []) or [exc.detail]
        return deny(" ".join(messages), url_for("people.student", student_id=student.id))
    if invitation is not None:
        flash(f"Invitation sent to {invitation.email}.", "success")
    else:
        flash(f"{student.full_name} now signs in as {student.user.email}.", "success")
    return redirect(url_for("people.student", student_id=student.id))


@people_bp.route("/me/student")
@login_required
@requires("students.view_own")
def my_student():
    student = services.student_for_user(current_studio(), current_user)
    if student is None:
        return render_template("people/students/no_profile.html")
    return redirect(url_for("people.student", student_id=student.id))
