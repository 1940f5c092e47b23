"""Resources attached to lesson notes and lesson plans."""
from flask import g
from sqlalchemy import delete, select

from app.core.db import lock
from app.core.errors import ValidationFailed
from app.extensions import db
from app.library.models import NoteResource, PlanResource, Resource, ResourceShare
from app.library.policies import visible_resources
from app.teaching.models import LessonNote

MAX_ATTACHMENTS = 20


def _resources(resource_ids, visible):
    """The resources named by `resource_ids` among `visible` (a SELECT); unknown ids are a
    field error, never a hint that another studio's exist."""
    ids = list(dict.fromkeys(resource_ids or ()))
    if len(ids) > MAX_ATTACHMENTS:
        raise ValidationFailed(field_errors={"resources": [
            f"Attach at most {MAX_ATTACHMENTS} resources."]})
    found = {r.id: r for r in db.session.scalars(visible.where(Resource.id.in_(ids)))} if ids else {}
    if len(found) != len(ids):
        raise ValidationFailed(field_errors={"resources": ["Choose resources from the library."]})
    return [found[resource_id] for resource_id in ids]


def set_note_resources(studio, actor, note, resource_ids, *, visible):
    """Attach exactly `resource_ids` to `note`. A private or shared resource attached to a
    note is shared with the note's student, so that the family reading the note can open it."""
    resources = _resources(resource_ids, visible)
    lock(type(note), note, gone="This lesson note has been deleted.")  # one change at a time
    db.session.execute(delete(NoteResource).where(NoteResource.studio_id == studio.id,
                                                  NoteResource.note_id == note.id))
    for resource in resources:
        db.session.add(NoteResource(studio_id=studio.id, note_id=note.id, resource_id=resource.id))
        if resource.visibility != "studio":
            _share_with(studio, actor, resource, note.student_id)
    db.session.flush()
    return resources


def _share_with(studio, actor, resource, student_id):
    resource = lock(Resource, resource)  # two notes sharing one resource take turns
    exists = db.session.scalar(select(ResourceShare.id).where(
        ResourceShare.studio_id == studio.id, ResourceShare.resource_id == resource.id,
        ResourceShare.student_id == student_id))
    if exists is None:
        db.session.add(ResourceShare(studio_id=studio.id, resource_id=resource.id,
                                     student_id=student_id, shared_by_id=actor.id))
    resource.visibility = "shared"


def note_resources(note, visible):
    """The resources attached to `note` that `visible` (a SELECT of resources) lets through."""
    return list(db.session.scalars(
        visible.join(NoteResource, NoteResource.resource_id == Resource.id)
        .where(NoteResource.note_id == note.id).order_by(Resource.title, Resource.id)))


def resources_of_notes(note_ids, visible):
    """{note id: [resources]} for many notes at once (a list page shows them without N+1)."""
    result = {note_id: [] for note_id in note_ids}
    if not note_ids:
        return result
    rows = db.session.execute(
        visible.add_columns(NoteResource.note_id)
        .join(NoteResource, NoteResource.resource_id == Resource.id)
        .where(NoteResource.note_id.in_(list(note_ids))).order_by(Resource.title, Resource.id))
    for resource, note_id in rows:
        result[note_id].append(resource)
    return result


def set_plan_resources(studio, actor, plan, resource_ids, *, visible):
    """Attach exactly `resource_ids` to `plan` (plans are staff material: no sharing)."""
    resources = _resources(resource_ids, visible)
    lock(type(plan), plan, gone="This lesson plan has been deleted.")
    db.session.execute(delete(PlanResource).where(PlanResource.studio_id == studio.id,
                                                  PlanResource.plan_id == plan.id))
    for resource in resources:
        db.session.add(PlanResource(studio_id=studio.id, plan_id=plan.id, resource_id=resource.id))
    db.session.flush()
    return resources


def plan_resources(plan, visible):
    return list(db.session.scalars(
        visible.join(PlanResource, PlanResource.resource_id == Resource.id)
        .where(PlanResource.plan_id == plan.id).order_by(Resource.title, Resource.id)))


# ---------------------------------------------------------------- for other domains' pages

def attach_to_note(studio, actor, note, resource_ids):
    """`set_note_resources` with the library the acting principal sees."""
    g.pop("library_note_resources", None)
    return set_note_resources(studio, actor, note, resource_ids, visible=visible_resources())


def attach_to_plan(studio, actor, plan, resource_ids):
    return set_plan_resources(studio, actor, plan, resource_ids, visible=visible_resources())


def attached_to_note(note):
    """The resources on `note` the caller may open. The first call of a request reads them
    for every note the request has loaded, so a page of notes costs one query, not one per
    note."""
    cache = g.setdefault("library_note_resources", {})
    if note.id not in cache:
        loaded = {obj.id for obj in db.session.identity_map.values()
                  if isinstance(obj, LessonNote)} | {note.id}
        cache.update(resources_of_notes(loaded - cache.keys(), visible_resources()))
    return cache.get(note.id, [])


def attached_to_plan(plan):
    return plan_resources(plan, visible_resources())


def resource_choices(limit=300):
    """(id, label) of the library the caller sees, by title, for an attachment picker."""
    rows = db.session.execute(
        visible_resources().with_only_columns(Resource.id, Resource.title, Resource.resource_type)
        .order_by(Resource.title, Resource.id).limit(limit))
    return [(str(row.id), f"{row.title} ({row.resource_type})") for row in rows]


def recent_resources(principal, limit=6):
    """The newest resources `principal` may open: the portal's "Your resources"."""
    return list(db.session.scalars(visible_resources(principal)
                                   .order_by(Resource.created_at.desc(), Resource.id.desc())
                                   .limit(limit)))
