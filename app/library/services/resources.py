"""Resources: files, links and physical items, their fields, sharing and deletion."""
from sqlalchemy import delete, func, select

from app.core import audit, files, validation
from app.core.db import lock
from app.core.errors import Conflict, ValidationFailed
from app.core.search import escape_like, fold, matches
from app.extensions import db
from app.library.models import (
    FILE_TYPES,
    MAX_TAGS,
    RESOURCE_TYPES,
    VISIBILITIES,
    NoteResource,
    PlanResource,
    Resource,
    ResourceCheckout,
    ResourceShare,
)

MAX_DESCRIPTION = 5_000
MAX_TAG_LENGTH = 40
MAX_COPIES = 1_000


def parse_tags(value):
    """Tags from comma-separated text or a list (repeated form fields): trimmed, blanks
    dropped, each kept once whatever its case."""
    parts = value.split(",") if isinstance(value, str) else list(value or [])
    tags, seen = [], set()
    for part in parts:
        if not isinstance(part, str):
            raise validation.Invalid("Every tag must be a text.")
        for piece in part.split(","):
            tag = " ".join(piece.split())
            if len(tag) > MAX_TAG_LENGTH:
                raise validation.Invalid(f"Keep each tag under {MAX_TAG_LENGTH} characters.")
            if tag and tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise validation.Invalid(f"Give at most {MAX_TAGS} tags.")
    return tags


def _copies(value):
    return validation.whole_number(value, minimum=1, maximum=MAX_COPIES)


def _clean(fields, errors):
    """The common fields, checked; messages gathered in `errors`."""
    changes = dict(fields)
    errors.clean(changes, "title", validation.text, max_length=200, required=True,
                 missing="A title is required.")
    errors.clean(changes, "description", validation.text, max_length=MAX_DESCRIPTION)
    errors.clean(changes, "category", validation.text, max_length=80)
    errors.clean(changes, "tags", parse_tags)
    errors.clean(changes, "visibility", validation.choice, choices=VISIBILITIES)
    return changes


def create_resource(studio, actor, *, title, resource_type=None, upload=None, url="", copies=None,
                    description="", category="", tags=(), visibility="private"):
    """Add a resource to the library. A file's type is sniffed from its content (and must
    agree with `resource_type` when given); a link needs an http(s) `url`; a physical item
    needs its number of `copies`. Nothing is stored when anything is refused."""
    errors = validation.FieldErrors()
    fields = _clean({"title": title, "description": description, "category": category,
                     "tags": tags, "visibility": visibility}, errors)
    resource_type = _resource_type(resource_type, upload, errors)
    resource = Resource(studio_id=studio.id, created_by_id=actor.id, resource_type=resource_type,
                        copies=0, available_copies=0, url="")
    if resource_type == "link":
        resource.url = errors.check("url", _link, url) or ""
    elif resource_type == "physical":
        resource.copies = resource.available_copies = errors.check(
            "copies", _copies, copies if copies is not None else 1) or 0
    elif resource_type in FILE_TYPES and upload is None:
        errors.add("file", "Choose a file to upload.")
    errors.raise_if_any()
    for name, value in fields.items():
        setattr(resource, name, value)
    if resource_type in FILE_TYPES or resource_type is None:
        stored, kind = files.store_upload(upload, kinds=(resource_type,) if resource_type else FILE_TYPES)
        resource.file, resource.file_id, resource.resource_type = stored, stored.id, kind
    db.session.add(resource)
    db.session.flush()
    return resource


def _resource_type(resource_type, upload, errors):
    if resource_type in (None, ""):
        if upload is None:
            errors.add("resource_type", "Upload a file, or choose link or physical item.")
        return None
    if resource_type not in RESOURCE_TYPES:
        errors.add("resource_type", f"Choose one of: {', '.join(RESOURCE_TYPES)}.")
        return None
    if resource_type not in FILE_TYPES and upload is not None:
        errors.add("file", f"A {resource_type} resource has no file.")
    return resource_type


def locked(resource):
    """`resource`'s row, locked until the transaction ends, with its shares as committed:
    requests changing one resource take turns; one deleted meanwhile is 404."""
    resource = lock(Resource, resource, gone="This resource has been deleted.")
    db.session.refresh(resource, ["shares"])
    return resource


def _link(value):
    address = validation.url(value or "", max_length=2000)
    if not address:
        raise validation.Invalid("Enter the address of the link (http:// or https://).")
    return address


