"""Lesson notes: written by the lesson's teacher (or a manager) for each student of a lesson."""
from sqlalchemy import select

from app.core import validation
from app.core.errors import Conflict, ValidationFailed
from app.core.search import matches
from app.extensions import db
from app.people.models import Student
from app.scheduling.models import Lesson
from app.teaching.models import MAX_PRACTICE_MINUTES, LessonNote
from app.teaching.services import bell
from app.teaching.services.common import MAX_ITEM_LENGTH, MAX_LIST_ITEMS

LIST_FIELDS = ("topics_covered", "assignments", "strengths", "challenges")
FLAG_FIELDS = ("visible_to_student", "visible_to_parent")
MAX_SUMMARY = 10_000
MAX_TARGET = MAX_PRACTICE_MINUTES * 7


def _note_student(lesson, student_id):
    """The attending student the note is about; a private lesson's only student by default."""
    attendees = {a.student_id: a.student for a in lesson.attendees}
    if student_id is None:
        if len(attendees) == 1:
            return next(iter(attendees.values()))
        raise ValidationFailed(field_errors={"student": ["Choose the student this note is about."]})
    if student_id not in attendees:
        raise ValidationFailed(field_errors={"student": ["This student is not in the lesson."]})
    return attendees[student_id]


def _clean(fields):
    cleaned = {}
    if "summary" in fields:
        cleaned["summary"] = validation.field("summary", validation.text, fields["summary"],
                                              max_length=MAX_SUMMARY, required=True,
                                              missing="A summary is required.")
    for name in LIST_FIELDS:
        if name in fields:
            cleaned[name] = validation.field(name, validation.text_list, fields[name],
                                             max_items=MAX_LIST_ITEMS, max_length=MAX_ITEM_LENGTH)
    for name in FLAG_FIELDS:
        if name in fields:
            cleaned[name] = bool(fields[name])
    target = fields.get("practice_target_minutes")
    if target is not None:
        target = validation.field("practice_target_minutes", validation.whole_number, target,
                                  minimum=1, maximum=MAX_TARGET)
    if "practice_target_minutes" in fields:
        cleaned["practice_target_minutes"] = target
    return cleaned


def existing_note(lesson, student_id):
    return db.session.scalar(select(LessonNote).where(
        LessonNote.studio_id == lesson.studio_id, LessonNote.lesson_id == lesson.id,
        LessonNote.student_id == student_id))


def create_note(studio, actor, lesson, *, student=None, **fields):
    """Write the note of `lesson` for one student. One note per lesson and student: a second
    one is a 409 that names the first (edit it instead)."""
    if lesson.status == "cancelled":
        raise Conflict("This lesson was cancelled; there is nothing to write a note about.")
    fields.setdefault("summary", "")
    cleaned = _clean(fields)
    note_student = _note_student(lesson, student)
    found = existing_note(lesson, note_student.id)
    if found is not None:
        raise Conflict(f"This lesson already has a note for {note_student.full_name}; edit it instead.",
                       extra={"note_id": str(found.id)})
    note = LessonNote(studio_id=studio.id, lesson=lesson, lesson_id=lesson.id, student=note_student,
                      student_id=note_student.id, author_id=getattr(actor, "id", None), **cleaned)
    db.session.add(note)
    db.session.flush()
    bell.note_shared(studio, actor, note)
    return note


def update_note(studio, actor, note, **fields):
    """Change the text, lists, practice target or who sees the note."""
    was_visible = (note.visible_to_student, note.visible_to_parent)
    for name, value in _clean(fields).items():
        setattr(note, name, value)
    db.session.flush()
    bell.note_shared(studio, actor, note, was_visible=was_visible)
    return note


def delete_note(studio, actor, note):
    db.session.delete(note)
    db.session.flush()


def filter_notes(stmt, *, lesson=None, student=None, teacher=None, student_name=None, studio=None):
    """Narrow a SELECT of notes; `student_name` (with the `studio`) matches any part of the
    student's full name."""
    if lesson is not None:
        stmt = stmt.where(LessonNote.lesson_id == lesson)
    if student is not None:
        stmt = stmt.where(LessonNote.student_id == student)
    if teacher is not None:
        stmt = stmt.where(LessonNote.lesson_id.in_(select(Lesson.id).where(Lesson.teacher_id == teacher)))
    if student_name:
        stmt = stmt.where(LessonNote.student_id.in_(_students_named(studio, student_name)))
    return stmt


def _students_named(studio, name):
    return select(Student.id).where(Student.studio_id == studio.id, matches(name, Student.search_text))


def lessons_needing_notes(principal, lessons):
    """{lesson id: [students without a note]} for the given lessons (one query)."""
    ids = [lesson.id for lesson in lessons]
    if not ids:
        return {}
    written = set(db.session.execute(select(LessonNote.lesson_id, LessonNote.student_id).where(
        LessonNote.studio_id == principal.studio.id, LessonNote.lesson_id.in_(ids))).all())
    return {
        lesson.id: [a.student for a in lesson.attendees if (lesson.id, a.student_id) not in written]
        for lesson in lessons
    }

