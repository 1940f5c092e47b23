"""Requests released at the same moment, for the races row locks and unique constraints must
settle. Each thread has its own test client, and so its own database session and connection.

Mark such tests `pytest.mark.postgres`: SQLite serializes writers on its own, so tests/conftest.py
skips them there.
"""
import threading

JOIN_TIMEOUT = 60  # seconds; a thread still waiting then leaves None as its result


def parallel(app, requests):
    """Run each `request(client)` in its own thread, all released at once by a barrier.

    Returns, in the order given, what each returned or the exception it raised (so the
    test's assertions report it)."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(i, request):
        client = app.test_client()
        barrier.wait()
        try:
            results[i] = request(client)
        except Exception as exc:  # reported by the caller's assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    return results
