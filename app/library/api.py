"""JSON API: /api/v1/resources, /api/v1/resource-checkouts.

Visibility is the pages' (app/library/policies.py): staff see the whole library; a student
sees studio-wide resources and those shared with them, a parent those and the ones shared with
any of their children. Anything else answers 404, by id or by download URL. A visible resource
the caller may not change answers 403, before the body is read.

Sharing: `POST /resources/{id}/share` with `{"students": [...]}` sets who of *your* students
see it (those you leave out are unshared, `[]` unshares all of them); shares others made with
students you do not teach stay. Sharing a private resource makes it `shared`; removing its
last share makes it private again.
"""
from flask import g, request
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import files
from app.core.api import Blueprint, loads, refused_when
from app.core.errors import PermissionDenied
from app.core.pagination import apply_created_range, apply_ordering, paginate
from app.core.permissions import requires
from app.core.search import matches
from app.core.tenancy import api_login_required, current_studio
from app.library import access, policies, services
from app.library.models import Resource, ResourceCheckout, ResourceShare
from app.library.schemas import (
    ResourceCheckoutCreateSchema,
    ResourceCheckoutListQuerySchema,
    ResourceCheckoutPageSchema,
    ResourceCheckoutSchema,
    ResourceFieldsSchema,
    ResourceFormSchema,
    ResourceListQuerySchema,
    ResourcePageSchema,
    ResourceSchema,
    ShareSchema,
)

NOT_FOUND = {"description": "Not in your studio, or not visible to you."}
FORBIDDEN = {"description": "Your role may not do this, or the resource is not yours to change."}
TOO_LARGE = {"description": "The file is over the size limit or the studio's storage quota."}
MULTIPART = "multipart/form-data"
FIELD_RULES = ("`title` is blank; `tags` hold too many or too long tags; `url` is not an "
               "http(s) address or belongs to no link; `copies` belongs to no physical item or "
               "is below the copies lent out.")

resources_blp = Blueprint("Resources", __name__, url_prefix="/api/v1/resources",
                          description="The studio's library: files, links and physical items.")
checkouts_blp = Blueprint("Resource checkouts", __name__, url_prefix="/api/v1/resource-checkouts",
                          description="Copies of physical resources lent to students.")
for _blp in (resources_blp, checkouts_blp):
    _blp.before_request(api_login_required)
blueprints = (resources_blp, checkouts_blp)

RESOURCE_ORDERING = {"title": Resource.title, "created_at": Resource.created_at,
                     "updated_at": Resource.updated_at}
CHECKOUT_ORDERING = {"checked_out_at": ResourceCheckout.checked_out_at,
                     "due_date": ResourceCheckout.due_date,
                     "created_at": ResourceCheckout.created_at}


def _actor():
    return g.api_principal.user


def _visibility(data):
    """`visibility` wins; else `is_public` true is `studio` and false `private`."""
    is_public = data.pop("is_public", None)
    if "visibility" in data or is_public is None:
        return data.get("visibility")
    return "studio" if is_public else "private"


@resources_blp.route("")
class Resources(MethodView):
    @requires("resources.view")
    @resources_blp.arguments(ResourceListQuerySchema, location="query")
    @resources_blp.response(200, ResourcePageSchema)
    def get(self, args):
        """List the resources you may see.

        Filters: resource_type, category, tags, visibility, is_public, student; search in
        title, description and tags."""
        visibility = args.get("visibility")
        if args.get("is_public") is not None:
            visibility = "studio" if args["is_public"] else visibility
        stmt = services.filter_resources(
            policies.visible_resources(), resource_type=args.get("resource_type"),
            category=args.get("category"), tags=services.parse_tags(args.get("tags") or ""),
            search=args.get("search"), visibility=visibility)
        if args.get("is_public") is False:
            stmt = stmt.where(Resource.visibility != "studio")
        if args.get("student") and policies.is_staff():
            stmt = stmt.where(Resource.id.in_(
                select(ResourceShare.resource_id).where(
                ResourceShare.student_id == args["student"])))
        # The page's authors and share lists in one query each, not one per resource.
        stmt = stmt.options(selectinload(Resource.created_by),
                            selectinload(Resource.shares).lazyload(ResourceShare.student))
        stmt = apply_created_range(stmt, Resource, args)
        stmt = apply_ordering(stmt, Resource, args.get("ordering"), RESOURCE_ORDERING, "-created_at")
        return paginate(stmt, args)

    @requires("resources.manage")
    @resources_blp.arguments(ResourceFormSchema, location="form", content_type=MULTIPART)
    @resources_blp.response(201, ResourceSchema)
    @resources_blp.alt_response(400, **refused_when(
        "`file` is empty, has a name or extension that disagrees with its content, is an "
        "executable or a broken image, or is missing for a file type (or sent for a link or "
        "physical item); `resource_type` disagrees with the file's content.",
        FIELD_RULES))
    @resources_blp.alt_response(403, **FORBIDDEN)
    @resources_blp.alt_response(413, **TOO_LARGE)
    def post(self, form):
        """Add a resource: a file, a link or a physical item.

        Upload a file (its type sniffed from the content), a link (`url`,
        resource_type=link) or a physical item (resource_type=physical, `copies`)."""
        visibility = _visibility(form) or "private"
        form.pop("visibility", None)
        form["tags"] = services.parse_tags(form.get("tags") or [])
        return services.create_resource(current_studio(), _actor(), upload=request.files.get("file"),
                                        visibility=visibility, **form)


