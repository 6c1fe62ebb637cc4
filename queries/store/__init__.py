"""The registration store: its engines, sessions, time limits and migrations (this module), and its modules:
`schema` (the tables), `codes` (every code list with its labels), `periods` (months, quarters,
years), `csvfile` (the one CSV writer), `jobs` (background jobs) and `migrations` (Alembic).

Time limits (README "Configuration", `LOKET_STORE_*`): a store that accepts connections but does
not answer (a stopped server, a lock, a saturated machine) must not hold the app's threads. Every
engine gives up connecting after `connect_seconds` and waiting for a pooled connection after
`pool_seconds`. Statements have no limit by default (imports and the catalogue refresh run long
ones); a web request runs inside `time_limited(seconds)`, which makes each of its statements wait
at most that long for an answer (PostgreSQL: on the client, so it holds for a frozen server too;
SQLite: the busy timeout of its write lock). After one time-out the rest of that request does not
connect anew and waits at most `AFTER_TIMEOUT_SECONDS` per statement, and the app answers 503
(`is_timeout`).
"""
from __future__ import annotations

import contextlib
import functools
import math
import sqlite3
import threading
from pathlib import Path

import pandas as pd
import psycopg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session, sessionmaker

from queries.store.schema import Registration

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'loket.sqlite'}"
CONNECT_SECONDS = 3.0  # libpq waits at least 2 s
POOL_SECONDS = 3.0
STATEMENT_SECONDS = 5.0  # the default of a request's limit (dashboard.config)
AFTER_TIMEOUT_SECONDS = 0.25  # once a request has given up: enough for a rollback, not for a frozen store
UNLIMITED_BUSY_MS = 30_000  # SQLite's write lock, outside requests: an import may hold it a while
CANCEL_SECONDS = 1.0

_LIMIT = threading.local()  # .seconds: this thread's statement limit (None: none); .gave_up: it expired


class StoreTimeout(psycopg.OperationalError):
    """The store did not answer within the caller's limit (the connection is closed)."""


def get_engine(url: str = DEFAULT_URL, *, connect_seconds: float = CONNECT_SECONDS,
               pool_seconds: float = POOL_SECONDS) -> sa.Engine:
    """Return the one engine for a store URL and limits, creating an SQLite file's folder on first use."""
    return _engine(url, float(connect_seconds), float(pool_seconds))


@functools.cache
def _engine(url: str, connect_seconds: float, pool_seconds: float) -> sa.Engine:
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": UNLIMITED_BUSY_MS / 1000}, pool_timeout=pool_seconds)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "checkout", _sqlite_busy_timeout)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True, pool_timeout=pool_seconds)
        if engine.dialect.driver == "psycopg":
            sa.event.listen(engine, "do_connect", _pg_connect(max(2, math.ceil(connect_seconds))))
    sa.event.listen(engine, "handle_error", _note_timeout)
    return engine


def _sqlite_pragmas(dbapi_conn, _record):
    # WAL lets the dashboard read while an import or refresh writes; SQLite leaves FKs off by default.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# --- time limits ----------------------------------------------------------------------------------

@contextlib.contextmanager
def time_limited(seconds: float | None):
    """Let every statement of this thread wait at most `seconds` for the store (None: no limit)."""
    before = getattr(_LIMIT, "seconds", None), getattr(_LIMIT, "gave_up", False)
    _LIMIT.seconds, _LIMIT.gave_up = seconds, False
    try:
        yield
    finally:
        _LIMIT.seconds, _LIMIT.gave_up = before


def _limit() -> float | None:
    """Return the seconds this thread's next statement may wait (None: no limit)."""
    seconds = getattr(_LIMIT, "seconds", None)
    if seconds is None:
        return None
    return min(seconds, AFTER_TIMEOUT_SECONDS) if _gave_up() else float(seconds)


def _gave_up() -> bool:
    return getattr(_LIMIT, "seconds", None) is not None and getattr(_LIMIT, "gave_up", False)


def _give_up() -> None:
    if getattr(_LIMIT, "seconds", None) is not None:
        _LIMIT.gave_up = True


