"""Time and EXPLAIN every SQL statement of one request:

    python -m bench.explain PATH [web|api|parent] [--postgres]
"""
import sys
import time

from sqlalchemy import event

from bench import __main__ as bench
from bench.__main__ import api_headers, build_dataset, make_app, web_client


def main():
    path = sys.argv[1]
    who = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("-") else "web"
    if "--postgres" in sys.argv:
        bench.use_postgres()
    build_dataset(keep=True)
    app = make_app()
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    if who == "api":
        client, headers = app.test_client(), api_headers(app, "admin@demo.test")
    else:
        client = web_client(app, "parent@demo.test" if who == "parent" else "admin@demo.test")
        headers = {}
    client.get(path, headers=headers)
    timings = []

    def before(conn, cursor, statement, params, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):
        elapsed = (time.perf_counter() - conn.info["t0"]) * 1000
        plan = []
        if statement.lstrip().upper().startswith("SELECT") and engine.dialect.name == "sqlite":
            plan = [row[-1] for row in conn.connection.driver_connection.execute(
                "EXPLAIN QUERY PLAN " + statement, params)]
        timings.append((elapsed, statement, plan))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    total = (time.perf_counter() - started) * 1000
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    print(response.status_code, f"{total:.1f} ms total", len(timings), "queries",
          f"{sum(t for t, _, _ in timings):.1f} ms in SQL")
    for elapsed, statement, plan in sorted(timings, key=lambda t: -t[0])[:8]:
        print(f"\n{elapsed:8.1f} ms  {' '.join(statement.split())[:900]}")
        for line in plan:
            print("          ", line)


if __name__ == "__main__":
    main()
