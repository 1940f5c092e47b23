"""Who may write to whom, and who reads which thread: the one rule, for the pages, the API
and the services.

- Staff (owner, admin, teacher) write to anyone in the studio.
- A parent writes to the office (the studio's owner and admins), to their children's
  teachers (a child's primary teacher, and the teacher of any lesson the child is in), and
  to the members of their own family (its other guardians, their children who sign in);
  never to another family, nor to a teacher who teaches none of their children.
- A student writes to the office and to their teachers.
- Only active members of the studio are written to, and nobody writes to themself.

A thread is read by its participants only: anyone else, an admin included, gets 404 by id.
Replying in a thread is open to every participant: who is in it was decided, under this
rule, by whoever started it.
"""
from sqlalchemy import false, or_, select

from app.accounts.models import Membership, User
from app.core.permissions import FAMILY, MANAGERS, PARENT, STAFF, STUDENT
from app.core.tenancy import current_principal, scoped
from app.extensions import db
from app.messaging.models import Thread, ThreadParticipant
from app.people.models import FamilyGuardian, Student, TeacherProfile
from app.people.services import guardian_family_ids
from app.scheduling.models import Lesson, LessonAttendee
from app.scheduling.services import family_student_ids


def _principal(principal=None):
    return principal or current_principal()


def _members(studio):
    """SELECT of the ids of the studio's active members with an active account."""
    return (select(Membership.user_id).join(User, User.id == Membership.user_id)
            .where(Membership.studio_id == studio.id, Membership.is_active.is_(True),
                   User.is_active.is_(True)))


def _office(studio):
    return _members(studio).where(Membership.role.in_(MANAGERS))


def _children_teachers(principal):
    """SELECT of the user ids of the teachers of the students a family member acts for."""
    studio_id = principal.studio.id
    children = family_student_ids(principal)
    primary = (select(TeacherProfile.user_id)
               .join(Student, Student.primary_teacher_id == TeacherProfile.id)
               .where(Student.studio_id == studio_id, Student.id.in_(children)))
    in_lessons = (select(TeacherProfile.user_id)
                  .join(Lesson, Lesson.teacher_id == TeacherProfile.id)
                  .join(LessonAttendee, LessonAttendee.lesson_id == Lesson.id)
                  .where(Lesson.studio_id == studio_id, LessonAttendee.studio_id == studio_id,
                         LessonAttendee.student_id.in_(children)))
    return primary.union(in_lessons)


def _own_family(principal):
    """SELECT of the user ids of a parent's own family: its guardians and its students."""
    families = guardian_family_ids(principal)
    guardians = select(FamilyGuardian.user_id).where(
        FamilyGuardian.studio_id == principal.studio.id, FamilyGuardian.family_id.in_(families),
        FamilyGuardian.user_id.is_not(None))
    students = select(Student.user_id).where(
        Student.studio_id == principal.studio.id, Student.family_id.in_(families),
        Student.user_id.is_not(None))
    return guardians.union(students)


def contactable_user_ids(principal=None):
    """SELECT of the ids of the users the caller may write to (never themself)."""
    principal = _principal(principal)
    studio = principal.studio
    stmt = _members(studio).where(Membership.user_id != principal.user.id)
    if principal.role in STAFF:
        return stmt
    if principal.role == PARENT:
        return stmt.where(or_(Membership.role.in_(MANAGERS),
                              Membership.user_id.in_(_children_teachers(principal)),
                              Membership.user_id.in_(_own_family(principal))))
    if principal.role == STUDENT:
        return stmt.where(or_(Membership.role.in_(MANAGERS),
                              Membership.user_id.in_(_children_teachers(principal))))
    return stmt.where(false())


def contactable_users(principal=None):
    """SELECT of the users the caller may write to, by name: the recipient picker."""
    return (select(User).where(User.id.in_(contactable_user_ids(principal)))
            .order_by(User.first_name, User.last_name, User.email, User.id))


def may_write_to(principal, users):
    """May the caller start a thread with every one of `users` (User objects or ids)?"""
    wanted = {getattr(user, "id", user) for user in users}
    if not wanted:
        return True
    allowed = set(db.session.scalars(
        contactable_user_ids(principal).where(Membership.user_id.in_(list(wanted)))))
    return wanted <= allowed


def is_family(principal=None):
    return _principal(principal).role in FAMILY


def participant_thread_ids(principal=None):
    """SELECT of the ids of the threads the caller takes part in."""
    principal = _principal(principal)
    return select(ThreadParticipant.thread_id).where(
        ThreadParticipant.studio_id == principal.studio.id,
        ThreadParticipant.user_id == principal.user.id)


def visible_threads(principal=None):
    """SELECT of the threads the caller may read: those they take part in, whatever their
    role."""
    principal = _principal(principal)
    return scoped(Thread, principal.studio).where(Thread.id.in_(participant_thread_ids(principal)))


def contacts(principal=None):
    """[(user, role)] the caller may write to, by name (the API's contacts, the picker)."""
    principal = _principal(principal)
    return db.session.execute(
        select(User, Membership.role).join(Membership, Membership.user_id == User.id)
        .where(Membership.studio_id == principal.studio.id,
               User.id.in_(contactable_user_ids(principal)))
        .order_by(User.first_name, User.last_name, User.email, User.id)).all()