def _sqlite_busy_timeout(dbapi_conn, record, _proxy):
    # Readers never wait in WAL mode; writers wait for the write lock at most this long.
    limit = _limit()
    busy_ms = UNLIMITED_BUSY_MS if limit is None else int(limit * 1000)
    if record.info.get("busy_ms") != busy_ms:
        dbapi_conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
        record.info["busy_ms"] = busy_ms


class _TimedConnection(psycopg.Connection):
    """A psycopg connection whose waits for the server end at the thread's limit (see `time_limited`).

    psycopg waits for every answer in `wait`; with a limit it gives up there, asks the server to
    cancel (freeing a lock it waits for; a frozen server will not hear it) and closes the
    connection, which SQLAlchemy then throws away with the rest of the pool.
    """

    def wait(self, gen, interval=None, timeout=None):
        limit = _limit()
        kwargs = {} if interval is None else {"interval": interval}
        if limit is None or timeout is not None:
            return super().wait(gen, timeout=timeout, **kwargs)
        try:
            return super().wait(gen, timeout=limit, **kwargs)
        except psycopg.errors._WaitTimeout:  # noqa: SLF001 - psycopg's own signal that a wait expired
            gen.close()
            self._abandon()
            _give_up()
            raise StoreTimeout(f"the store did not answer within {limit:g} s") from None

    def _abandon(self) -> None:
        with contextlib.suppress(psycopg.Error):
            if self.pgconn.transaction_status == psycopg.pq.TransactionStatus.ACTIVE:
                self.cancel_safe(timeout=CANCEL_SECONDS)
        self.pgconn.finish()


def _pg_connect(connect_seconds: int):
    def connect(_dialect, _record, cargs, cparams):
        if _gave_up():  # this request found the store silent: do not wait for a new connection too
            raise StoreTimeout("the store did not answer")
        cparams.setdefault("connect_timeout", connect_seconds)  # a connect_timeout in the URL wins
        return _TimedConnection.connect(*cargs, **cparams)

    return connect


def _note_timeout(context) -> None:
    if is_timeout(context.original_exception):
        _give_up()


def is_timeout(error: BaseException) -> bool:
    """Tell whether a store error means that the store did not answer in time (not that it refused)."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection came free
        return True
    orig = getattr(error, "orig", None) or error
    if isinstance(orig, (StoreTimeout, psycopg.errors.ConnectionTimeout, psycopg.errors.QueryCanceled,
                         psycopg.errors.LockNotAvailable)):
        return True
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


# --- sessions and migrations ----------------------------------------------------------------------

def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Return a session factory bound to an engine."""
    return sessionmaker(engine, expire_on_commit=False)


@contextlib.contextmanager
def transaction(engine: sa.Engine):
    """Yield a session that commits on success and rolls back on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session


def insert_frame(conn: sa.Connection, model, frame: pd.DataFrame) -> None:
    """Insert a frame of plain values (text, numbers, booleans; NaN as NULL) into a table, in one driver call."""
    # Straight to the driver: DataFrame.to_dict and SQLAlchemy's per-row parameter processing took
    # most of a refresh of a store with little data (hundreds of thousands of empty cells).
    table = model.__table__
    # The driver knows nothing of the model's Python-side defaults: give them here.
    frame = frame.assign(**{c.name: c.default.arg for c in table.columns
                            if c.name not in frame and c.default is not None and c.default.is_scalar})
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    columns = list(frame.columns)
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(table.c[c].name) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in columns]
    rows = list(zip(*values))
    if rows:
        conn.exec_driver_sql(sql, rows)


def _alembic_config(connection: sa.Connection) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: sa.Engine) -> None:
    """Bring the store's schema to the newest migration (of every branch, while work in parallel
    has not been put in one line yet)."""
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "heads")


def is_current(engine: sa.Engine) -> bool:
    """Tell whether the store's schema is at the newest migration."""
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        heads = set(ScriptDirectory.from_config(_alembic_config(conn)).get_heads())
    return current == heads


def is_empty(engine: sa.Engine) -> bool:
    """Tell whether the store holds no registrations yet."""
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 0
