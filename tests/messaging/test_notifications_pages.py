"""The bell and the notifications page: the badge and its accessible name, newest first,
unread highlighted, following one marks it read, mark one or all read (htmx and plain
forms), the email choices on the account page, and flat query counts."""
import re
import uuid
from datetime import timedelta

import pytest

from app.extensions import db
from app.messaging import services
from app.messaging.models import Notification
from tests.conftest import csrf_token, post_form, web_login
from tests.query_counts import assert_flat

HTMX = {"HX-Request": "true"}


@pytest.fixture()
def setup(make):
    studio = make.studio(name="Bell Studio")
    other = make.studio(name="Elsewhere")
    parent = make.member(studio, "parent")
    admin = make.member(studio, "admin")
    db.session.commit()
    return type("Setup", (), {"studio": studio, "other": other, "parent": parent, "admin": admin})


def _notify(studio, user, n=1, link=None, title="Invoice sent"):
    made = []
    for i in range(n):
        made += services.notify(studio, [user], "invoice_sent", f"{title} {i}", "Due soon.",
                                link if link is not None else f"/invoices/{uuid.uuid4()}",
                                email=False)
    db.session.commit()
    return made


def _signed_in(client, user):
    web_login(client, user.email)
    return client


def test_the_bell_shows_the_unread_count_in_its_accessible_name(client, setup):
    _notify(setup.studio, setup.parent, 3)
    _notify(setup.studio, setup.admin, 2)
    html = _signed_in(client, setup.parent).get("/account/").get_data(as_text=True)

    assert 'aria-label="Notifications, 3 unread"' in html
    assert 'hx-trigger="sse:notification' in html and 'hx-get="/notifications/bell"' in html
    assert '<span class="bell-badge" aria-hidden="true">3</span>' in html


def test_no_unread_says_none_and_shows_no_badge(client, setup):
    html = _signed_in(client, setup.parent).get("/notifications/bell").get_data(as_text=True)
    assert 'aria-label="Notifications, none unread"' in html and "bell-badge" not in html


def test_the_bell_partial_refreshes_alone(client, setup):
    _signed_in(client, setup.parent)
    _notify(setup.studio, setup.parent, 2)
    response = client.get("/notifications/bell", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'aria-label="Notifications, 2 unread"' in html


def test_the_page_lists_newest_first_with_unread_highlighted(client, setup):
    older, newer = _notify(setup.studio, setup.parent, 2)
    older.created_at -= timedelta(hours=2)
    services.mark_read(setup.parent, older)
    _notify(setup.other, setup.parent, title="Elsewhere")
    db.session.commit()

    html = _signed_in(client, setup.parent).get("/notifications").get_data(as_text=True)

    assert html.index("Invoice sent 1") < html.index("Invoice sent 0")
    assert f'class="notification unread" id="notification-{newer.id}"' in html
    assert f'class="notification" id="notification-{older.id}"' in html
    assert "Elsewhere" not in html
    assert f'/notifications/{newer.id}/open' in html
    assert "Mark all read" in html


def test_the_unread_tab_and_its_empty_state(client, setup):
    notification, = _notify(setup.studio, setup.parent)
    services.mark_read(setup.parent, notification)
    db.session.commit()
    html = _signed_in(client, setup.parent).get("/notifications?show=unread").get_data(as_text=True)
    assert "all caught up" in html and "Mark all read" not in html


def test_an_empty_page_says_what_will_show_up(client, setup):
    html = _signed_in(client, setup.parent).get("/notifications").get_data(as_text=True)
    assert "No notifications yet" in html


def test_following_a_notification_marks_it_read_and_goes_to_its_page(client, setup):
    notification, = _notify(setup.studio, setup.parent, link="/invoices/abc")
    response = _signed_in(client, setup.parent).get(f"/notifications/{notification.id}/open")

    assert response.status_code == 302 and response.headers["Location"] == "/invoices/abc"
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).is_read


