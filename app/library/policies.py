"""Who sees and changes which resources, for the pages, the API and other domains.

- Staff (owner, admin, teacher) see every resource of the studio: the library is shared.
- Managers change and delete any resource. A teacher changes and deletes the resources they
  uploaded, and shares any resource with the students they teach (a share never reaches a
  student they do not teach; shares other staff made stay as they are).
- A student sees studio-wide resources and those shared with them; a parent those studio-wide
  and those shared with any of their children. Private resources are staff only.
- Physical copies are lent and taken back by staff; a family sees its own loans.

Anything a caller may not see answers 404 (by id, or by guessing a download URL); a visible
resource they may not change answers 403.
"""
from sqlalchemy import false, or_, select

from app.core.permissions import FAMILY, MANAGERS, STAFF, TEACHER
from app.core.tenancy import current_principal, scoped
from app.library.models import Resource, ResourceCheckout, ResourceShare
from app.people.models import Student
from app.people.services import taught_student_ids
from app.scheduling.services import family_student_ids


def _principal(principal=None):
    return principal or current_principal()


def is_staff(principal=None):
    return _principal(principal).role in STAFF


def _visible(model, principal, family_rule):
    """SELECT of `model` in the caller's studio: staff all of it, families what
    `family_rule(principal)` lets through, anyone else nothing."""
    principal = _principal(principal)
    stmt = scoped(model, principal.studio)
    if principal.role in STAFF:
        return stmt
    if principal.role in FAMILY:
        return stmt.where(family_rule(principal))
    return stmt.where(false())


def _shared_with_family(principal):
    shared = select(ResourceShare.resource_id).where(
        ResourceShare.studio_id == principal.studio.id,
        ResourceShare.student_id.in_(family_student_ids(principal)))
    return or_(Resource.visibility == "studio",
               (Resource.visibility == "shared") & Resource.id.in_(shared))


def visible_resources(principal=None):
    """SELECT of the resources the caller may see."""
    return _visible(Resource, principal, _shared_with_family)


def visible_checkouts(principal=None):
    """SELECT of the loans the caller may see: staff all, families their own children's."""
    return _visible(ResourceCheckout, principal,
                    lambda principal: ResourceCheckout.student_id.in_(
                        family_student_ids(principal)))


def shareable_students(principal=None):
    """SELECT of the students the caller may share resources with: managers any student of
    the studio, a teacher the students they teach."""
    principal = _principal(principal)
    stmt = scoped(Student, principal.studio).where(Student.is_active.is_(True))
    if principal.role in MANAGERS:
        return stmt
    if principal.role == TEACHER:
        return stmt.where(Student.id.in_(taught_student_ids(principal)))
    return stmt.where(false())


def may_edit(resource, principal=None):
    """Managers change any resource; a teacher the ones they uploaded."""
    principal = _principal(principal)
    if principal.role in MANAGERS:
        return True
    return principal.role == TEACHER and resource.created_by_id == principal.user.id


def may_share(resource, principal=None):
    """Every staff member may share a resource with their own students."""
    return _principal(principal).role in STAFF


def may_lend(resource, principal=None):
    return _principal(principal).role in STAFF and resource.resource_type == "physical"


def may_see_shares(principal=None):
    """Who a resource is shared with is for staff only."""
    return is_staff(principal)
