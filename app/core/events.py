"""Live events: a small message to the open pages of chosen users ("your bell changed", "a
message arrived in thread X"), sent once the transaction that caused it commits.

`publish(user_ids, name, data)` stages the event in the session; a rolled-back transaction
(or savepoint) takes its events back, a committed one hands them to the broker. The broker
is this process (`LocalBroker`) unless `REDIS_URL` is set: then every web process publishes
to one Redis channel and listens on it, so an event raised in one process reaches clients
connected to another. `subscribe(user_id)` gives a queue of the events for one user;
`EventStream` turns it into the text/event-stream the stream endpoints answer with.

Events are hints ("look again"), not the data: a page refreshes its bell or thread from the
database when told. An event lost (Redis down for a moment, a client reconnecting) is made
good by a catch-up: the stream sends "notification" and "message" once more after any gap.
"""
import json
import logging
import os
import queue
import threading
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

STAGED = "cadenza_events"
CHANNEL = "cadenza:events"
CATCH_UP = ("notification", "message")  # what a page refreshes after a gap in its events

log = logging.getLogger(__name__)


def publish(user_ids, name, data=None, *, session=None):
    """Send event `name` with `data` (JSON-able) to every open page of `user_ids`, after the
    current transaction commits."""
    from app.extensions import db

    session = session or db.session()
    ids = sorted({str(user_id) for user_id in user_ids if user_id})
    if not ids:
        return
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(STAGED, []).append(
        ({"users": ids, "event": name, "data": data or {}}, transaction))


def _within(transaction, ended):
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@sa.event.listens_for(Session, "after_commit")
def _send_staged(session):
    events = [event for event, _ in session.info.pop(STAGED, None) or []]
    if events:
        broker = current_broker()
        for event in events:
            broker.send(event)


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session, previous_transaction):
    kept = [(event, tx) for event, tx in session.info.pop(STAGED, None) or []
            if not _within(tx, previous_transaction)]
    if kept:
        session.info[STAGED] = kept


