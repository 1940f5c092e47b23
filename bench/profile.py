"""Profile one request on the large demo:

    python -m bench.profile PATH [web|api|parent] [--postgres]
"""
import cProfile
import pstats
import sys

from bench import __main__ as bench
from bench.__main__ import api_headers, build_dataset, counted, make_app, web_client


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
    profiler = cProfile.Profile()
    with counted(engine) as statements:
        profiler.enable()
        response = client.get(path, headers=headers)
        profiler.disable()
    print(response.status_code, len(statements), "queries")
    if "-q" in sys.argv:
        for statement in statements:
            print(statement[:600], "\n---")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
