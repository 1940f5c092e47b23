"""Students: create (with or without a login), update, archive and restore, lists."""
from sqlalchemy import func, select

from app.accounts.models import Invitation, Membership
from app.accounts.services import (
    create_user,
    find_user_by_email,
    invite_member,
    validate_email,
    validate_password,
)
from app.core import audit, validation
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.core.permissions import STUDENT
from app.core.search import matches
from app.extensions import db
from app.people.models import USUAL_LESSON_TYPES, Family, Student, TeacherProfile
from app.people.services.common import (
    apply_changes,
    birth_date,
    optional_rate,
    reject_unknown,
    resolve_reference,
    tags,
)
from app.people.services.families import create_family
from app.people.services.webhook_data import announce_student

STUDENT_FIELDS = (
    "first_name", "last_name", "email", "phone", "instrument", "specialties", "date_of_birth",
    "emergency_contact_name", "emergency_contact_phone", "family", "primary_teacher",
    "default_lesson_minutes", "default_lesson_rate", "default_lesson_type", "notes",
)
RATE_FIELDS = ("default_lesson_rate",)


def _role_of(studio, user):
    membership = user.membership_in(studio.id) if user is not None else None
    return membership.role if membership is not None and membership.is_active else None


def _check_minutes(changes, errors):
    if "default_lesson_minutes" not in changes:
        return
    minutes = changes["default_lesson_minutes"]
    if minutes is None:
        changes.pop("default_lesson_minutes")
    elif isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 480:
        errors.add("default_lesson_minutes", "Enter a lesson length from 5 to 480 minutes.")


def _check_email_free(studio, changes, errors, student):
    email = changes.get("email")
    if not email or "email" in errors.fields:
        return
    stmt = select(Student.id).where(Student.studio_id == studio.id, Student.email == email)
    if student is not None:
        stmt = stmt.where(Student.id != student.id)
    if db.session.scalar(stmt) is not None:
        errors.add("email", "Another student in this studio has this email.")


def _check_teacher(changes, errors, student):
    teacher = changes.get("primary_teacher")
    current = student.primary_teacher_id if student is not None else None
    if teacher is not None and not teacher.is_active and teacher.id != current:
        errors.add("primary_teacher", "This teacher is archived; choose an active teacher.")


def _validate_student(studio, changes, student=None):
    errors = validation.FieldErrors()
    errors.clean(changes, "first_name", validation.text, max_length=80, required=True,
                 missing="Enter the student's first name.")
    errors.clean(changes, "last_name", validation.text, max_length=80)
    errors.clean(changes, "phone", validation.text, max_length=40)
    errors.clean(changes, "emergency_contact_name", validation.text, max_length=120)
    errors.clean(changes, "emergency_contact_phone", validation.text, max_length=40)
    errors.clean(changes, "notes", validation.text, max_length=10000)
    errors.clean(changes, "instrument", validation.text, max_length=60)
    if "instrument" in changes and "instrument" not in errors.fields:
        changes["instrument"] = " ".join(changes["instrument"].split())
    errors.clean(changes, "email", validation.email)
    errors.clean(changes, "specialties", tags)
    errors.clean(changes, "date_of_birth", birth_date)
    _check_minutes(changes, errors)
    errors.clean(changes, "default_lesson_rate", optional_rate)
    errors.clean(changes, "default_lesson_type", validation.choice, choices=USUAL_LESSON_TYPES)
    resolve_reference(changes, errors, "family", Family, studio, label="family",
                      required=student is not None)
    resolve_reference(changes, errors, "primary_teacher", TeacherProfile, studio, label="teacher")
    _check_teacher(changes, errors, student)
    _check_email_free(studio, changes, errors, student)
    errors.raise_if_any()


def create_student(studio, actor, *, login=None, new_family_name=None, **fields):
    """A new student; returns (student, invitation or None). Without `family`, a family
    named after the student (or `new_family_name`) is created.

    `login` ({"email", "password"?}) gives the student their own sign-in: with a password
    the login is created now; without one the student is invited by email and linked when
    they accept. Errors about the login are reported as `user.email` / `user.password`.
    """
    reject_unknown(fields, STUDENT_FIELDS)
    if login:
        fields["email"] = login.get("email")
        _check_login(studio, login)
    _validate_student(studio, fields)
    family = fields.pop("family", None)
    if family is None:
        family = create_family(
            studio, actor, name=(new_family_name or "").strip() or _family_name_for(fields),
            billing_email=fields.get("email") or "", phone=fields.get("phone", ""),
        )
    student = Student(studio_id=studio.id, family=family, **fields)
    db.session.add(student)
    db.session.flush()
    invitation = give_login(studio, actor, student, **login) if login else None
    audit.record(studio, actor, "student.created", student, name=student.full_name)
    announce_student(studio, "student.created", student)
    return student, invitation


def _family_name_for(fields):
    return f"{fields.get('last_name') or fields['first_name']} Family"


def _check_login(studio, login):
    """Refuse a login request before anything is created."""
    email = validate_email(login.get("email"), field="user.email")
    if login.get("password"):
        validate_password(login["password"], email, field="user.password")
    user = find_user_by_email(email)
    role = _role_of(studio, user)
    if user is not None and login.get("password"):
        raise ValidationFailed(field_errors={"user.email": [
            "An account with this email already exists. Leave the password empty to invite them."
        ]})
    if role is not None and role != STUDENT:
        message = f"This email belongs to a {role} of the studio."
        raise ValidationFailed(field_errors={"user.email": [message]})
    if role == STUDENT and db.session.scalar(select(Student.id).where(
            Student.studio_id == studio.id, Student.user_id == user.id)):
        message = "This login already belongs to another student."
        raise ValidationFailed(field_errors={"user.email": [message]})


