"""The library's verbs, and the visibility rules other domains build on (the portal's "Your
resources", attachments on lesson notes and plans). Services take plain values and the acting
user and only flush; the request commits at the edge."""
from app.library.policies import visible_checkouts, visible_resources
from app.library.services.attachments import (
    attach_to_note,
    attach_to_plan,
    attached_to_note,
    attached_to_plan,
    note_resources,
    plan_resources,
    recent_resources,
    resource_choices,
    resources_of_notes,
    set_note_resources,
    set_plan_resources,
)
from app.library.services.loans import filter_checkouts, lend_copy, return_copy
from app.library.services.resources import (
    categories,
    create_resource,
    delete_resource,
    filter_resources,
    parse_tags,
    share_resource,
    shared_student_ids,
    tag_choices,
    update_resource,
)

__all__ = [
    "attach_to_note", "attach_to_plan", "attached_to_note", "attached_to_plan",
    "categories", "create_resource", "delete_resource", "filter_checkouts", "filter_resources",
    "lend_copy", "note_resources", "parse_tags", "plan_resources", "recent_resources",
    "resource_choices", "resources_of_notes",
    "return_copy", "set_note_resources", "set_plan_resources", "share_resource",
    "shared_student_ids", "tag_choices", "update_resource", "visible_checkouts",
    "visible_resources",
]
