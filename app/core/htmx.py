"""Everything htmx-specific lives here, so an htmx upgrade touches one file."""
import json

from flask import request

HX_REQUEST = "HX-Request"
HX_BOOSTED = "HX-Boosted"
HX_TRIGGER = "HX-Trigger"
HX_REDIRECT = "HX-Redirect"
HX_TARGET = "HX-Target"
HX_HISTORY_RESTORE = "HX-History-Restore-Request"


def is_htmx():
    """A fragment request: htmx asked, and not for a boosted navigation or a history restore
    (both need the whole page)."""
    return (
        request.headers.get(HX_REQUEST) == "true"
        and request.headers.get(HX_BOOSTED) != "true"
        and request.headers.get(HX_HISTORY_RESTORE) != "true"
    )


def add_vary(response):
    response.vary.add(HX_REQUEST)
    return response


def hx_trigger(response, *events, **events_with_detail):
    payload = {name: None for name in events}
    payload.update(events_with_detail)
    response.headers[HX_TRIGGER] = json.dumps(payload)
    return response


def hx_redirect(response, url):
    response.headers[HX_REDIRECT] = url
    return response
