"""`flask seed-demo` shows a living library (SPEC §6)."""
from sqlalchemy import func, select

from app.core.files import StoredFile
from app.demo import seed
from app.extensions import db
from app.library.models import NoteResource, Resource, ResourceCheckout
from app.people.models import Student
from app.teaching.models import LessonNote


def test_demo_library_has_files_links_a_lent_book_and_a_note_with_resources(ctx):
    studio = seed()
    db.session.flush()
    resources = db.session.scalars(select(Resource).where(Resource.studio_id == studio.id)).all()
    kinds = {r.resource_type for r in resources}
    assert {"audio", "pdf", "image", "link", "physical"} <= kinds
    assert all(r.file.size_bytes > 0 for r in resources if r.has_file)
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) >= 5
    book = next(r for r in resources if r.resource_type == "physical")
    assert book.available_copies == book.copies - 1
    sam = db.session.scalar(select(Student).where(Student.studio_id == studio.id,
                                                  Student.first_name == "Sam"))
    loan = db.session.scalar(select(ResourceCheckout).where(ResourceCheckout.resource_id == book.id))
    assert loan.student_id == sam.id and loan.status == "checked_out"
    attached = db.session.scalars(
        select(NoteResource).join(LessonNote, LessonNote.id == NoteResource.note_id)
        .where(LessonNote.student_id == sam.id)).all()
    assert len(attached) == 2
    assert any(r.visibility == "shared" and r.shares for r in resources)