def give_login(studio, actor, student, *, email, password=None):
    """Let a student sign in: create their login (with `password`), link the existing
    student member with this email, or invite them. Returns the invitation, if one was sent."""
    email = validate_email(email, field="user.email")
    if student.user_id is not None:
        raise ValidationFailed(field_errors={"user.email": ["This student already signs in."]})
    _check_login(studio, {"email": email, "password": password})
    if student.email != email:
        _validate_student(studio, {"email": email}, student)
        student.email = email
    user = find_user_by_email(email)
    if user is not None and _role_of(studio, user) == STUDENT:
        student.user = user
        db.session.flush()
        return None
    if user is None and password:
        try:
            user = create_user(email, password, first_name=student.first_name, last_name=student.last_name)
        except ValidationFailed as exc:
            raise ValidationFailed(field_errors={
                f"user.{name}": messages for name, messages in exc.field_errors.items()})
        student.user = user
        db.session.flush()
        db.session.add(Membership(studio_id=studio.id, user_id=user.id, role=STUDENT))
        db.session.flush()
        audit.record(studio, actor, "student.login_created", student, email=email)
        return None
    db.session.flush()
    invitation, _link = invite_member(studio, actor, email, STUDENT, first_name=student.first_name)
    return invitation


def update_student(studio, actor, student, **changes):
    """Change a student's profile (managers). `is_active` archives or restores."""
    reject_unknown(changes, (*STUDENT_FIELDS, "is_active"))
    is_active = changes.pop("is_active", None)
    if "email" in changes and student.user is not None:
        if (changes["email"] or "").strip().lower() != student.user.email:
            raise ValidationFailed(field_errors={"email": [
                f"This student signs in as {student.user.email}; they change it in their profile."
            ]})
    _validate_student(studio, changes, student)
    old_rate = student.default_lesson_rate
    changed = apply_changes(student, changes)
    if "default_lesson_rate" in changed:
        new_rate = student.default_lesson_rate
        audit.record(studio, actor, "student.rate_changed", student,
                     old=str(old_rate) if old_rate is not None else None,
                     new=str(new_rate) if new_rate is not None else None)
    if is_active is True:
        restore_student(studio, actor, student)
    elif is_active is False:
        archive_student(studio, actor, student)
    db.session.flush()
    return student


def archive_student(studio, actor, student):
    """Archive: the student leaves the active lists; nothing is deleted."""
    if student.is_active:
        student.is_active = False
        student.archived_at = utcnow()
        audit.record(studio, actor, "student.archived", student, name=student.full_name)
        db.session.flush()
    return student


def restore_student(studio, actor, student):
    if not student.is_active:
        student.is_active = True
        student.archived_at = None
        audit.record(studio, actor, "student.restored", student, name=student.full_name)
        db.session.flush()
    return student


# ------------------------------------------------------------------ lists

STUDENT_ORDERING = {
    "first_name": func.lower(Student.first_name),
    "last_name": func.lower(Student.last_name),
    "name": func.lower(Student.last_name + " " + Student.first_name),
    "instrument": Student.instrument,
    "date_of_birth": Student.date_of_birth,
    "created_at": Student.created_at,
    "family": func.lower(Family.name),
}


def filter_students(stmt, *, search=None, family=None, teacher=None, is_active=None, instrument=None):
    """Apply the student list filters to a SELECT of Student (joined to its family)."""
    stmt = stmt.join(Family, Family.id == Student.family_id)
    if search:
        stmt = stmt.where(matches(search, Student.search_text, Family.search_text))
    if family is not None:
        stmt = stmt.where(Student.family_id == family)
    if teacher is not None:
        stmt = stmt.where(Student.primary_teacher_id == teacher)
    if is_active is not None:
        stmt = stmt.where(Student.is_active.is_(is_active))
    if instrument:
        stmt = stmt.where(func.lower(Student.instrument) == " ".join(instrument.split()).lower())
    return stmt


def student_instruments(studio):
    """The instruments the studio's students play, for filters: one entry per instrument
    whatever the case it was typed in."""
    folded = func.lower(Student.instrument)
    return db.session.scalars(
        select(func.min(Student.instrument))
        .where(Student.studio_id == studio.id, Student.instrument != "")
        .group_by(folded).order_by(folded)
    ).all()


def pending_login_invitation(studio, student):
    """The live invitation to sign in that a student without a login is waiting on, if any."""
    if student.user_id is not None or not student.email:
        return None
    return db.session.scalar(select(Invitation).where(
        Invitation.studio_id == studio.id, Invitation.email == student.email, Invitation.role == STUDENT,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow(),
    ).order_by(Invitation.created_at.desc()).limit(1))


def student_for_user(studio, user):
    return db.session.scalar(select(Student).where(
        Student.studio_id == studio.id, Student.user_id == user.id))


def students_of_teacher(studio, teacher):
    return db.session.scalars(select(Student).where(
        Student.studio_id == studio.id, Student.primary_teacher_id == teacher.id,
        Student.is_active.is_(True)).order_by(func.lower(Student.first_name))).all()

