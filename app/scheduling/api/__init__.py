"""The scheduling JSON API (flask-smorest blueprints under /api/v1)."""
from app.scheduling.api.availability import free_slots_blp
from app.scheduling.api.feeds import feed_blp
from app.scheduling.api.lessons import lessons_blp
from app.scheduling.api.requests import credits_blp, requests_blp
from app.scheduling.api.rooms import closures_blp, reservations_blp, rooms_blp
from app.scheduling.api.series import series_blp

blueprints = (lessons_blp, series_blp, rooms_blp, reservations_blp, closures_blp, free_slots_blp,
              requests_blp, credits_blp, feed_blp)
