"""Where a webhook may be sent, and sending it there.

Only http and https. An address that is not on the public internet (loopback, private,
link-local, shared, multicast, reserved, unspecified; `localhost`) is refused, unless the
WEBHOOK_ALLOW_PRIVATE setting is on (development, tests). A URL is checked when it is saved
(its host as written) and again at every delivery, after the name is resolved: every address
the name resolves to must pass, and the connection goes to the address that was checked, so
a second lookup cannot point it elsewhere (DNS rebinding). Redirects are not followed: a 3xx
answer is a failed attempt, whatever its Location says.
"""
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from app.core.validation import Invalid

SCHEMES = ("http", "https")
LOCAL_NAMES = ("localhost", "localhost.localdomain")
TIMEOUT_SECONDS = 10
EXCERPT_BYTES = 1024


class Refused(Exception):
    """The address may not receive webhooks; the message says why."""


def _private_allowed():
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))


def refused_ip(address):
    """Why `address` (an IPv4 or IPv6 address) may not receive webhooks, or None."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


def _literal_ip(host):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_url(value):
    """The URL, stripped, when it may receive webhooks; Invalid (a message for the field)
    otherwise. Host names are resolved and checked at delivery."""
    address = (value or "").strip() if isinstance(value, str) else ""
    if not address:
        raise Invalid("Enter the URL to send events to.")
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise Invalid("Enter a URL starting with https:// (or http://).") from exc
    if parts.scheme.lower() not in SCHEMES or not host:
        raise Invalid("Enter a URL starting with https:// (or http://).")
    if any(ord(c) < 33 or ord(c) == 127 for c in address):
        raise Invalid("A URL cannot contain spaces or control characters.")
    if port == 0:
        raise Invalid("Enter a valid port.")
    if _private_allowed():
        return address
    host = host.rstrip(".").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        raise Invalid("Webhooks cannot be sent to localhost.")
    ip = _literal_ip(host)
    reason = refused_ip(ip) if ip is not None else None
    if reason:
        raise Invalid(f"Webhooks cannot be sent to {reason}.")
    return address


def resolve(host, port):
    """The addresses `host` resolves to, each checked; Refused when it resolves to none or
    to any that may not receive webhooks."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{host} could not be resolved.") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise Refused(f"{host} could not be resolved.")
    if not _private_allowed():
        for address in addresses:
            reason = refused_ip(address)
            if reason:
                raise Refused(f"{host} resolves to {address}, {reason}.")
    return addresses


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a checked address, naming the URL's host in `Host`."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; the certificate is verified for the URL's
    host name (SNI too), not for the address."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Answer:
    """What one attempt got: a status code and the start of the body, or an error."""

    status: int | None = None
    ms: int | None = None
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300 and not self.error


def post(url, body, headers, *, timeout=TIMEOUT_SECONDS):
    """POST `body` (bytes) to `url` once, on a checked address, without following redirects.
    Never raises for network trouble: the Answer says what happened."""
    started = time.monotonic()
    try:
        check_url(url)
        parts = urlsplit(url)
        secure = parts.scheme.lower() == "https"
        port = parts.port or (443 if secure else 80)
        address = resolve(parts.hostname, port)[0]
    except (Invalid, Refused) as exc:
        return Answer(error=f"Refused: {exc}")
    connection_class = _PinnedHTTPS if secure else _PinnedHTTP
    connection = connection_class(parts.hostname, port, address, timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        ms = int((time.monotonic() - started) * 1000)
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        answer = Answer(status=response.status, ms=ms, excerpt=excerpt)
        if 300 <= response.status < 400:
            answer.error = "Redirects are not followed: send webhooks to the final URL."
        return answer
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Answer(ms=int((time.monotonic() - started) * 1000),
                      error=f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
