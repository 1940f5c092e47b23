"""API schemas for resources and their loans.

Uploads are multipart (`file` plus form fields; `tags` comma-separated or repeated). Output
carries `is_public` (true when `visibility` is `studio`), the file's size and content type and
a `download_url`; who a resource is shared with (`shared_with`) is shown to staff only.
"""
from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import fields, post_dump, validate

from app.core.pagination import ListQuerySchema, ordering_field, page_schema
from app.core.schemas import (
    BaseSchema,
    QueryBoolean,
    StrictBoolean,
    StudentRefSchema,
    UserRefSchema,
    UTCDateTime,
)
from app.core.tenancy import current_studio
from app.core.timeutil import local_today
from app.library import policies
from app.library.models import LOAN_STATUSES, MAX_TAGS, RESOURCE_TYPES, VISIBILITIES
from app.library.services.resources import MAX_COPIES, MAX_DESCRIPTION

STRICT_INT = {"strict": True}
VISIBILITY_NOTE = ("`private`: staff only; `shared`: staff and the students it is shared with "
                   "(and their families); `studio`: everyone in the studio.")


class ResourceSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    title = fields.String(dump_only=True)
    description = fields.String(dump_only=True)
    resource_type = fields.String(dump_only=True, metadata={"enum": list(RESOURCE_TYPES)})
    category = fields.String(dump_only=True)
    tags = fields.List(fields.String(), dump_only=True)
    visibility = fields.String(dump_only=True, metadata={
        "enum": list(VISIBILITIES), "description": VISIBILITY_NOTE})
    is_public = StrictBoolean(dump_only=True, metadata={
        "description": "True when the whole studio sees it (`visibility` is `studio`)."})
    url = fields.String(dump_only=True, metadata={"description": "The address of a link."})
    file_name = fields.Method("_file_name", dump_only=True, allow_none=True)
    file_size = fields.Method("_file_size", dump_only=True, allow_none=True, metadata={
        "description": "Bytes.", "type": "integer"})
    content_type = fields.Method("_content_type", dump_only=True, allow_none=True)
    download_url = fields.Method("_download_url", dump_only=True, allow_none=True, metadata={
        "description": "Answers the file as an attachment; add `?inline=1` to play or view it "
                       "in the page."})
    copies = fields.Integer(dump_only=True, metadata={"description": "Physical items only."})
    available_copies = fields.Integer(dump_only=True)
    shared_with = fields.Method("_shared_with", dump_only=True, metadata={
        "description": "Ids of the students it is shared with (staff only).",
        "type": "array", "items": {"type": "string", "format": "uuid"}})
    created_by = fields.Nested(UserRefSchema, dump_only=True, allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)

    def _file_name(self, resource):
        return resource.file.filename if resource.file else None

    def _file_size(self, resource):
        return resource.file.size_bytes if resource.file else None

    def _content_type(self, resource):
        return resource.file.content_type if resource.file else None

    def _download_url(self, resource):
        if resource.file is None:
            return None
        return url_for("Resources.ResourceDownload", resource_id=resource.id, _external=True)

    def _shared_with(self, resource):
        return [str(share.student_id) for share in resource.shares]

    @post_dump
    def hide_shares(self, data, **kwargs):
        if not policies.may_see_shares():
            data.pop("shared_with", None)
        return data


