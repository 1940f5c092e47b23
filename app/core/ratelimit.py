"""Rate-limit keys and budgets (SPEC §5). Counters live in Redis when REDIS_URL is set."""
import time

from flask import current_app, request
from flask_limiter import RequestLimit
from limits import parse

from app.core.errors import RateLimited, is_api_request


def client_ip():
    return request.remote_addr or "unknown"


def _principal_key():
    from app.core.tenancy import api_principal

    principal = api_principal()
    if principal is None:
        return None
    if principal.api_key_id:
        return f"key:{principal.api_key_id}"
    return f"user:{principal.user.id}"


def rate_limit_key():
    """Authenticated API callers have their own budget; everyone else shares their IP's."""
    if is_api_request():
        return _principal_key() or f"ip:{client_ip()}"
    return f"ip:{client_ip()}"


def api_budget():
    if _principal_key():
        return current_app.config["RATELIMIT_API_AUTHENTICATED"]
    return current_app.config["RATELIMIT_API_ANONYMOUS"]


def not_an_api_request():
    return not is_api_request()


def hit_login_limit(email):
    """Count one sign-in attempt for this IP + email; raise 429 once over the budget."""
    from app.extensions import limiter

    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    limit = parse(current_app.config["RATELIMIT_LOGIN"])
    args = ["login", f"{client_ip()}|{(email or '').strip().lower()}"]
    allowed = limiter.limiter.hit(limit, *args)
    # The narrowest budget of this request: X-RateLimit-* and Retry-After describe it, not
    # the hourly API budget (whose Retry-After would tell the client to wait an hour).
    limiter.context.view_rate_limit = RequestLimit(limiter, limit, args, not allowed, False)
    if allowed:
        return
    reset_at, _remaining = limiter.limiter.get_window_stats(limit, *args)
    retry_after = max(1, int(reset_at - time.time()) + 1)
    raise RateLimited(
        "Too many sign-in attempts. Wait a minute and try again.",
        headers={"Retry-After": str(retry_after)},
    )