def test_a_link_that_is_not_a_path_of_the_site_is_not_followed(client, setup):
    notification, = _notify(setup.studio, setup.parent, link="//evil.example/x")
    response = _signed_in(client, setup.parent).get(f"/notifications/{notification.id}/open")
    assert response.headers["Location"] == "/notifications"


def test_another_members_notification_is_404_on_every_page_route(client, setup):
    theirs, = _notify(setup.studio, setup.admin)
    _signed_in(client, setup.parent)
    token = csrf_token(client, "/notifications")

    assert client.get(f"/notifications/{theirs.id}/open").status_code == 404
    assert client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert not db.session.get(Notification, theirs.id).is_read


def test_mark_one_read_with_htmx_returns_the_item_and_refreshes_the_bell(client, setup):
    notification, = _notify(setup.studio, setup.parent)
    _signed_in(client, setup.parent)
    token = csrf_token(client, "/notifications")

    response = client.post(f"/notifications/{notification.id}/read",
                           headers={**HTMX, "X-CSRFToken": token})

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.startswith('<li class="notification"')
    assert "Mark read" not in html
    assert "notifications-changed" in response.headers["HX-Trigger"]


def test_mark_one_read_without_javascript_goes_back(client, setup):
    notification, = _notify(setup.studio, setup.parent)
    _signed_in(client, setup.parent)
    response = post_form(client, f"/notifications/{notification.id}/read", token_path="/notifications")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).is_read


def test_mark_all_read_needs_the_csrf_token(client, setup):
    _notify(setup.studio, setup.parent, 2)
    _signed_in(client, setup.parent)
    response = client.post("/notifications/read-all")
    assert response.status_code in (400, 302)
    assert services.unread_count(setup.parent, setup.studio) == 2


def test_mark_all_read_with_htmx_returns_the_list(client, setup):
    _notify(setup.studio, setup.parent, 2)
    other, = _notify(setup.other, setup.parent)
    _signed_in(client, setup.parent)
    token = csrf_token(client, "/notifications")

    response = client.post("/notifications/read-all", headers={**HTMX, "X-CSRFToken": token})

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="notification-list"')
    assert "unread" not in re.findall(r'class="notification[^"]*"', html)[0]
    assert services.unread_count(setup.parent, setup.studio) == 0
    db.session.expire_all()
    assert not db.session.get(Notification, other.id).is_read


def test_mark_all_read_without_javascript_says_how_many(client, setup):
    _notify(setup.studio, setup.parent, 2)
    _signed_in(client, setup.parent)
    response = post_form(client, "/notifications/read-all", token_path="/notifications",
                         follow_redirects=True)
    assert "2 notifications marked read." in response.get_data(as_text=True)


def test_the_account_page_offers_the_email_choices_of_the_role(client, setup):
    html = _signed_in(client, setup.parent).get("/account/").get_data(as_text=True)
    assert 'id="notifications"' in html
    assert 'value="note_shared"' in html and 'value="cancellation_requested"' not in html
    assert re.search(r'value="checkout_approved"[^>]*checked', html)


def test_saving_the_email_choices(client, setup):
    _signed_in(client, setup.parent)
    response = post_form(client, "/account/notifications", {"email": ["note_shared"]},
                         token_path="/account/")
    assert response.status_code == 302 and response.headers["Location"].endswith("#notifications")
    db.session.expire_all()
    choices = services.email_choices(db.session.get(type(setup.parent), setup.parent.id))
    assert choices["note_shared"] is True and choices["checkout_approved"] is False
    assert choices["new_message"] is False and choices["cancellation_requested"] is True  # not shown: kept


def test_the_page_runs_as_many_queries_for_many_notifications_as_for_few(app, client, setup):
    _signed_in(client, setup.parent)

    def grow(n):
        with app.test_request_context():
            _notify(setup.studio, db.session.merge(setup.parent), n)

    assert_flat(app, lambda: client.get("/notifications"), grow)
