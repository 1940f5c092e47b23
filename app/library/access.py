"""Loaders shared by the pages and the API: find a resource or loan the caller may see (404
otherwise), and check they may change it (403 otherwise) — before any input is read."""
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.tenancy import get_or_404, parse_uuid
from app.extensions import db
from app.library import policies
from app.library.models import Resource, ResourceCheckout
from app.people.models import Student
from app.people.services import visible_students


def visible_resource(resource_id):
    return get_or_404(Resource, resource_id, stmt=policies.visible_resources())


def editable_resource(resource_id):
    resource = visible_resource(resource_id)
    if not policies.may_edit(resource):
        raise PermissionDenied("Only the teacher who added this resource or an admin can change it.")
    return resource


def shareable_resource(resource_id):
    resource = visible_resource(resource_id)
    if not policies.may_share(resource):
        raise PermissionDenied("Only staff share resources.")
    return resource


def lendable_resource(resource_id):
    resource = visible_resource(resource_id)
    if not policies.is_staff():
        raise PermissionDenied("Only staff lend copies.")
    return resource


def downloadable_resource(resource_id):
    """A visible resource with a file; a link or a physical item has nothing to download."""
    resource = visible_resource(resource_id)
    if resource.file is None:
        raise NotFound("This resource has no file.")
    return resource


def visible_checkout(checkout_id):
    return get_or_404(ResourceCheckout, checkout_id, stmt=policies.visible_checkouts())


def returnable_checkout(checkout_id):
    checkout = visible_checkout(checkout_id)
    if not policies.is_staff():
        raise PermissionDenied("Only staff take lent copies back.")
    return checkout


def students_named(student_ids, field="students"):
    """The students `student_ids` names among those the caller may see; any other id is a
    field error (never a hint that it exists elsewhere)."""
    ids = [parse_uuid(value) for value in student_ids or ()]
    ids = list(dict.fromkeys(ids))
    if None in ids:
        raise ValidationFailed(field_errors={field: ["Choose students of your studio."]})
    found = list(db.session.scalars(visible_students().where(Student.id.in_(ids)))) if ids else []
    if len(found) != len(ids):
        raise ValidationFailed(field_errors={field: ["Choose students of your studio."]})
    return found


def shareable_student_ids():
    query = policies.shareable_students().with_only_columns(Student.id).order_by(None)
    return set(db.session.scalars(query))