class ResourceFormSchema(BaseSchema):
    """A multipart upload: the file and the fields around it."""

    file = Upload(metadata={"description": "PDF, audio, video, image or document; its type is "
                                           "checked against its content. Not for links and "
                                           "physical items."})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=MAX_DESCRIPTION))
    resource_type = fields.String(validate=validate.OneOf(RESOURCE_TYPES), metadata={
        "description": "Sniffed from the file's content when omitted. `link` needs `url`, "
                       "`physical` takes `copies`."})
    category = fields.String(validate=validate.Length(max=80))
    tags = fields.List(fields.String(validate=validate.Length(max=400)),
                       validate=validate.Length(max=MAX_TAGS), metadata={
                           "description": "Comma-separated, or the field repeated."})
    is_public = QueryBoolean(metadata={"description": "`true`: the whole studio sees it."})
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), metadata={
        "description": VISIBILITY_NOTE + " Default `private`, or `studio` with is_public=true."})
    url = fields.String(validate=validate.Length(max=2000), metadata={
        "description": "The http(s) address of a link."})
    copies = fields.Integer(validate=validate.Range(min=1, max=MAX_COPIES), metadata={
        "description": "How many copies of a physical item the studio has (default 1)."})


class ResourceFieldsSchema(BaseSchema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=MAX_DESCRIPTION))
    category = fields.String(validate=validate.Length(max=80))
    tags = fields.List(fields.String(validate=validate.Length(max=40)),
                       validate=validate.Length(max=MAX_TAGS))
    is_public = StrictBoolean(metadata={"description": "`true` sets visibility `studio`, "
                                                       "`false` `private` (`visibility` wins)."})
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), metadata={
        "description": VISIBILITY_NOTE})
    url = fields.String(validate=validate.Length(max=2000), metadata={
        "description": "Links only: the http(s) address."})
    copies = fields.Integer(validate=validate.Range(min=1, max=MAX_COPIES), **STRICT_INT,
                            metadata={"description": "Physical items only."})


class ResourceListQuerySchema(ListQuerySchema):
    ordering = ordering_field("title", "created_at", "updated_at")
    resource_type = fields.String(validate=validate.OneOf(RESOURCE_TYPES))
    category = fields.String(validate=validate.Length(max=80))
    tags = fields.String(validate=validate.Length(max=400), metadata={
        "description": "Comma-separated; resources carrying every tag."})
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    is_public = QueryBoolean()
    student = fields.UUID(metadata={"description": "Shared with this student (staff)."})


class ShareSchema(BaseSchema):
    students = fields.List(fields.UUID(), required=True, validate=validate.Length(max=500),
                           metadata={"description": (
                               "The students (of those you may share with) who should see it. "
                               "Students you may share with who are not listed are unshared; "
                               "`[]` unshares from all of them. Shares other staff made with "
                               "students you do not teach stay.")})
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), metadata={
        "description": VISIBILITY_NOTE + " Only who may change the resource sets it."})


class ResourceCheckoutSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    resource = fields.Method("_resource", dump_only=True, metadata={
        "type": "object", "properties": {"id": {"type": "string", "format": "uuid"},
                                         "title": {"type": "string"}}})
    student = fields.Nested(StudentRefSchema, dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": list(LOAN_STATUSES)})
    checked_out_at = UTCDateTime(dump_only=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    returned_at = UTCDateTime(dump_only=True, allow_none=True)
    is_overdue = fields.Method("_overdue", dump_only=True, metadata={"type": "boolean"})
    notes = fields.String(dump_only=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)

    def _resource(self, checkout):
        return {"id": str(checkout.resource_id), "title": checkout.resource.title}

    def _overdue(self, checkout):
        return checkout.is_overdue_on(local_today(current_studio()))


class ResourceCheckoutCreateSchema(BaseSchema):
    student = fields.UUID(required=True, metadata={"description": "The borrowing student."})
    due_date = fields.Date(allow_none=True)
    notes = fields.String(validate=validate.Length(max=2000))


class ResourceCheckoutListQuerySchema(ListQuerySchema):
    ordering = ordering_field("checked_out_at", "due_date", "created_at")
    student = fields.UUID()
    resource = fields.UUID()
    status = fields.String(validate=validate.OneOf(LOAN_STATUSES))
    overdue = QueryBoolean()


ResourcePageSchema = page_schema(ResourceSchema)
ResourceCheckoutPageSchema = page_schema(ResourceCheckoutSchema)
