"""Live updates over real HTTP (the app served on a loopback port): what a committed change
sends, what a rolled-back one does not, who receives what, and what an open stream holds."""
import time

import pytest

from app.core import events
from app.extensions import db
from app.messaging.services import notify
from tests.conftest import api_login, bearer, web_login
from tests.messaging.live import EventClient, served

FAST = {"STREAM_MAX_SECONDS": 60, "STREAM_HEARTBEAT_SECONDS": 0.3}


@pytest.fixture()
def live(app):
    with served(app, **FAST) as base:
        yield base


@pytest.fixture()
def people(make):
    studio = make.studio(name="Live Studio")
    users = {role: make.member(studio, role) for role in ("admin", "teacher", "parent")}
    users["other_parent"] = make.member(studio, "parent")
    db.session.commit()
    return studio, users


def session_cookie(app, user):
    client = app.test_client()
    web_login(client, user.email)
    return {"Cookie": f"session={client.get_cookie('session').value}"}


def api_token(app, user):
    return bearer(api_login(app.test_client(), user.email))


def local_subscribers():
    return events.current_broker().connected()


def wait_for(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_a_page_stream_is_an_unbuffered_event_stream(app, live, people):
    _studio, users = people
    with EventClient(live, "/stream", session_cookie(app, users["parent"])) as client:
        client.wait_connected()
        assert client.status == 200
        assert client.headers["Content-Type"].startswith("text/event-stream")
        assert "no-cache" in client.headers["Cache-Control"]
        assert client.headers["X-Accel-Buffering"] == "no"
        assert "Content-Length" not in client.headers
        assert "Content-Encoding" not in client.headers
        assert "default-src 'self'" in client.headers["Content-Security-Policy"]
        assert "ETag" not in client.headers
        assert client.retry == 3000
        wait_for(lambda: "keep-alive" in client.comments, timeout=5)  # a heartbeat when quiet


def test_a_notification_committed_reaches_the_members_open_page(app, live, people, ctx):
    studio, users = people
    with EventClient(live, "/stream", session_cookie(app, users["parent"])) as client:
        client.wait_connected()
        notify(studio, [users["parent"]], "lesson_cancelled", "Lesson cancelled", email=False)
        with pytest.raises(AssertionError):
            client.next(timeout=0.3)  # not before the commit
        db.session.commit()
        assert client.next() == ("notification", {"type": "lesson_cancelled",
                                                  "title": "Lesson cancelled"})


def test_an_api_client_receives_its_events_with_a_bearer_token(app, live, people, ctx):
    studio, users = people
    with EventClient(live, "/api/v1/stream", api_token(app, users["teacher"])) as client:
        client.wait_connected()
        assert client.headers["Content-Type"].startswith("text/event-stream")
        events.publish([users["teacher"].id], "message", {"thread": "t-1"})
        db.session.commit()
        assert client.next() == ("message", {"thread": "t-1"})
        with pytest.raises(AssertionError):  # no page's alias on the API stream
            client.next(timeout=0.5)


def test_a_rolled_back_transaction_sends_nothing(app, live, people, ctx):
    studio, users = people
    parent = users["parent"]
    with EventClient(live, "/stream", session_cookie(app, parent)) as client:
        client.wait_connected()
        notify(studio, [parent], "lesson_cancelled", "Never happened", email=False)
        db.session.rollback()
        with db.session.begin_nested():
            events.publish([parent.id], "message", {"thread": "kept"})
        savepoint = db.session.begin_nested()
        events.publish([parent.id], "message", {"thread": "savepoint rolled back"})
        savepoint.rollback()
        events.publish([parent.id], "message", {"thread": "last"})
        db.session.commit()
        assert client.next() == ("message", {"thread": "kept"})
        assert client.next() == ("message-kept", {"thread": "kept"})  # what its open thread hears
        assert client.next() == ("message", {"thread": "last"})
        assert client.next() == ("message-last", {"thread": "last"})
        with pytest.raises(AssertionError):
            client.next(timeout=0.5)


def test_a_member_never_receives_another_members_events(app, live, people, ctx):
    studio, users = people
    parent, other = users["parent"], users["other_parent"]
    with EventClient(live, "/stream", session_cookie(app, parent)) as mine, \
            EventClient(live, "/api/v1/stream", api_token(app, other)) as theirs:
        mine.wait_connected()
        theirs.wait_connected()
        notify(studio, [parent], "new_message", "For the parent only", email=False)
        events.publish([parent.id], "message", {"thread": "private"})
        db.session.commit()
        assert mine.next()[0] == "notification"
        assert mine.next() == ("message", {"thread": "private"})
        assert mine.next() == ("message-private", {"thread": "private"})
        events.publish([other.id], "message", {"thread": "theirs"})
        db.session.commit()
        assert theirs.next() == ("message", {"thread": "theirs"})  # nothing of the parent's first
        with pytest.raises(AssertionError):
            mine.next(timeout=0.5)


def test_unauthenticated_streams_are_refused(app, live):
    before = local_subscribers()
    page = EventClient(live, "/stream")
    assert page.status == 401
    api = EventClient(live, "/api/v1/stream")
    assert api.status == 401
    assert b'"code":"UNAUTHORIZED"' in api.body
    forged = EventClient(live, "/api/v1/stream", {"Authorization": "Bearer not-a-token"})
    assert forged.status == 401
    assert local_subscribers() <= before  # nobody subscribed


def test_a_stream_holds_no_database_connection_while_it_waits(app, live, people, ctx):
    studio, users = people
    cookie, parent_id = session_cookie(app, users["parent"]), users["parent"].id
    with app.app_context():
        pool = db.engine.pool
    db.session.commit()  # this test's session holds no connection either
    before = pool.checkedout()
    clients = [EventClient(live, "/stream", cookie) for _ in range(6)]
    try:
        for client in clients:
            client.wait_connected()
        wait_for(lambda: "keep-alive" in clients[0].comments)  # well into waiting
        assert pool.checkedout() == before
        notify(studio, [parent_id], "lesson_cancelled", "Still delivered", email=False)
        db.session.commit()
        for client in clients:
            assert client.next()[0] == "notification"
        assert pool.checkedout() == before
    finally:
        for client in clients:
            client.close()


def test_a_client_that_goes_away_is_forgotten(app, live, people):
    _studio, users = people
    before = local_subscribers()
    client = EventClient(live, "/stream", session_cookie(app, users["parent"])).wait_connected()
    assert local_subscribers() == before + 1
    client.close()
    # noticed at a heartbeat written after the close (on a loaded machine, seconds later)
    wait_for(lambda: local_subscribers() == before, timeout=30)


def test_a_stream_ends_after_its_time_and_a_reconnect_catches_up(app, people):
    _studio, users = people
    cookie = session_cookie(app, users["parent"])
    with served(app, STREAM_MAX_SECONDS=0.5, STREAM_HEARTBEAT_SECONDS=0.2) as base:
        first = EventClient(base, "/stream", cookie).wait_connected()
        assert first.ended.wait(5)
        again = EventClient(base, "/stream", {**cookie, "Last-Event-ID": "0"})
        assert again.next() == ("notification", {"catch_up": True})
        assert again.next() == ("message", {"catch_up": True})
        assert again.next() == ("catch-up", {"catch_up": True})  # what an open thread hears
        again.close()


def test_signed_in_pages_connect_to_the_stream(app, people):
    _studio, users = people
    client = app.test_client()
    web_login(client, users["parent"].email)
    html = client.get("/").get_data(as_text=True)
    assert 'hx-ext="sse" sse-connect="/stream"' in html
    assert "vendor/htmx-ext-sse.min.js" in html
    signed_out = app.test_client().get("/login").get_data(as_text=True)
    assert "sse-connect" not in signed_out
