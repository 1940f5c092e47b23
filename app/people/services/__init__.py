"""People services: the verbs the HTML views and the API share (they flush, never commit).

This package is what the other domains may use of people (with its models): the verbs, and
the rules of whose records a caller sees, which their own rules build on.
"""
from app.people.access import visible_teacher
from app.people.policies import (
    guardian_family_ids,
    is_manager,
    is_staff,
    own_teacher_profile,
    taught_student_ids,
    visible_families,
    visible_students,
)
from app.people.services.csv_export import export_families, export_students
from app.people.services.csv_import import commit_import, preview_import, recent_imports
from app.people.services.csv_plan import plan_import
from app.people.services.families import (
    CONTACT_FIELDS,
    FAMILY_FIELDS,
    FAMILY_ORDERING,
    add_guardian,
    balances,
    create_family,
    delete_family,
    families_of,
    family_balance,
    family_choices,
    filter_families,
    invite_guardian,
    invite_parent,
    invited_guardian_emails,
    make_primary_contact,
    remove_guardian,
    update_family,
)
from app.people.services.students import (
    STUDENT_FIELDS,
    STUDENT_ORDERING,
    archive_student,
    create_student,
    filter_students,
    give_login,
    pending_login_invitation,
    restore_student,
    student_for_user,
    student_instruments,
    students_of_teacher,
    update_student,
)
from app.people.services.teachers import (
    OWN_PROFILE_FIELDS,
    TEACHER_FIELDS,
    TEACHER_ORDERING,
    add_teacher,
    archive_teacher,
    create_teacher_profile,
    filter_teachers,
    find_teacher_for_user,
    replace_availability,
    restore_teacher,
    set_teaching,
    teacher_choices,
    teacher_specialties,
    teaches,
    update_teacher,
)

__all__ = [
    "CONTACT_FIELDS", "FAMILY_FIELDS", "FAMILY_ORDERING", "OWN_PROFILE_FIELDS", "STUDENT_FIELDS",
    "STUDENT_ORDERING", "TEACHER_FIELDS", "TEACHER_ORDERING", "add_guardian", "add_teacher",
    "archive_student", "archive_teacher", "balances", "commit_import", "create_family",
    "create_student", "create_teacher_profile", "delete_family", "export_families",
    "export_students", "families_of", "family_balance", "family_choices", "filter_families",
    "filter_students", "filter_teachers", "find_teacher_for_user", "give_login",
    "guardian_family_ids", "invite_guardian", "invite_parent", "is_manager", "is_staff",
    "make_primary_contact", "own_teacher_profile", "taught_student_ids",
    "invited_guardian_emails", "pending_login_invitation", "plan_import", "preview_import",
    "recent_imports", "remove_guardian", "replace_availability",
    "restore_student", "restore_teacher", "set_teaching", "student_for_user", "student_instruments",
    "students_of_teacher", "teacher_choices", "teacher_specialties", "teaches", "update_family",
    "update_student", "update_teacher", "visible_families", "visible_students", "visible_teacher",
]
