"""Reading millions of rows column-wise (Arrow, through ADBC) for the catalogue refresh.

Row objects cost about a microsecond per value in Python; ADBC hands a result over as Arrow
columns (SQLite's C API, PostgreSQL's binary COPY) several times faster. ADBC's SQLite driver
carries its own copy of SQLite, and two copies of SQLite in one process must never open the same
file (closing one drops the other's POSIX locks: stale reads, and in the end a corrupt store). So
the reads run in helper processes, which also lets two of them run side by side. The helpers are
forked (as the protection's are): they never touch the connections they inherit, and leave with
os._exit, so those are never closed twice.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor

# Imported here, before any fork: a forked helper must not need the import lock, which another
# thread of the serving process may hold at the moment of the fork.
import adbc_driver_postgresql.dbapi as adbc_postgresql
import adbc_driver_sqlite.dbapi as adbc_sqlite
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

# SQLite columns have no fixed type: the driver infers each from its first batch and fails when a
# later batch differs (a column NULL for the first thousand rows). One batch for the whole result
# lets it see every value, and is faster.
_SQLITE_BATCH = {"adbc.sqlite.query.batch_rows": str(2**31 - 2**20)}


def _read(backend: str, address: str, sql: str) -> pa.Table:
    driver = adbc_sqlite if backend == "sqlite" else adbc_postgresql
    with driver.connect(address) as conn, conn.cursor() as cursor:
        if backend == "sqlite":
            cursor.adbc_statement.set_options(**_SQLITE_BATCH)
        cursor.execute(sql)
        return cursor.fetch_arrow_table()


def read_tables(conn: sa.Connection, queries: Mapping[str, sa.Select], *, workers: int = 2) -> dict[str, pa.Table]:
    """Run queries against the store of `conn` in helper processes; return each result as an Arrow table.

    The helpers read committed data through their own connections, which is all the catalogue is
    ever built from. Put the largest query first: two run at a time.
    """
    url = conn.engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        address = url.database
    elif backend == "postgresql":
        address = url.set(drivername="postgresql").render_as_string(hide_password=False)
    else:
        raise ValueError(f"the refresh reads SQLite or PostgreSQL stores, not {backend}")
    compiled = {name: str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                for name, q in queries.items()}
    with ProcessPoolExecutor(min(workers, len(compiled)), mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {name: pool.submit(_read, backend, address, sql) for name, sql in compiled.items()}
        return {name: future.result() for name, future in futures.items()}


class UnknownCodes(ValueError):
    """The store holds codes outside the code lists: their rows would fit no published category."""


def coded(column: pa.ChunkedArray, categories: Sequence[str], null: str | None = None, *,
          name: str = "code") -> pd.Categorical:
    """Turn a text column into a categorical over known codes (NULL: `null`, else missing).

    The text is dictionary-encoded in Arrow, so each distinct value is looked up once, not once a row.
    Text outside the codes raises UnknownCodes: such rows would count in totals but in no breakdown,
    and the tables would no longer add up (the importer refuses them; this guards other writers).
    """
    encoded = column.cast(pa.string()).combine_chunks().dictionary_encode()
    known = pd.Index(list(categories)).get_indexer(encoded.dictionary.to_pylist())
    if (known < 0).any():
        unknown = sorted(str(v) for v, k in zip(encoded.dictionary.to_pylist(), known) if k < 0)
        raise UnknownCodes(f"the store holds {name} codes outside the code list ({', '.join(unknown[:5])}"
                           f"{', ...' if len(unknown) > 5 else ''}): correct those rows before publishing")
    lookup = np.append(known, -1 if null is None else list(categories).index(null))
    rows = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(lookup[rows], categories=list(categories))


def frame(table: pa.Table, categories: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Return an Arrow table as a DataFrame; the columns named in `categories` become categoricals."""
    categories = categories or {}
    df = table.drop_columns(list(categories)).to_pandas(date_as_object=False)
    for name, codes in categories.items():
        df[name] = coded(table[name], codes, name=name)
    return df[table.column_names]
