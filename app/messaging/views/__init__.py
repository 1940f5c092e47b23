"""Pages of messaging: the bell and notifications, the inbox and threads, announcements and
the live stream. Each area has its module here, adding its routes to `messaging_bp`."""
from flask import Blueprint

messaging_bp = Blueprint("messaging", __name__)

from app.messaging.views import announcements as _announcements  # noqa: E402,F401
from app.messaging.views import notifications as _notifications  # noqa: E402,F401
from app.messaging.views import stream as _stream  # noqa: E402,F401
from app.messaging.views import threads as _threads  # noqa: E402,F401
