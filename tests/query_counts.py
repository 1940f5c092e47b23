"""The N+1 check (SPEC §8): a page or list runs as many SQL queries for many rows as for few."""
from typing import NamedTuple

from tests.conftest import counted

SLACK = 1  # a page may run one more query once a list is non-trivial, never one per row


class Counted(NamedTuple):
    first: object  # the response with few rows
    last: object  # the response with many rows
    few: list  # the SQL statements of the first request
    many: list  # and of the last


def assert_flat(app, fetch, grow, *, rows=(2, 12), slack=SLACK):
    """Grow the data to rows[0] rows (`grow(n)` adds n), count the queries of `fetch()`, grow to
    rows[1] and count again: the second count may exceed the first by `slack` at most. Both
    fetches must answer 200."""
    small, large = rows
    if small:
        grow(small)
    with counted(app) as few:
        first = fetch()
    grow(large - small)
    with counted(app) as many:
        last = fetch()
    for response in (first, last):
        assert response.status_code == 200, response.get_json(silent=True)
    print(f"QUERIES {len(few)} -> {len(many)}")
    assert len(many) <= len(few) + slack, (
        f"{len(few)} queries with {small} rows, {len(many)} with {large}:\n"
        + "\n---\n".join(many))
    return Counted(first, last, few, many)