def update_resource(studio, actor, resource, **fields):
    """Change a resource's fields. `url` belongs to links and `copies` to physical items;
    copies may not fall below the number lent out."""
    errors = validation.FieldErrors()
    changes = _clean(fields, errors)
    resource = locked(resource)
    if "url" in changes:
        if resource.resource_type != "link":
            errors.add("url", "Only a link resource has an address.")
        else:
            errors.clean(changes, "url", _link)
    if "copies" in changes:
        if resource.resource_type != "physical":
            errors.add("copies", "Only a physical item has copies.")
        else:
            errors.clean(changes, "copies", _copies)
    errors.raise_if_any()
    if "copies" in changes:
        lent = resource.copies - resource.available_copies
        if changes["copies"] < lent:
            raise ValidationFailed(field_errors={"copies": [
                f"{lent} copies are lent out; keep at least that many."]})
        changes["available_copies"] = changes["copies"] - lent
    for name, value in changes.items():
        setattr(resource, name, value)
    db.session.flush()
    return resource


def delete_resource(studio, actor, resource):
    """Remove a resource, its shares and attachments, and its file. A physical item with
    copies still lent out cannot be deleted (409)."""
    resource = locked(resource)
    if resource.resource_type == "physical" and resource.available_copies < resource.copies:
        raise Conflict("Copies of this item are still lent out; take them back first.")
    for model in (NoteResource, PlanResource, ResourceShare, ResourceCheckout):
        db.session.execute(delete(model).where(model.studio_id == studio.id,
                                               model.resource_id == resource.id))
    stored = resource.file
    audit.record(studio, actor, "resource.deleted", resource, title=resource.title)
    db.session.delete(resource)
    db.session.flush()
    if stored is not None:
        files.delete_file(stored)


def shared_student_ids(resource):
    return [share.student_id for share in resource.shares]


def share_resource(studio, actor, resource, students, *, shareable, visibility=None):
    """Say which of the caller's students see `resource`: `students` becomes the set of its
    shares among `shareable` (the students the caller may share with). Shares with other
    students, made by other staff, stay. Sharing a private resource makes it `shared`; taking
    the last share away from a `shared` one makes it private again. `visibility`, when given,
    is set as well (its own permission, checked by the caller)."""
    resource = locked(resource)
    wanted = {student.id: student for student in students}
    outside = [student for student in students if student.id not in shareable]
    if outside:
        raise ValidationFailed(field_errors={"students": [
            "You can only share with students you teach."]})
    for share in list(resource.shares):
        if share.student_id in shareable and share.student_id not in wanted:
            resource.shares.remove(share)
    have = {share.student_id for share in resource.shares}
    for student_id, student in wanted.items():
        if student_id not in have:
            resource.shares.append(ResourceShare(studio_id=studio.id, student_id=student_id,
                                                 student=student, shared_by_id=actor.id))
    if visibility is not None:
        resource.visibility = validation.field("visibility", validation.choice, visibility,
                                               choices=VISIBILITIES)
    elif wanted and resource.visibility == "private":
        resource.visibility = "shared"
    elif not resource.shares and resource.visibility == "shared":
        resource.visibility = "private"
    db.session.flush()
    return resource


def filter_resources(stmt, *, resource_type=None, category=None, tags=(), search=None,
                     visibility=None):
    """Narrow a SELECT of resources: by type, category, visibility, tags (every tag named),
    and words of the title, description, tags and category (accents and case ignored)."""
    if resource_type:
        stmt = stmt.where(Resource.resource_type == resource_type)
    if category:
        stmt = stmt.where(func.lower(Resource.category) == category.strip().lower())
    if visibility:
        stmt = stmt.where(Resource.visibility == visibility)
    for tag in tags or ():
        key = fold(tag).replace("|", " ")
        if key:
            stmt = stmt.where(Resource.tag_keys.like(f"%|{escape_like(key)}|%", escape="\\"))
    if search and search.strip():
        stmt = stmt.where(matches(search, Resource.search_text))
    return stmt


def categories(stmt):
    """The distinct categories of the resources `stmt` selects, for a filter menu."""
    column = stmt.with_only_columns(Resource.category).where(Resource.category != "").order_by(None)
    category = column.subquery().c.category
    return list(db.session.scalars(select(category).distinct().order_by(category)))


def tag_choices(stmt, limit=50):
    """The tags in use among the resources `stmt` selects, most frequent first."""
    counts = {}
    for tags in db.session.scalars(stmt.with_only_columns(Resource.tags).order_by(None).limit(2000)):
        for tag in tags or ():
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts, key=lambda tag: (-counts[tag], tag.casefold()))[:limit]
