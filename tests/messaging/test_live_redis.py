"""Live updates across processes through Redis pub/sub (REDIS_URL): an event raised in this
process reaches clients of the stream server (gunicorn with gunicorn-stream.conf.py, as
deployed) in another; each process listens on one connection whatever its client count; the
listener comes back after Redis drops it, and tells its pages to catch up."""
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
import redis

from app.core import events
from app.extensions import db
from app.messaging.services import notify
from tests.conftest import api_login, bearer
from tests.messaging.live import EventClient, gunicorn

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture()
def channel():
    """A channel of this test's own (pub/sub channels are shared by every Redis database)."""
    return f"cadenza:events:test:{uuid.uuid4().hex[:12]}"


@pytest.fixture()
def people(make):
    studio = make.studio(name="Redis Studio")
    users = [make.member(studio, "parent") for _ in range(3)]
    db.session.commit()
    return studio, users


@contextmanager
def raising_with_redis(app, channel):
    """This process raises its events through Redis, on `channel`."""
    previous = app.config.get("REDIS_URL"), app.config.get("EVENTS_CHANNEL")
    app.config.update(REDIS_URL=REDIS_URL, EVENTS_CHANNEL=channel)
    try:
        yield
    finally:
        app.config["REDIS_URL"], app.config["EVENTS_CHANNEL"] = previous


def stream_server(app, database_url, channel, **env):
    return gunicorn(database_url, app.config["SECRET_KEY"], REDIS_URL=REDIS_URL,
                    EVENTS_CHANNEL=channel, STREAM_HEARTBEAT_SECONDS="0.5",
                    STREAM_MAX_SECONDS="60", STREAM_THREADS="50", CADENZA_ENV="development",
                    **env)


def subscribers(channel):
    return dict(redis.Redis.from_url(REDIS_URL).pubsub_numsub(channel))[channel.encode()]


def test_an_event_raised_in_one_process_reaches_a_client_of_another(app, database_url, people,
                                                                     channel, ctx):
    studio, (parent, other, _third) = people
    tokens = {user.id: bearer(api_login(app.test_client(), user.email)) for user in (parent, other)}
    with stream_server(app, database_url, channel) as base, \
            EventClient(base, "/api/v1/stream", tokens[parent.id]) as mine, \
            EventClient(base, "/api/v1/stream", tokens[other.id]) as theirs:
        mine.wait_connected()
        theirs.wait_connected()
        with raising_with_redis(app, channel):
            notify(studio, [parent], "lesson_cancelled", "Cancelled elsewhere", email=False)
            db.session.commit()
            events.publish([other.id], "message", {"thread": "theirs"})
            db.session.rollback()  # rolled back: never published
            events.publish([other.id], "message", {"thread": "committed"})
            db.session.commit()
        assert mine.next() == ("notification", {"type": "lesson_cancelled",
                                                "title": "Cancelled elsewhere"})
        assert theirs.next() == ("message", {"thread": "committed"})
        with pytest.raises(AssertionError):
            mine.next(timeout=0.5)


def test_each_process_listens_once_whatever_its_clients(app, database_url, people, channel, ctx):
    studio, users = people
    tokens = [bearer(api_login(app.test_client(), user.email)) for user in users]
    with stream_server(app, database_url, channel, STREAM_WORKERS="2") as base:
        clients = [EventClient(base, "/api/v1/stream", tokens[n % 3]) for n in range(24)]
        try:
            for client in clients:
                client.wait_connected()
            # One connection per worker process that holds clients (the kernel decides how
            # the 24 are spread over the two), never one per client.
            assert 1 <= subscribers(channel) <= 2
            with raising_with_redis(app, channel):
                events.publish([user.id for user in users], "notification", {"n": 1})
                db.session.commit()
            for client in clients:  # every one told once, whichever worker holds it
                assert client.next() == ("notification", {"n": 1})
                with pytest.raises(AssertionError):
                    client.next(timeout=0.05)
        finally:
            for client in clients:
                client.close()


def _wait(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_the_listener_reconnects_when_redis_drops_it_and_pages_catch_up(channel):
    broker = events.RedisBroker(REDIS_URL, channel)
    user = str(uuid.uuid4())
    subscription = broker.subscribe(user)
    try:
        assert broker.listening.wait(5)
        admin = redis.Redis.from_url(REDIS_URL)
        name = f"cadenza-events-{__import__('os').getpid()}"
        ours = [c["id"] for c in admin.client_list() if c.get("name") == name
                and channel.encode() in admin.pubsub_channels(channel)]
        assert ours
        for client_id in ours:
            admin.client_kill_filter(_id=client_id)
        _wait(lambda: not broker.listening.is_set() or subscription.queue.qsize())
        assert broker.listening.wait(10)  # back on the channel
        caught_up = [subscription.get(timeout=5), subscription.get(timeout=5)]
        assert [event["event"] for event in caught_up] == ["notification", "message"]
        broker.send({"users": [user], "event": "message", "data": {"thread": "after"}})
        assert subscription.get(timeout=5) == {"event": "message", "data": {"thread": "after"}}
    finally:
        subscription.close()
        broker.stop()


def test_an_event_that_cannot_reach_redis_is_delivered_in_this_process(channel):
    broker = events.RedisBroker("redis://127.0.0.1:1/0", channel)  # nothing listens there
    user = str(uuid.uuid4())
    with broker.subscribe(user) as subscription:
        broker.send({"users": [user], "event": "notification", "data": {}})
        assert subscription.get(timeout=5) == {"event": "notification", "data": {}}
    broker.stop()


def test_one_listener_thread_per_process(channel):
    broker = events.RedisBroker(REDIS_URL, channel)
    try:
        subscriptions = [broker.subscribe(uuid.uuid4()) for _ in range(20)]
        assert broker.listening.wait(5)
        listeners = [t for t in threading.enumerate() if t.name == "cadenza-events"
                     and t is broker.listener]
        assert len(listeners) == 1
        assert subscribers(channel) == 1
        for subscription in subscriptions:
            subscription.close()
    finally:
        broker.stop()
