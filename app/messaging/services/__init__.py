"""What messaging offers the other domains: the email outbox, in-app notifications, and the
live events that refresh open pages (app.core.events)."""
from app.messaging.services.announcements import preview_audience, send_announcement
from app.messaging.services.digests import send_due_digests
from app.messaging.services.emails import render_email, send_templated
from app.messaging.services.notifications import (
    EMAIL_CHOICE_HINTS,
    EMAIL_CHOICES,
    NOTIFICATION_LABELS,
    email_choices,
    family_user_ids,
    inbox,
    link_to,
    mark_all_read,
    mark_read,
    notification_of,
    notify,
    set_email_preferences,
    staff_user_ids,
    unread_count,
)
from app.messaging.services.outbox import (
    MAX_ATTEMPTS,
    build_message,
    deliver_pending,
    message_id,
    queue_email,
    register_attachment,
    retry_delay,
    stopping,
)
from app.messaging.services.threads import (
    create_thread,
    mark_thread_read,
    post_message,
    thread_entries,
    thread_entry,
    thread_inbox,
    unread_thread_count,
)

__all__ = [
    "MAX_ATTEMPTS", "deliver_pending", "message_id", "queue_email", "retry_delay", "stopping",
    "render_email", "send_templated", "notify", "register_attachment", "build_message",
    "NOTIFICATION_LABELS", "EMAIL_CHOICES", "EMAIL_CHOICE_HINTS", "email_choices",
    "set_email_preferences", "family_user_ids", "staff_user_ids", "link_to", "inbox", "unread_count",
    "notification_of", "mark_read", "mark_all_read",
    "preview_audience", "send_announcement",
    "create_thread", "post_message", "mark_thread_read", "thread_inbox", "thread_entries",
    "thread_entry", "unread_thread_count", "send_due_digests",
]
