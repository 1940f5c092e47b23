"""JSON API of messaging: notifications, threads, announcements and the live stream. Each
area has its module here; `blueprints` is what the app registers."""
from app.messaging.api.announcements import announcements_blp
from app.messaging.api.notifications import notifications_blp
from app.messaging.api.stream import stream_blp
from app.messaging.api.threads import threads_blp

blueprints = (notifications_blp, stream_blp, announcements_blp, threads_blp)
