"""What the bell tells families about lesson notes: a note made visible to a student or to
their parents is announced to them once (a note hidden and shown again is not news twice)."""
from app.core.formatting import date_filter, time_filter
from app.messaging.services import family_user_ids, link_to, notify


def note_shared(studio, actor, note, *, was_visible=(False, False)):
    """Tell whoever `note` is newly visible to: the student's login (`visible_to_student`),
    the family's guardians (`visible_to_parent`). `was_visible` is (student, parent) before."""
    student = note.student
    users = set()
    if note.visible_to_student and not was_visible[0] and student.user_id:
        users.add(student.user_id)
    if note.visible_to_parent and not was_visible[1]:
        users |= set(family_user_ids(studio, family_ids=[student.family_id]))
    users.discard(getattr(actor, "id", None))
    if not users:
        return []
    lesson = note.lesson
    teacher = lesson.teacher.full_name if lesson.teacher else "The teacher"
    start = lesson.start_at
    when = f"{date_filter(start, 'medium', studio)}, {time_filter(start, 'short', studio)}"
    return notify(studio, sorted(users, key=str), "note_shared",
                  f"Lesson note for {student.full_name}",
                  f"{teacher} wrote about the lesson of {when}.",
                  link_to("scheduling.lesson", lesson_id=lesson.id),
                  dedupe_key=f"note-shared:{note.id}")
