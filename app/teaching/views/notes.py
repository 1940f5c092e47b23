"""Lesson notes: the notes list, the inline note form of a lesson, a student's notes tab,
and the lesson panel (notes and attached plans of one lesson)."""
from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.core import htmx
from app.core.errors import DomainError
from app.core.forms import EmptyForm
from app.core.permissions import can, requires
from app.core.tenancy import current_principal, current_studio, parse_uuid
from app.core.views import (
    denied_writes_redirect,
    form_failed,
    form_status,
    html_page,
    render,
    safe_next,
    uuid_arg,
)
from app.extensions import db
from app.library import services as library
from app.people.models import Student, TeacherProfile
from app.people.services import is_staff
from app.scheduling.models import Lesson
from app.scheduling.services import visible_lesson
from app.teaching import access, policies, services
from app.teaching.forms import AttachPlanForm, NoteForm
from app.teaching.models import LessonNote, LessonPlan
from app.teaching.views import teaching_bp
from app.teaching.views.common import reads_records


def _ordered(stmt):
    return stmt.join(Lesson, Lesson.id == LessonNote.lesson_id).order_by(
        Lesson.start_at.desc(), LessonNote.created_at.desc())


def _chosen_student(student_id):
    """The student a `?student=<id>` link filters by, when the caller may see them."""
    if student_id is None:
        return None
    return db.session.scalar(policies.record_students().where(Student.id == student_id))


@teaching_bp.route("/notes")
@login_required
@requires("notes.view")
def notes():
    """Every note the caller may read, the latest lesson first. Staff search by student name (or follow a
    link to one student's notes) and filter by teacher; families choose among their children."""
    staff = is_staff()
    filters = {"student": uuid_arg("student"), "teacher": uuid_arg("teacher") if staff else None,
               "student_q": " ".join(request.args.get("student_q", "").split())[:100] if staff else ""}
    stmt = services.filter_notes(policies.visible_notes(), student=filters["student"],
                                 teacher=filters["teacher"], student_name=filters["student_q"],
                                 studio=current_studio())
    children = [] if staff else db.session.scalars(
        policies.record_students().where(Student.is_active.is_(True))
        .order_by(Student.first_name, Student.last_name)).all()
    teachers = db.session.scalars(
        select(TeacherProfile).where(TeacherProfile.studio_id == current_studio().id,
                                     TeacherProfile.is_active.is_(True))).all() if staff else []
    return render("teaching/notes/index.html", "teaching/notes/_results.html",
                  page=html_page(_ordered(stmt)), filters=filters, students=children,
                  staff=staff, chosen=_chosen_student(filters["student"]) if staff else None,
                  action_form=EmptyForm(), teachers=sorted(teachers, key=lambda t: t.full_name.lower()))


def _note_form_context(lesson, form, note=None):
    return {"lesson": lesson, "form": form, "note": note, "next": safe_next("")}


def _student_choices(form, lesson, note=None):
    if note is not None:
        form.student.choices = [(str(note.student_id), note.student.full_name)]
        return
    missing = services.lessons_needing_notes(current_principal(), [lesson])[lesson.id]
    form.student.choices = [(str(s.id), s.full_name) for s in missing]


@teaching_bp.route("/lessons/<lesson_id>/note", methods=["GET", "POST"])
@login_required
@requires("notes.write")
@denied_writes_redirect
def new_note(lesson_id):
    """The note form of a lesson (inline in the lesson panel and the teacher's agenda)."""
    lesson = access.lesson_for_notes(lesson_id)
    form = NoteForm()
    _student_choices(form, lesson)
    form.resources.choices = library.resource_choices()
    if request.method == "GET":
        chosen = request.args.get("student")
        if chosen in dict(form.student.choices):
            form.student.data = chosen
        elif not form.student.choices:
            flash("Every student of this lesson already has a note.", "info")
            return redirect(url_for("teaching.lesson_panel", lesson_id=lesson.id))
    if form.validate_on_submit():
        try:
            note = services.create_note(current_studio(), current_user, lesson,
                                        student=parse_uuid(form.student.data), **form.service_fields())
            library.attach_to_note(current_studio(), current_user, note,
                                   [parse_uuid(value) for value in form.resources.data or []])
        except DomainError as exc:
            form_failed(form, exc)
        else:
            return _saved(note, f"Note for {note.student.full_name} saved.")
    return render("teaching/notes/form.html", "teaching/notes/_form.html", status=form_status(form),
                  **_note_form_context(lesson, form))


