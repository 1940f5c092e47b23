"""Settings → Webhooks pages: the list, adding an endpoint (errors next to the fields), the
endpoint's page with its secret and delivery log, htmx refresh of the log, and the actions."""
from sqlalchemy import select

from app.extensions import db
from app.webhooks import services
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import post_form, web_login


def _admin(client, studio_setup):
    web_login(client, studio_setup.users["admin"].email)
    return studio_setup


def test_the_empty_list_invites_to_add_one(client, studio_setup):
    _admin(client, studio_setup)
    html = client.get("/settings/webhooks").get_data(as_text=True)
    assert "No endpoints yet." in html and "Add an endpoint" in html
    assert 'value="lesson.created"' in html and "<legend>Billing</legend>" in html


def test_adding_an_endpoint_goes_to_its_page_with_the_secret(client, studio_setup):
    _admin(client, studio_setup)
    response = post_form(client, "/settings/webhooks", {
        "url": "https://example.com/hooks", "events": ["invoice.paid", "payment.recorded"],
        "description": "Books"})
    assert response.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert response.headers["Location"].endswith(f"/settings/webhooks/{endpoint.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert endpoint.secret in html and "Send test event" in html and "Nothing sent yet." in html
    listing = client.get("/settings/webhooks").get_data(as_text=True)
    assert "https://example.com/hooks" in listing and "None yet" in listing


def test_a_refused_url_is_shown_next_to_the_field(client, studio_setup):
    _admin(client, studio_setup)
    response = post_form(client, "/settings/webhooks", {"url": "http://169.254.169.254/",
                                                        "events": "invoice.paid"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="url-error"' in html and "link-local address" in html
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_no_events_chosen_is_an_error(client, studio_setup):
    _admin(client, studio_setup)
    response = post_form(client, "/settings/webhooks", {"url": "https://example.com/"})
    assert response.status_code == 422 and "Choose at least one event." in response.get_data(as_text=True)


def test_the_log_shows_attempts_and_refreshes_alone(client, studio_setup):
    _admin(client, studio_setup)
    endpoint = services.create_endpoint(studio_setup.studio, studio_setup.users["admin"],
                                        url="https://example.com/h", events=["invoice.paid"])
    delivery = services.send_test_event(studio_setup.studio, studio_setup.users["admin"], endpoint)
    delivery.status, delivery.attempts, delivery.response_code = "failed", 8, 500
    delivery.response_ms, delivery.response_excerpt = 42, "<h1>Boom</h1>"
    db.session.commit()
    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "HTTP 500" in page and "42 ms" in page and "&lt;h1&gt;Boom&lt;/h1&gt;" in page
    assert "Redeliver" in page
    partial = client.get(f"/settings/webhooks/{endpoint.id}/deliveries",
                         headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "HX-Request" in partial.headers["Vary"]
    assert "<html" not in partial.get_data(as_text=True)
    assert 'id="delivery-log"' in partial.get_data(as_text=True)
    response = post_form(client, f"/settings/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver",
                         token_path=f"/settings/webhooks/{endpoint.id}")
    assert response.status_code == 302
    assert db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.redelivery_of_id == delivery.id)) is not None


def test_disable_enable_edit_and_delete(client, studio_setup):
    _admin(client, studio_setup)
    endpoint = services.create_endpoint(studio_setup.studio, studio_setup.users["admin"],
                                        url="https://example.com/h", events=["invoice.paid"])
    db.session.commit()
    path = f"/settings/webhooks/{endpoint.id}"
    post_form(client, f"{path}/disable", token_path=path)
    db.session.refresh(endpoint)
    assert not endpoint.is_active
    assert "Enable" in client.get(path).get_data(as_text=True)
    post_form(client, f"{path}/enable", token_path=path)
    db.session.refresh(endpoint)
    assert endpoint.is_active
    edited = post_form(client, path, {"url": "https://example.com/new", "events": ["lesson.created"],
                                      "description": "Calendar sync"})
    assert edited.status_code == 302
    db.session.refresh(endpoint)
    assert endpoint.url == "https://example.com/new" and endpoint.events == ["lesson.created"]
    bad = post_form(client, path, {"url": "http://[::1]/", "events": ["lesson.created"]})
    assert bad.status_code == 422 and "loopback address" in bad.get_data(as_text=True)
    old_secret = endpoint.secret
    post_form(client, f"{path}/secret", token_path=path)
    db.session.refresh(endpoint)
    assert endpoint.secret != old_secret
    deleted = post_form(client, f"{path}/delete", token_path=path)
    assert deleted.headers["Location"].endswith("/settings/webhooks")
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_a_post_without_csrf_is_refused(client, studio_setup):
    _admin(client, studio_setup)
    response = post_form(client, "/settings/webhooks", {"url": "https://example.com/",
                                                        "events": "invoice.paid", "csrf_token": None})
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_the_navigation_offers_webhooks_to_admins_only(client, studio_setup):
    _admin(client, studio_setup)
    assert 'href="/settings/webhooks"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    other = client.application.test_client()
    web_login(other, studio_setup.users["teacher"].email)
    assert 'href="/settings/webhooks"' not in other.get("/").get_data(as_text=True)
