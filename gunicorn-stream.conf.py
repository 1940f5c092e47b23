"""gunicorn for the live-update streams: `gunicorn -c gunicorn-stream.conf.py wsgi:app`.

An open stream waits on a queue almost all the time: a thread of a gthread worker holds it,
so one worker keeps STREAM_THREADS (default 500) clients without taking anything from the
pages, which the sync workers of gunicorn.conf.py serve. A stream holds no database
connection while it waits (app/core/events.py).

Events raised in another process (a page's request, the job worker) reach these streams
through Redis: REDIS_URL is required as soon as anything but this one process raises them,
that is in any deployment with the page server beside it. Without Redis, run this server
alone, one worker, for everything (small studios): pages and streams then share its threads.
"""
import os

bind = os.environ.get("BIND", "127.0.0.1:8001")
workers = int(os.environ.get("STREAM_WORKERS", 1))
worker_class = "gthread"
threads = int(os.environ.get("STREAM_THREADS", 500))
worker_connections = threads + 100  # the streams, plus keep-alive connections between requests
timeout = 30  # the worker's heartbeat to the arbiter; a stream may last far longer
graceful_timeout = 10  # a stopping worker ends its streams; browsers reconnect to the next one

if workers > 1 and not os.environ.get("REDIS_URL"):
    raise SystemExit("gunicorn-stream.conf.py: STREAM_WORKERS > 1 needs REDIS_URL, or an event "
                     "raised in one worker would not reach the clients of another.")
