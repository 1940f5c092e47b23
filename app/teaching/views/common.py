"""What the teaching pages share beyond app/core/views.py."""
from app.extensions import db
from app.people.models import Student
from app.teaching import policies


def reads_records(student):
    """May the caller read this student's notes, goals and practice (own students only)?"""
    return db.session.scalar(policies.record_students().where(Student.id == student.id)) is not None
