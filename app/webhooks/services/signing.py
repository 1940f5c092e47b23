"""Signatures: `X-Cadenza-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
keyed with the endpoint's secret. A receiver recomputes the HMAC over the raw body it got,
compares in constant time, and refuses a `t` more than REPLAY_WINDOW seconds from its clock."""
import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Cadenza-Signature"
REPLAY_WINDOW = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of every secret, not one


def new_secret():
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret, timestamp, body):
    """The header value for `body` (bytes) sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{int(timestamp)}.".encode() + body, hashlib.sha256)
    return f"t={int(timestamp)},v1={mac.hexdigest()}"
