"""GET /api/v1/stream: the caller's live events as server-sent events (text/event-stream).

The reference offers a WebSocket; Cadenza streams the same events over SSE, which needs no
upgrade, passes proxies as plain HTTP and reconnects by itself (EventSource, or any HTTP
client reading lines).
"""
from flask import current_app, request
from flask.views import MethodView

from app.core import events
from app.core.api import Blueprint
from app.core.tenancy import api_login_required, current_principal, refuse_api_keys
from app.extensions import db

STREAM_DESCRIPTION = """
Server-sent events (`text/event-stream`) for the caller: a line `retry: 3000`, then one
event per change that concerns them, as it commits:

```
event: notification
data: {"type": "lesson_cancelled", "title": "Lesson cancelled"}

event: message
data: {"thread": "5b0f0d6c-..."}
```

`notification`: the caller's notifications changed (read `/notifications`); `message`: a
message arrived in a thread they are in (read `/threads/{id}`). An event says *what to look
at again*, not the data itself. A comment line (`: keep-alive`) comes every 15 seconds of
quiet. The stream ends after at most 5 minutes; reconnect (with a fresh access token when it
has expired). A reconnect that sends `Last-Event-ID` first gets one `notification` and one
`message` event with `{"catch_up": true}`, for what may have changed in between.

The reference documents a WebSocket here: Cadenza uses server-sent events instead (plain
HTTP through any proxy; browsers reconnect by themselves).
""".strip()

stream_blp = Blueprint("Live updates", __name__, url_prefix="/api/v1/stream",
                       description="Server-sent events that tell a client what to refresh.")
stream_blp.before_request(api_login_required)
stream_blp.before_request(refuse_api_keys)  # live updates are a person's bell and inbox


@stream_blp.route("")
class Stream(MethodView):
    @stream_blp.doc(
        summary="Stream the caller's live events (server-sent events)",
        description=STREAM_DESCRIPTION,
        responses={"200": {"description": "An endless text/event-stream.",
                           "content": {"text/event-stream": {"schema": {"type": "string"}}}}},
    )
    def get(self):
        user_id = current_principal().user.id
        db.session.commit()
        db.session.remove()
        return events.stream_response(user_id, current_app.config,
                                      catch_up=bool(request.headers.get("Last-Event-ID")))
