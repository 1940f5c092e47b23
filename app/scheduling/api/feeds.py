"""The calendar feed: your private iCal subscription link."""
from flask.views import MethodView

from app.core.permissions import requires
from app.scheduling import services
from app.scheduling.api.common import actor, blueprint, studio
from app.scheduling.schemas import CalendarFeedSchema

feed_blp = blueprint("Calendar feed", "/api/v1/calendar-feed",
                     "Your private iCal subscription link (Google, Apple, Outlook calendars).")


@feed_blp.route("")
class CalendarFeed(MethodView):
    @requires("calendar.subscribe")
    @feed_blp.response(200, CalendarFeedSchema)
    def get(self):
        """Whether you have a subscription link (the URL itself is shown only once)."""
        feed = services.active_feed(studio(), actor())
        return {"active": feed is not None, "url": None, "webcal_url": None,
                "created_at": feed.created_at if feed else None,
                "last_used_at": feed.last_used_at if feed else None}

    @requires("calendar.subscribe")
    @feed_blp.response(201, CalendarFeedSchema, idempotent=False)  # the URL is shown once
    def post(self):
        """Create your private subscription URL; an older one stops working."""
        feed, token = services.create_feed(studio(), actor())
        url, webcal = services.feed_urls(token)
        return {"active": True, "url": url, "webcal_url": webcal, "created_at": feed.created_at,
                "last_used_at": None}

    @requires("calendar.subscribe")
    @feed_blp.response(204)
    def delete(self):
        """Revoke your subscription URL."""
        services.revoke_feeds(studio(), actor())
