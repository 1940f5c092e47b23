"""Absolute links for emails: always built on PUBLIC_BASE_URL, never on the request's Host.

Emails are queued during requests and sent by the worker, and a link built from the
request's Host header would let a caller choose where a password-reset link points.
"""
from urllib.parse import urlsplit

from flask import current_app

FALLBACK_BASE_URL = "http://127.0.0.1:5000"


def public_base_url():
    """PUBLIC_BASE_URL without its trailing slash (the development address when unset)."""
    return (current_app.config.get("PUBLIC_BASE_URL") or FALLBACK_BASE_URL).rstrip("/")


def public_url(endpoint, **values):
    """The absolute address of a page, e.g. public_url("auth.login"), in or out of a request."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def public_host():
    """The host name of PUBLIC_BASE_URL (calendar UIDs use it)."""
    return urlsplit(public_base_url()).hostname or "cadenza.local"
