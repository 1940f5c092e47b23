"""The webhook verbs. Services take plain values and the acting user and only flush; the
request commits at the edge. The worker runs `deliver_due` (app/jobs.py). Domains announce
events with app.core.webhook_events.emit, not through this package."""
from app.webhooks.services.addresses import Refused, check_url, refused_ip
from app.webhooks.services.delivery import (
    BACKOFF,
    MAX_ATTEMPTS,
    claim_due,
    deliver_due,
    disable_endpoint,
    fan_out,
    purge_old,
    send_claimed,
)
from app.webhooks.services.endpoints import (
    create_endpoint,
    delete_endpoint,
    deliveries_of,
    enable_endpoint,
    pause_endpoint,
    redeliver,
    roll_secret,
    send_test_event,
    update_endpoint,
)
from app.webhooks.services.signing import REPLAY_WINDOW, SIGNATURE_HEADER, signature

__all__ = [
    "BACKOFF", "MAX_ATTEMPTS", "REPLAY_WINDOW", "SIGNATURE_HEADER", "Refused", "check_url",
    "claim_due", "create_endpoint", "deliver_due", "deliveries_of", "delete_endpoint",
    "disable_endpoint", "enable_endpoint", "fan_out", "pause_endpoint", "purge_old", "redeliver",
    "refused_ip", "roll_secret", "send_claimed", "send_test_event", "signature",
    "update_endpoint",
]
