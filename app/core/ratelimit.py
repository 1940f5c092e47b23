"""Rate-limit keys and budgets (SPEC §5).

Counters are shared by every process of a deployment: in Redis when REDIS_URL is set, else in
the database's own store (app/core/ratelimit_storage.py).
"""
import math
import time
from contextlib import contextmanager

from flask import current_app, request
from flask_limiter import Limiter, RequestLimit
from limits import parse

from app.core.errors import BadCredentials, RateLimited, is_api_request
from app.core.tenancy import api_principal

ALERT_INTERVAL = parse("1/hour")  # at most one failed-sign-in email per account


def client_ip():
    return request.remote_addr or "unknown"


def _principal_key():
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
    # Asked on every request, pages and /oauth/token included: only an API request has a
    # caller to look up (looking one up reads its Authorization header, Basic ones too).
    if is_api_request() and _principal_key():
        return current_app.config["RATELIMIT_API_AUTHENTICATED"]
    return current_app.config["RATELIMIT_API_ANONYMOUS"]


def not_an_api_request():
    return not is_api_request()


@contextmanager
def login_attempt(email):
    """Guard one sign-in with this email; the block checks the password.

    Failed sign-ins are counted per email and client address together (RATELIMIT_LOGIN) and
    per address whatever the email (RATELIMIT_LOGIN_ADDRESS). Over either budget the attempt
    answers 429 before any password is checked, a correct one included, so an address cannot
    go on guessing; an address under its budgets is never blocked by failures elsewhere.
    The attempt is counted before the check, so concurrent attempts cannot slip past a
    budget, and given back unless the block raised BadCredentials: sign-ins that succeed
    spend nothing. Repeated failures on one account email its owner (`_count_failure`).
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        yield
        return
    email = (email or "").strip().lower()
    address = client_ip()
    budgets = [(parse(current_app.config["RATELIMIT_LOGIN"]), ["login", f"{address}|{email}"]),
               (parse(current_app.config["RATELIMIT_LOGIN_ADDRESS"]), ["login-address", address])]
    taken = _take(budgets)
    try:
        yield
    except BadCredentials:
        _count_failure(email, address)
        raise
    except BaseException:
        _give_back(taken)
        raise
    _give_back(taken)


def password_reset_attempt(email):
    """Count one request for a password-reset email: per email and client address together
    (RATELIMIT_PASSWORD_RESET) and per address whatever the email
    (RATELIMIT_PASSWORD_RESET_ADDRESS). Over either, RateLimited. Every request counts,
    whether or not the email has an account, so the answer tells nothing about it."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    email = (email or "").strip().lower()
    address = client_ip()
    _take([(parse(current_app.config["RATELIMIT_PASSWORD_RESET"]),
            ["password-reset", f"{address}|{email}"]),
           (parse(current_app.config["RATELIMIT_PASSWORD_RESET_ADDRESS"]),
            ["password-reset-address", address])],
          refusal="Too many password reset requests. Try again in {wait}.")


def _take(budgets, refusal="Too many failed sign-ins. Try again in {wait}."):
    """Count the attempt in every budget, or raise RateLimited (saying `refusal`) for the
    first one it is over (giving back what it took from the others)."""
    taken = []
    for limit, args in budgets:
        allowed = limiter.limiter.hit(limit, *args)
        # X-RateLimit-* and Retry-After describe this budget, not the hourly API budget
        # (whose Retry-After would tell the client to wait an hour).
        limiter.context.view_rate_limit = RequestLimit(limiter, limit, args, not allowed, False)
        if not allowed:
            _give_back(taken)
            raise _refusal(limit, args, refusal)
        taken.append((limit, args))
    limiter.context.view_rate_limit = RequestLimit(limiter, *budgets[0], False, False)
    return taken


def _give_back(taken):
    for limit, args in taken:
        limiter.storage.incr(limit.key_for(*args), limit.get_expiry(), amount=-1)


def _refusal(limit, args, message):
    reset_at, _remaining = limiter.limiter.get_window_stats(limit, *args)
    retry_after = max(1, math.ceil(reset_at - time.time()))
    return RateLimited(message.format(wait=wait_in_words(retry_after)),
                       headers={"Retry-After": str(retry_after)})


def wait_in_words(seconds):
    """'45 seconds', '1 minute', '10 minutes': a wait, never shorter than the real one."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


_alerts = []  # the function that warns an account's owner, set by the app factory


def alert_failed_sign_ins_with(warn):
    """`warn(email, address, failures)` tells an account's owner of repeated failed sign-ins
    (core knows no accounts: the app factory names the function)."""
    _alerts[:] = [warn]


def _count_failure(email, address):
    """One more failed sign-in on this email from any address; from SIGN_IN_ALERT_AFTER
    failures in its window on, the account's owner is warned, at most once an hour."""
    alert = parse(current_app.config["SIGN_IN_ALERT_AFTER"])
    failures = limiter.storage.incr(alert.key_for("login-failures", email), alert.get_expiry())
    if failures >= alert.amount and limiter.limiter.hit(ALERT_INTERVAL, "login-alert", email):
        for warn in _alerts:
            warn(email, address, failures)


limiter = Limiter(
    key_func=rate_limit_key,
    application_limits=[api_budget],
    application_limits_exempt_when=not_an_api_request,
)