@resources_blp.route("/<uuid:resource_id>")
class ResourceItem(MethodView):
    @requires("resources.view")
    @loads("resource", access.visible_resource)
    @resources_blp.response(200, ResourceSchema)
    @resources_blp.alt_response(404, **NOT_FOUND)
    def get(self, resource):
        """One resource."""
        return resource

    @requires("resources.manage")
    @loads("resource", access.editable_resource)
    @resources_blp.arguments(ResourceFieldsSchema)
    @resources_blp.response(200, ResourceSchema)
    @resources_blp.alt_response(400, **refused_when(FIELD_RULES))
    @resources_blp.alt_response(403, **FORBIDDEN)
    @resources_blp.alt_response(404, **NOT_FOUND)
    def patch(self, data, resource):
        """Change a resource you added (admins: any)."""
        visibility = _visibility(data)
        data.pop("visibility", None)
        if visibility is not None:
            data["visibility"] = visibility
        return services.update_resource(current_studio(), _actor(), resource, **data)

    @requires("resources.manage")
    @loads("resource", access.editable_resource)
    @resources_blp.response(204)
    @resources_blp.alt_response(403, **FORBIDDEN)
    @resources_blp.alt_response(404, **NOT_FOUND)
    @resources_blp.alt_response(409, description="Copies of the item are still lent out.")
    def delete(self, resource):
        """Delete a resource you added (admins: any), with its file."""
        services.delete_resource(current_studio(), _actor(), resource)


@resources_blp.route("/<uuid:resource_id>/download")
class ResourceDownload(MethodView):
    @requires("resources.view")
    @loads("resource", access.downloadable_resource)
    @resources_blp.response(200, description=(
        "The file, as an attachment (`?inline=1`: inline, to play or view in the page). "
        "Range requests answer 206. With S3 storage, a 302 to a short-lived signed URL."),
        content_type="application/octet-stream")
    @resources_blp.alt_response(302, description="With S3 storage: the signed URL.")
    @resources_blp.alt_response(404, **NOT_FOUND)
    def get(self, resource):
        """Download a resource's file."""
        inline = request.args.get("inline") in ("1", "true")
        return files.file_response(resource.file, inline=inline)


@resources_blp.route("/<uuid:resource_id>/share")
class ResourceShareAction(MethodView):
    @requires("resources.manage")
    @loads("resource", access.shareable_resource)
    @resources_blp.arguments(ShareSchema)
    @resources_blp.response(200, ResourceSchema)
    @resources_blp.alt_response(400, **refused_when(
        "`students` names a student you may not see or do not teach."))
    @resources_blp.alt_response(403, **FORBIDDEN)
    @resources_blp.alt_response(404, **NOT_FOUND)
    def post(self, data, resource):
        """Set which of your students see a resource (and, if you may change it, its
        visibility)."""
        if data.get("visibility") is not None and not policies.may_edit(resource):
            raise PermissionDenied("Only who may change the resource sets its visibility.")
        students = access.students_named(data["students"])
        return services.share_resource(current_studio(), _actor(), resource, students,
                                       shareable=access.shareable_student_ids(),
                                       visibility=data.get("visibility"))


@resources_blp.route("/<uuid:resource_id>/checkout")
class ResourceCheckoutAction(MethodView):
    @requires("resources.lend")
    @loads("resource", access.lendable_resource)
    @resources_blp.arguments(ResourceCheckoutCreateSchema)
    @resources_blp.response(201, ResourceCheckoutSchema)
    @resources_blp.alt_response(400, **refused_when(
        "the resource is not a physical item; `student` is not one you may see, or archived; "
        "`due_date` has passed."))
    @resources_blp.alt_response(403, **FORBIDDEN)
    @resources_blp.alt_response(404, **NOT_FOUND)
    @resources_blp.alt_response(409, description="Every copy is lent out.")
    def post(self, data, resource):
        """Lend a copy of a physical resource to a student."""
        student = access.students_named([data.pop("student")], field="student")[0]
        return services.lend_copy(current_studio(), _actor(), resource, student, **data)


@checkouts_blp.route("")
class Checkouts(MethodView):
    @requires("resources.view")
    @checkouts_blp.arguments(ResourceCheckoutListQuerySchema, location="query")
    @checkouts_blp.response(200, ResourceCheckoutPageSchema)
    def get(self, args):
        """List the loans you may see (staff: all; families: their own), newest first."""
        stmt = services.filter_checkouts(
            policies.visible_checkouts(), current_studio(), resource=args.get("resource"),
            student=args.get("student"), status=args.get("status"), overdue=args.get("overdue"))
        if args.get("search"):
            stmt = stmt.join(Resource, Resource.id == ResourceCheckout.resource_id).where(
                matches(args["search"], Resource.search_text))
        stmt = apply_created_range(stmt, ResourceCheckout, args)
        stmt = apply_ordering(stmt, ResourceCheckout, args.get("ordering"), CHECKOUT_ORDERING,
                              "-checked_out_at")
        return paginate(stmt, args)


@checkouts_blp.route("/<uuid:checkout_id>")
class CheckoutItem(MethodView):
    @requires("resources.view")
    @loads("checkout", access.visible_checkout)
    @checkouts_blp.response(200, ResourceCheckoutSchema)
    @checkouts_blp.alt_response(404, **NOT_FOUND)
    def get(self, checkout):
        """One loan."""
        return checkout


@checkouts_blp.route("/<uuid:checkout_id>/return")
class CheckoutReturn(MethodView):
    @requires("resources.lend")
    @loads("checkout", access.returnable_checkout)
    @checkouts_blp.response(200, ResourceCheckoutSchema)
    @checkouts_blp.alt_response(403, **FORBIDDEN)
    @checkouts_blp.alt_response(404, **NOT_FOUND)
    @checkouts_blp.alt_response(409, description="The copy was already returned.")
    def post(self, checkout):
        """Take a lent copy back."""
        return services.return_copy(current_studio(), _actor(), checkout)
