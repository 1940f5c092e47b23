"""The scheduling pages (HTML + htmx): calendar, lessons, series, rooms, feeds."""
from flask import Blueprint

scheduling_bp = Blueprint("scheduling", __name__)

from app.scheduling.views import calendar, lesson_panel, lessons, rooms, series  # noqa: E402,F401 (routes)
