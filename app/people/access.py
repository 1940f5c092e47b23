"""Loaders shared by the people pages and API: find an object the caller may see (404
otherwise), and check they may change it (403 otherwise), before any input is validated."""
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import PermissionDenied
from app.core.tenancy import get_or_404, scoped
from app.people import policies
from app.people.models import Family, FamilyGuardian, Student, TeacherProfile

# What a page or answer about a student or family shows, read with it.
STUDENT_LOAD = (
    joinedload(Student.family), selectinload(Student.user),
    selectinload(Student.primary_teacher).joinedload(TeacherProfile.user),
)
FAMILY_LOAD = (
    selectinload(Family.guardians).selectinload(FamilyGuardian.user), selectinload(Family.students),
)


def visible_teacher(teacher_id):
    return get_or_404(TeacherProfile, teacher_id, stmt=policies.visible_teachers())


def editable_teacher(teacher_id):
    """A teaching profile the caller may change: their own (managers: any)."""
    teacher = visible_teacher(teacher_id)
    if not policies.may_edit_teacher(teacher):
        raise PermissionDenied("You may only change your own teaching profile.")
    return teacher


def visible_student(student_id):
    return get_or_404(Student, student_id, stmt=policies.visible_students().options(*STUDENT_LOAD))


def visible_family(family_id):
    return get_or_404(Family, family_id, stmt=policies.visible_families().options(*FAMILY_LOAD))


def contact_editable_family(family_id):
    """A family whose contact details the caller may change: their own (managers: any)."""
    family = visible_family(family_id)
    if not policies.may_edit_family_contact(family):
        raise PermissionDenied("You may only change your own family's contact details.")
    return family


def family_guardian(family, guardian_id):
    stmt = scoped(FamilyGuardian).where(FamilyGuardian.family_id == family.id)
    return get_or_404(FamilyGuardian, guardian_id, stmt=stmt)
