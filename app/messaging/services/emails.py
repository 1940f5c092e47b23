"""Emails written from templates: `templates/email/<name>.txt` and `<name>.html`, both
extending the studio's layout (its name and logo), queued in the outbox."""
from flask import render_template

from app.messaging.services.outbox import queue_email


def render_email(name, studio=None, **context):
    """(text, html) of the email template `name` for `studio`."""
    context.setdefault("studio", studio)
    text = render_template(f"email/{name}.txt", **context)
    html = render_template(f"email/{name}.html", **context)
    return text, html


def send_templated(to, subject, name, *, studio=None, dedupe_key=None, headers=None,
                   attachment=None, **context):
    """Render the email template `name` and queue it for `to` (None when deduped)."""
    text, html = render_email(name, studio, subject=subject, **context)
    return queue_email(to, subject, text, studio=studio, dedupe_key=dedupe_key, html=html,
                       headers=headers, attachment=attachment)
