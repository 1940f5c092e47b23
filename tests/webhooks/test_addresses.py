"""SSRF: webhook URLs that point inside (loopback, private, link-local, multicast, reserved,
unspecified, localhost) are refused when saved unless WEBHOOK_ALLOW_PRIVATE is on, and again
at delivery after the name is resolved (every address), where the connection goes to the
address that was checked. The app's check is not patched: names that really resolve to
loopback on this machine are used."""
import socket
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.core.validation import Invalid
from app.extensions import db
from app.webhooks import services
from app.webhooks.models import WebhookDelivery
from app.webhooks.services.addresses import check_url

REFUSED = [
    "http://127.0.0.1/hook", "http://127.8.9.10:8080/", "http://[::1]/", "http://0.0.0.0/",
    "http://[::]/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://224.0.0.1/",
    "http://240.0.0.1/", "http://100.64.0.1/", "http://[fc00::1]/", "http://[::ffff:127.0.0.1]/",
    "http://localhost/", "http://LOCALHOST:5000/", "http://api.localhost/", "http://localhost./",
    "ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "example.com/hook",
    "http:///nohost", "",
]
ACCEPTED = ["https://example.com/hooks", "http://93.184.215.14:8080/x?y=1",
            "https://[2606:4700::1111]/"]


def _loopback_name():
    """A host name (not `localhost`) this machine resolves to a loopback address: Debian's
    /etc/hosts has ip6-localhost; sandboxes map their own host name."""
    for name in ("ip6-localhost", "ip6-loopback", socket.gethostname(), "vm", "runsc"):
        try:
            infos = socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)
        except OSError:
            continue
        addresses = {info[4][0] for info in infos}
        if name not in ("localhost",) and addresses and all(
                a.startswith("127.") or a == "::1" for a in addresses):
            return name
    pytest.skip("no host name resolves to loopback here")


@pytest.mark.parametrize("url", REFUSED)
def test_an_inside_or_odd_url_is_refused_when_saved(ctx, url):
    with pytest.raises(Invalid):
        check_url(url)


@pytest.mark.parametrize("url", ACCEPTED)
def test_a_public_url_is_accepted(ctx, url):
    assert check_url(url) == url


def test_private_addresses_are_accepted_when_the_setting_allows(app, ctx):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    try:
        assert check_url("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"
        assert check_url("http://localhost/") == "http://localhost/"
        with pytest.raises(Invalid):
            check_url("ftp://127.0.0.1/")
    finally:
        app.config["WEBHOOK_ALLOW_PRIVATE"] = False


def test_the_service_answers_the_url_field(make):
    studio = make.studio()
    admin = make.member(studio, "admin")
    with pytest.raises(ValidationFailed) as refused:
        services.create_endpoint(studio, admin, url="http://10.0.0.5/", events=["invoice.paid"])
    assert "private address" in refused.value.field_errors["url"][0]


def _attempt(world, url, allow_private):
    """Save `url` (with the setting on), then deliver a test event to it with `allow_private`."""
    world.endpoint.url = url
    db.session.commit()
    delivery = services.send_test_event(world.studio, world.admin, world.endpoint)
    db.session.commit()
    from flask import current_app

    current_app.config["WEBHOOK_ALLOW_PRIVATE"] = allow_private
    services.deliver_due(now=datetime.now(timezone.utc))
    return db.session.get(WebhookDelivery, delivery.id, populate_existing=True)


def test_a_name_that_resolves_to_loopback_is_refused_at_delivery(hook_world, receiver):
    name = _loopback_name()
    url = f"http://{name}:{receiver.port}/hooks"
    assert check_url(url) == url  # a name passes when saved: it is resolved when sent
    delivery = _attempt(hook_world, url, allow_private=False)
    assert delivery.response_code is None and receiver.requests == []
    assert "Refused" in delivery.error and "loopback" in delivery.error
    assert delivery.status == "pending" and delivery.attempts == 1  # retried, then given up


def test_the_same_name_is_reached_when_private_addresses_are_allowed(hook_world, receiver):
    name = _loopback_name()
    delivery = _attempt(hook_world, f"http://{name}:{receiver.port}/hooks", allow_private=True)
    assert delivery.status == "succeeded"
    assert receiver.requests[0].headers["Host"] == f"{name}:{receiver.port}"


def test_an_address_saved_while_allowed_is_refused_once_the_setting_is_off(hook_world, receiver):
    delivery = _attempt(hook_world, receiver.url, allow_private=False)
    assert delivery.response_code is None and receiver.requests == []
    assert "loopback" in delivery.error


def test_a_redirect_to_loopback_is_not_followed(hook_world, receiver):
    """A public-looking endpoint cannot bounce a delivery inside: redirects are never followed,
    so the loopback target is never asked."""
    receiver.script = [307]
    receiver.redirect_to = "http://127.0.0.1:1/admin"
    delivery = _attempt(hook_world, receiver.url, allow_private=True)
    assert delivery.response_code == 307 and "Redirects are not followed" in delivery.error
    assert len(receiver.requests) == 1
    assert db.session.scalar(select(WebhookDelivery.status)) == "pending"
