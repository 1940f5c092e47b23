"""Writing many rows at once, for generators and imports that create thousands of rows:
no ORM objects, few round trips, COPY on PostgreSQL."""
import queue
import threading

from psycopg import adapters

from app.core import versions
from app.core.search import fill_search_text
from app.extensions import db


def bulk_insert(model, rows, chunk=5000):
    """Write many rows of `model` (dicts with the same keys) in a few executemany batches;
    on PostgreSQL (psycopg) with COPY, which is many times faster for the large demo."""
    _insert(model, rows, chunk, analyzed=set())


def write_batches(batches):
    """bulk_insert each (model, rows) that `batches` yields, in order. On PostgreSQL the
    batches are made on a thread of their own while the server (another process) writes
    the previous one, so making and writing overlap; elsewhere they are made and written in
    turn. `batches` must not use the session, which is busy writing."""
    analyzed = set()  # parents' statistics are fresh for the whole run after one ANALYZE
    if db.session.connection().dialect.driver != "psycopg":
        for model, rows in batches:
            _insert(model, rows, 5000, analyzed)
        return
    made = _Maker(batches)
    made.start()
    try:
        while (batch := made.next()) is not None:
            _insert(*batch, 5000, analyzed)
    finally:
        made.close()


class _Maker(threading.Thread):
    """Runs a generator of batches on its own thread, a batch ahead of its reader."""

    def __init__(self, batches):
        super().__init__(name="bulk-batches", daemon=True)
        self.batches, self.ready, self.stop = batches, queue.Queue(maxsize=1), threading.Event()
        self.failure = None

    def run(self):
        try:
            for batch in self.batches:
                self.ready.put(batch)
                if self.stop.is_set():
                    return
        except BaseException as error:  # noqa: BLE001 - raised again on the reading thread
            self.failure = error
        finally:
            self.ready.put(None)

    def next(self):
        batch = self.ready.get()
        if batch is None and self.failure is not None:
            raise self.failure
        return batch

    def close(self):
        """Stop making batches (the reader failed, or all were read) and wait for the thread."""
        self.stop.set()
        while self.is_alive():
            try:
                self.ready.get(timeout=0.05)  # a maker waiting to hand over a batch goes on
            except queue.Empty:
                pass
        self.join()


def _insert(model, rows, chunk, analyzed):
    db.session.flush()
    if not rows:
        return
    fill_search_text(model, rows)  # what the model's own events do for ORM writes
    if "studio_id" in model.__table__.c:  # SQLite: PostgreSQL's triggers see the COPY itself
        versions.touch(db.session, model.__table__, {row["studio_id"] for row in rows})
    connection = db.session.connection()
    if connection.dialect.driver == "psycopg":
        if len(rows) >= ANALYZE_FROM:
            _analyze_parents(connection, model.__table__, analyzed)
        _copy_rows(connection, model.__table__, rows, chunk)
    elif connection.dialect.driver == "pysqlite":
        _execute_many(connection, model.__table__, rows, chunk)
    else:
        for start in range(0, len(rows), chunk):
            connection.execute(model.__table__.insert(), rows[start:start + chunk])


ANALYZE_FROM = 10_000  # rows


def _analyze_parents(connection, table, analyzed):
    """Fresh statistics for the tables `table` refers to, before a big COPY on PostgreSQL.
    Each row's foreign keys are checked with a plan made from the planner's statistics; for
    tables filled earlier in the same transaction (the large demo, a new studio's first
    year) those say "empty", the plan is a sequential scan, and a COPY of 150,000 rows
    would read the parent table 150,000 times."""
    quote = connection.dialect.identifier_preparer
    parents = sorted({key.column.table.name for key in table.foreign_keys} - {table.name} - analyzed)
    for name in parents:
        connection.exec_driver_sql(f"ANALYZE {quote.quote(name)}")
    analyzed.update(parents)


def _execute_many(connection, table, rows, chunk):
    """One prepared INSERT run over the rows by the driver itself (SQLite), without the
    per-row bookkeeping of an executemany through the SQL layer, which costs more than
    SQLite's own work for big batches."""
    names, batches = _converted(connection, table, rows, chunk)
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in names)
    marks = ", ".join("?" * len(names))
    # Names come from the table's metadata, quoted; every value is a bound parameter.
    sql = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES ({marks})"  # noqa: S608 # nosec B608
    cursor = connection.connection.driver_connection.cursor()
    try:
        for batch in batches:
            cursor.executemany(sql, batch)
    finally:
        cursor.close()


def _copy_rows(connection, table, rows, chunk):
    """COPY `rows` into `table`: in PostgreSQL's binary format when every column is of a
    plain type (nothing to parse on either side), else as text."""
    names, batches = _converted(connection, table, rows, chunk)
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in names)
    types = _binary_types(connection.dialect, table, names)
    options = " (FORMAT BINARY)" if types else ""
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN{options}") as copy:
        if types:
            copy.set_types(types)
        for batch in batches:
            for row in batch:
                copy.write_row(row)


BINARY_TYPES = {"uuid", "varchar", "text", "timestamptz", "timestamp", "numeric", "bool", "date",
                "time", "int2", "int4", "int8"}


def _binary_types(dialect, table, names):
    """The PostgreSQL type of each column, or None when one is not a plain scalar (JSON,
    arrays: those go as text)."""
    types = []
    for name in names:
        info = adapters.types.get(table.c[name].type.compile(dialect=dialect).split("(")[0].lower())
        if info is None or info.name not in BINARY_TYPES:
            return None
        types.append(info.name)
    return types


def _converted(connection, table, rows, chunk):
    """(column names, batches of value tuples): every value converted by its column type as
    an INSERT would, a column at a time. Rows made from one template share their objects
    (a series' ids, one timestamp), and each such object is converted once."""
    defaults = _defaults(table, set(rows[0]))
    # A column that is NULL in every row is left out: the database writes NULL itself.
    names = [*(name for name in rows[0] if not _null_throughout(table.c[name], rows)), *defaults]
    dialect = connection.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]

    def values(part, name):
        if name not in defaults:
            return [row[name] for row in part]
        default = defaults[name]  # a callable one (a new id) is called per row
        return [default.arg] * len(part) if default.is_scalar else [default.arg(None) for _ in part]

    def batches():
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            columns = [_column(values(part, name), process)
                       for name, process in zip(names, processors, strict=True)]
            yield list(zip(*columns, strict=True))

    return names, batches()


def _null_throughout(column, rows):
    return column.server_default is None and all(row[column.name] is None for row in rows)


def _column(values, process):
    if process is None:
        return values
    distinct = {id(value): value for value in values}
    if len(distinct) == len(values):
        return list(map(process, values))
    # The values are alive in `values` throughout, so their ids stay theirs.
    done = {key: process(value) for key, value in distinct.items()}
    return [done[id(value)] for value in values]


def _defaults(table, given):
    """{column: default} for the columns the rows leave out that have a Python-side default
    (an INSERT applies those itself; COPY would leave them NULL)."""
    return {column.name: column.default for column in table.columns
            if column.name not in given and column.default is not None
            and (column.default.is_scalar or column.default.is_callable)}
