"""Writing many rows at once, for generators and imports that create thousands of rows:
no ORM objects, few round trips, COPY on PostgreSQL."""
from operator import itemgetter

from app.extensions import db


def bulk_insert(model, rows, chunk=5000):
    """Write many rows of `model` (dicts with the same keys) in a few executemany batches;
    on PostgreSQL (psycopg) with COPY, which is many times faster for the large demo."""
    db.session.flush()
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.driver == "psycopg":
        _copy_rows(connection, model.__table__, rows)
    elif connection.dialect.driver == "pysqlite":
        _execute_many(connection, model.__table__, rows, chunk)
    else:
        for start in range(0, len(rows), chunk):
            connection.execute(model.__table__.insert(), rows[start:start + chunk])


def _converters(connection, table, names):
    """Each column's conversion to what the driver takes, as an INSERT would apply it."""
    dialect = connection.dialect
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]


def _execute_many(connection, table, rows, chunk):
    """One prepared INSERT run over the rows by the driver itself (SQLite): the values are
    converted here, once per value, without the per-row bookkeeping of an executemany
    through the SQL layer, which costs more than SQLite's own work for big batches."""
    defaults = _defaults(table, set(rows[0]))
    names = [*rows[0], *defaults]
    convert = _converters(connection, table, names)
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in names)
    marks = ", ".join("?" * len(names))
    # Names come from the table's metadata, quoted; every value is a bound parameter.
    sql = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES ({marks})"  # noqa: S608
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    steps = [(index, process) for index, process in enumerate(convert) if process is not None]
    # Rows made from one template share their objects (ids, timestamps): a value that is the
    # very object of the previous row is not converted again.
    last_in, last_out = [object()] * len(names), [None] * len(names)
    cursor = connection.connection.driver_connection.cursor()
    try:
        for start in range(0, len(rows), chunk):
            batch = []
            for row in rows[start:start + chunk]:
                row = list(values(_with_defaults(row, defaults) if defaults else row))
                for index, process in steps:
                    value = row[index]
                    if value is not last_in[index]:
                        last_in[index], last_out[index] = value, process(value)
                    row[index] = last_out[index]
                batch.append(row)
            cursor.executemany(sql, batch)
    finally:
        cursor.close()


def _defaults(table, given):
    """{column: default} for the columns the rows leave out that have a Python-side default
    (an INSERT applies those itself; COPY would leave them NULL)."""
    return {column.name: column.default for column in table.columns
            if column.name not in given and column.default is not None
            and (column.default.is_scalar or column.default.is_callable)}


def _with_defaults(row, defaults):
    """The row with a value for each default, a callable one (a new id) called per row."""
    return {**row, **{name: default.arg if default.is_scalar else default.arg(None)
                      for name, default in defaults.items()}}


def _copy_rows(connection, table, rows):
    """COPY `rows` into `table`, each value converted by its column type as an INSERT would."""
    defaults = _defaults(table, set(rows[0]))
    names = [*rows[0], *defaults]
    convert = _converters(connection, table, names)
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in names)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            row = _with_defaults(row, defaults) if defaults else row
            copy.write_row([row[name] if process is None else process(row[name])
                            for name, process in zip(names, convert, strict=True)])
