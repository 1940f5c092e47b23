"""gunicorn for the pages and the API: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sync workers: one request at a time each, which suits short requests and nothing else. The
live-update streams (/stream, /api/v1/stream) stay open for minutes, so they are served by
gunicorn-stream.conf.py, on threads; the proxy in front sends those two paths there (see
README, "Deploying"). BIND and WEB_CONCURRENCY (workers) come from the environment.
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 30
