"""GET /stream: the live events of the signed-in member's open pages (text/event-stream).

base.html connects every signed-in page to it (htmx's SSE extension); elements with
`hx-trigger="sse:notification"` or `"sse:message"` refresh themselves when told. A message
event is also sent as `message-<thread id>`, which an open thread listens for, and a
reconnect's catch-up also as `catch-up` (htmx's trigger filters could pick them out, but
they evaluate JavaScript from strings, which the Content Security Policy forbids). The stream
holds no database connection while it waits: the member is loaded, the session committed
(the sign-in's last-seen time) and released before the first byte is sent.
"""
from flask import current_app, request
from flask_login import current_user

from app.core import events
from app.extensions import db
from app.messaging.views import messaging_bp


@messaging_bp.get("/stream")
def stream():
    if not current_user.is_authenticated:
        # An EventSource cannot follow a redirect to the sign-in page: say so plainly.
        return "Sign in to receive live updates.", 401, {"Content-Type": "text/plain; charset=utf-8"}
    user_id = current_user.id
    db.session.commit()
    db.session.remove()
    return events.stream_response(user_id, current_app.config,
                                  catch_up=bool(request.headers.get("Last-Event-ID")),
                                  aliases=page_aliases)


def page_aliases(name, data):
    """The narrower names a page's event is also sent under (see the module's docstring)."""
    if name != "message":
        return ()
    if data.get("catch_up"):
        return ("catch-up",)
    return (f"message-{data['thread']}",) if data.get("thread") else ()