class Subscription:
    """The events for one user's open page, in order; `get(timeout)` returns one or None."""

    def __init__(self, broker, user_id):
        self.broker, self.user_id = broker, str(user_id)
        self.queue = queue.Queue(maxsize=1000)

    def get(self, timeout=None):
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self):
        self.broker.unsubscribe(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LocalBroker:
    """Delivers events to subscribers in this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.subscribers = {}  # user id -> set of Subscription

    def subscribe(self, user_id):
        subscription = Subscription(self, user_id)
        with self.lock:
            self.subscribers.setdefault(subscription.user_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription):
        with self.lock:
            mine = self.subscribers.get(subscription.user_id)
            if mine is not None:
                mine.discard(subscription)
                if not mine:
                    del self.subscribers[subscription.user_id]

    def connected(self):
        with self.lock:
            return sum(len(subs) for subs in self.subscribers.values())

    def send(self, event):
        self.deliver(event)

    def deliver(self, event):
        """Hand `event` to this process's subscribers among its users (a full queue, a
        client that stopped reading, drops the event rather than growing without bound)."""
        with self.lock:
            targets = [sub for user in event["users"] for sub in self.subscribers.get(user, ())]
        for subscription in targets:
            try:
                subscription.queue.put_nowait({"event": event["event"], "data": event["data"]})
            except queue.Full:
                pass


class RedisBroker(LocalBroker):
    """Events through Redis pub/sub: `send` PUBLISHes on one channel; one listener thread per
    process (started with its first subscriber, so a process that only raises events, as the
    job worker, runs none) hands what arrives to this process's subscribers. When Redis
    drops, the listener reconnects (backing off up to 5 s) and tells every subscriber to
    catch up; an event that cannot be published is delivered in this process at least."""

    def __init__(self, url, channel=CHANNEL):
        import redis

        super().__init__()
        self.url, self.channel, self.redis = url, channel, redis
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.listener = None
        self.listening = threading.Event()  # set while subscribed to the channel
        self.stopping = threading.Event()

    def subscribe(self, user_id):
        subscription = super().subscribe(user_id)
        self._start_listener()
        return subscription

    def send(self, event):
        try:
            self.client.publish(self.channel, encode(event))
        except self.redis.RedisError as exc:
            log.warning("Live event not published to Redis (%s); sent in this process only", exc)
            self.deliver(event)

    def _start_listener(self):
        with self.lock:
            if self.listener is not None and self.listener.is_alive():
                return
            # A new thread also after a fork: the parent's listener does not run in the child.
            self.listener = threading.Thread(target=self._listen, name="cadenza-events",
                                             daemon=True)
            self.listener.start()

    def _listen(self):
        delay, connected_before = 0.5, False
        while not self.stopping.is_set():
            pubsub = None
            try:
                client = self.redis.Redis.from_url(
                    self.url, socket_connect_timeout=5, socket_keepalive=True,
                    health_check_interval=15, client_name=f"cadenza-events-{os.getpid()}")
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                pubsub.get_message(timeout=5)  # the subscription's confirmation
                self.listening.set()
                if connected_before:
                    log.info("Live events: Redis listener reconnected")
                    self.catch_up()
                connected_before, delay = True, 0.5
                while not self.stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message["type"] == "message":
                        self._deliver_raw(message["data"])
            except (self.redis.RedisError, OSError) as exc:
                if self.listening.is_set() or not connected_before:
                    log.warning("Live events: Redis listener lost its connection (%s)", exc)
                self.listening.clear()
                self.stopping.wait(delay)
                delay = min(delay * 2, 5.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except (self.redis.RedisError, OSError):
                        pass
        self.listening.clear()

    def _deliver_raw(self, raw):
        try:
            event = json.loads(raw)
            users, name = event["users"], event["event"]
        except (ValueError, TypeError, KeyError):
            log.warning("Live events: ignored a malformed message on %s", self.channel)
            return
        if isinstance(users, list) and isinstance(name, str):
            self.deliver({"users": [str(u) for u in users], "event": name,
                          "data": event.get("data") or {}})

    def catch_up(self):
        """Every subscriber of this process refreshes what it shows (events may have been
        lost while Redis was away)."""
        with self.lock:
            users = list(self.subscribers)
        for name in CATCH_UP:
            self.deliver({"users": users, "event": name, "data": {"catch_up": True}})

    def stop(self, timeout=5):
        self.stopping.set()
        if self.listener is not None:
            self.listener.join(timeout)


_brokers = {}  # Redis URL (None: this process only) -> broker
_forced = None
_broker_lock = threading.Lock()


def _redis_url():
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get("REDIS_URL") or None, current_app.config.get(
            "EVENTS_CHANNEL") or CHANNEL
    return os.environ.get("REDIS_URL") or None, os.environ.get("EVENTS_CHANNEL") or CHANNEL


def current_broker():
    """This process's broker for the app in use: Redis pub/sub when its `REDIS_URL` is set,
    else this process only. One per URL and channel, made on first use."""
    with _broker_lock:
        if _forced is not None:
            return _forced
    url, channel = _redis_url()
    key = (url, channel) if url else None
    with _broker_lock:
        broker = _brokers.get(key)
        if broker is None:
            broker = _brokers[key] = RedisBroker(url, channel) if url else LocalBroker()
        return broker


def set_broker(broker):
    """Use `broker` in this process whatever the configuration (tests); `None` goes back to
    choosing by configuration. Returns the previous forced broker."""
    global _forced
    with _broker_lock:
        previous, _forced = _forced, broker
        return previous


def subscribe(user_id):
    return current_broker().subscribe(user_id)


def encode(event):
    """An event as one JSON line (the Redis message)."""
    return json.dumps(event, separators=(",", ":"), default=str)


def sse(name=None, data=None, *, comment=None, retry=None, event_id=None):
    """One server-sent event as text: `event:`/`data:` lines (data as one JSON line), or a
    comment line (a heartbeat), or a `retry:` instruction."""
    lines = []
    if comment is not None:
        lines.append(f": {comment}")
    if retry is not None:
        lines.append(f"retry: {int(retry)}")
    if event_id is not None:
        lines.append(f"id: {event_id}")
    if name is not None:
        lines += [f"event: {name}", f"data: {encode(data or {})}"]
    return "\n".join(lines) + "\n\n"


class EventStream:
    """The body of a stream response: one user's events as text/event-stream, a heartbeat
    comment every `heartbeat` seconds of quiet (so a client or proxy that went away is
    noticed at the next write), ending after `max_seconds` (the client reconnects, and its
    sign-in is checked again). `catch_up` (a reconnect) sends "notification" and "message"
    first, so a page refreshes what it may have missed.

    `aliases(name, data)`, when given, names more events to send with the same data after
    each one: a page listens for the narrow name it needs (htmx's trigger filters evaluate
    JavaScript from strings, which the Content Security Policy forbids).

    It holds no database connection or app context: the view loads what it needs, subscribes
    and releases the session before returning this. The server calls `close()` when the
    client goes away or the stream ends; the subscription ends with it."""

    def __init__(self, subscription, *, heartbeat=15.0, max_seconds=300.0, retry_ms=3000,
                 catch_up=False, aliases=None):
        self.subscription = subscription
        self.aliases = aliases
        self.heartbeat, self.retry_ms = heartbeat, retry_ms
        self.deadline = time.monotonic() + max_seconds
        # An id from the start: a browser reconnecting after the stream ends sends it back as
        # Last-Event-ID, and is caught up.
        self.pending = [sse(comment="connected", retry=retry_ms, event_id=0)]
        if catch_up:
            for name in CATCH_UP:
                self.pending += self._frames(name, {"catch_up": True})
        self.sent = 0
        self.closed = False

    def __iter__(self):
        return self

    def __next__(self):
        if self.pending:
            return self.pending.pop(0).encode()
        if self.closed:
            raise StopIteration
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.close()
            raise StopIteration
        event = self.subscription.get(timeout=min(self.heartbeat, remaining))
        if event is None:
            return sse(comment="keep-alive").encode()
        self.sent += 1
        first, *self.pending = self._frames(event["event"], event["data"], event_id=self.sent)
        return first.encode()

    def _frames(self, name, data, event_id=None):
        frames = [sse(name, data, event_id=event_id)]
        if self.aliases is not None:
            frames += [sse(alias, data) for alias in self.aliases(name, data)]
        return frames

    def close(self):
        if not self.closed:
            self.closed = True
            self.subscription.close()


STREAM_HEADERS = {
    "Cache-Control": "no-cache, no-store",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
}


def stream_response(user_id, config, *, catch_up=False, aliases=None):
    """The streaming response for `user_id`'s events, with the timings of `config`
    (STREAM_HEARTBEAT_SECONDS, STREAM_MAX_SECONDS, STREAM_RETRY_MS) and the `aliases` of
    EventStream. Subscribe before the response starts, so nothing committed after this call
    is missed."""
    from flask import Response

    stream = EventStream(
        subscribe(user_id), heartbeat=float(config.get("STREAM_HEARTBEAT_SECONDS", 15)),
        max_seconds=float(config.get("STREAM_MAX_SECONDS", 300)),
        retry_ms=int(config.get("STREAM_RETRY_MS", 3000)), catch_up=catch_up, aliases=aliases)
    response = Response(stream, mimetype="text/event-stream", headers=STREAM_HEADERS,
                        direct_passthrough=True)
    return response