def _saved(note, message):
    if htmx.is_htmx():
        response = render("teaching/notes/_note.html", note=note, saved_message=message,
                          action_form=EmptyForm())
        return htmx.hx_trigger(response, "notes-changed")
    flash(message, "success")
    return redirect(safe_next(url_for("teaching.notes", student=note.student_id)))


@teaching_bp.route("/notes/<note_id>/edit", methods=["GET", "POST"])
@login_required
@requires("notes.write")
@denied_writes_redirect
def edit_note(note_id):
    note = access.editable_note(note_id)
    form = NoteForm()
    _student_choices(form, note.lesson, note)
    form.resources.choices = library.resource_choices()
    if request.method == "GET":
        form.fill_from(note)
        form.resources.data = [str(r.id) for r in library.attached_to_note(note)]
        form.student.data = str(note.student_id)
    if form.validate_on_submit():
        try:
            services.update_note(current_studio(), current_user, note, **form.service_fields())
            library.attach_to_note(current_studio(), current_user, note,
                                   [parse_uuid(value) for value in form.resources.data or []])
        except DomainError as exc:
            form_failed(form, exc)
        else:
            return _saved(note, f"Note for {note.student.full_name} updated.")
    return render("teaching/notes/form.html", "teaching/notes/_form.html", status=form_status(form),
                  **_note_form_context(note.lesson, form, note))


@teaching_bp.route("/notes/<note_id>/delete", methods=["POST"])
@login_required
@requires("notes.write")
@denied_writes_redirect
def delete_note(note_id):
    note = access.editable_note(note_id)
    if EmptyForm().validate_on_submit():
        student_id = note.student_id
        services.delete_note(current_studio(), current_user, note)
        flash("The note is deleted.", "success")
        return redirect(safe_next(url_for("teaching.notes", student=student_id)))
    flash("The form expired; try again.", "error")
    return redirect(url_for("teaching.notes"))


@teaching_bp.route("/students/<student_id>/notes")
@login_required
@requires("notes.view")
def student_notes(student_id):
    """A student's notes (the Notes tab of the student page)."""
    student = access.visible_student(student_id)
    stmt = _ordered(services.filter_notes(policies.visible_notes(), student=student.id))
    return render("teaching/students/notes.html", "teaching/students/_notes.html",
                  student=student, page=html_page(stmt), action_form=EmptyForm(),
                  reads=reads_records(student))


# ---------------------------------------------------------------- the lesson panel

@teaching_bp.route("/lessons/<lesson_id>/teaching")
@login_required
@requires("notes.view")
def lesson_panel(lesson_id):
    """Notes and plans of one lesson, for the scheduling lesson panel (htmx) or as a page."""
    return render_panel(visible_lesson(lesson_id))


def render_panel(lesson):
    notes = db.session.scalars(policies.visible_notes().where(LessonNote.lesson_id == lesson.id)
                               .order_by(LessonNote.created_at)).unique().all()
    writable = policies.may_write_note(lesson) and lesson.status != "cancelled"
    missing = services.lessons_needing_notes(current_principal(), [lesson])[lesson.id] if writable else []
    plans, attach_form = [], None
    if can("lesson_plans.view"):
        plans = services.plans_of_lesson(lesson, policies.visible_plans())
        if writable:
            attach_form = AttachPlanForm()
            attached = {p.id for p in plans}
            attach_form.plan.choices = [
                (str(p.id), p.title) for p in db.session.scalars(
                    policies.visible_plans().order_by(func.lower(LessonPlan.title))).all()
                if p.id not in attached]
    return render("teaching/lessons/panel.html", "teaching/lessons/_panel.html", lesson=lesson,
                  notes=notes, missing=missing, writable=writable, plans=plans,
                  attach_form=attach_form, action_form=EmptyForm())
