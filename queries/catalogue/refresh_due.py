"""Whether the published catalogue is behind the store: a refresh is due after an import changed rows.

An import commits its rows and only then refreshes the catalogue (minutes, in its own transaction).
A crash, a stop or a failed refresh in between would leave new rows beside the old figures, with
the batch saying "loaded". So the import writes a `refresh_due` row in the transaction of its load
(`request`), and `catalogue.refresh` deletes the rows it has published in its own transaction
(`seen` before it reads the store, `clear` at its end): a row that is there means figures wait to
be published. An import that commits while a refresh runs keeps its row (the refresh read its ids
before reading the data), so nothing is ever marked published that was not.

Who finishes a due refresh: the next import (`queries.ingest.importer.import_files`), the next start of
the app (`finish_in_background`, called by `dashboard.create_app`), or `loket refresh`;
`loket refresh --status` and the admin pages say that one is due.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa

from queries.store.schema import ImportBatch, RefreshDue

log = logging.getLogger(__name__)
START_LOCK_KEY = 7_000_011  # PostgreSQL advisory lock: one app process finishes a due refresh at start


@dataclass(frozen=True)
class Due:
    """The refresh that is due: since when, and the import batches whose rows wait to be published."""

    since: dt.datetime          # UTC, naive (as the store keeps times)
    batches: tuple[int, ...]
    files: tuple[str, ...]
    by: tuple[str, ...]


def request(conn: sa.Connection, batch_ids: list[int]) -> None:
    """Mark a refresh as due, in the transaction that loads the rows (one row per changed batch)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    conn.execute(sa.insert(RefreshDue), [{"requested_at": now, "batch_id": b} for b in batch_ids])


def seen(conn: sa.Connection) -> list[int]:
    """Return the ids of the marks a refresh starting now will publish (read before it reads the store)."""
    return list(conn.execute(sa.select(RefreshDue.id)).scalars())


def clear(conn: sa.Connection, ids: list[int]) -> None:
    """Remove the marks a refresh has published, in its transaction (after it wrote the catalogue)."""
    for start in range(0, len(ids), 1_000):
        conn.execute(sa.delete(RefreshDue).where(RefreshDue.id.in_(ids[start:start + 1_000])))


def is_due(conn: sa.Connection) -> bool:
    """Tell whether rows wait to be published."""
    return conn.execute(sa.select(RefreshDue.id).limit(1)).first() is not None


def due(engine: sa.Engine) -> Due | None:
    """Return the refresh that is due, or None when the catalogue publishes every loaded row."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(RefreshDue.requested_at, RefreshDue.batch_id, ImportBatch.filename, ImportBatch.imported_by)
            .join(ImportBatch, ImportBatch.id == RefreshDue.batch_id, isouter=True)
            .order_by(RefreshDue.id)).all()
    if not rows:
        return None
    return Due(min(r.requested_at for r in rows), tuple(r.batch_id for r in rows if r.batch_id is not None),
               tuple(dict.fromkeys(r.filename for r in rows if r.filename)),
               tuple(dict.fromkeys(r.imported_by for r in rows if r.imported_by)))


@contextlib.contextmanager
def _start_lock(engine: sa.Engine):
    """Yield True in the one process that may finish a due refresh now, False in the others.

    Every gunicorn worker builds the app; without this, each would run the same refresh in turn.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": START_LOCK_KEY}).scalar_one()
            conn.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": START_LOCK_KEY})
                    conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True
        return
    with open(f"{database}.refresh-due-lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def finish(engine: sa.Engine, policy) -> bool:
    """Run a due refresh unless another process is running it; return whether this one refreshed."""
    from queries import catalogue

    with _start_lock(engine) as mine:
        if not mine:
            log.info("a due catalogue refresh is being finished by another process")
            return False
        pending = due(engine)  # another process may have finished it meanwhile
        if pending is None:
            return False
        started = time.perf_counter()
        log.warning("the published catalogue is behind the store (import batch %s, since %s UTC): refreshing it",
                    ", ".join(map(str, pending.batches)) or "-", f"{pending.since:%Y-%m-%d %H:%M}")
        catalogue.refresh(engine, policy)
        log.warning("the due catalogue refresh is done (%.1f s); the pages show the new figures",
                    time.perf_counter() - started)
        return True


def finish_in_background(engine: sa.Engine, policy) -> threading.Thread | None:
    """At app start: when a refresh is due, run it in a background thread and return that thread.

    The app serves at once (the pages show the figures published before, and the admin pages say
    a refresh is due); a failure is logged and the mark stays, so the next start, import or
    `loket refresh` tries again.
    """
    try:
        with engine.connect() as conn:
            if not is_due(conn):
                return None
    except sa.exc.SQLAlchemyError:
        log.exception("cannot tell whether a catalogue refresh is due")
        return None
    print("A refresh of the published catalogue is due (an import's rows are not yet published): "
          "refreshing in the background; the pages show the previous figures until it is done.", flush=True)

    def run() -> None:
        try:
            finish(engine, policy)
        except Exception:  # noqa: BLE001 - logged; the mark stays, so it is tried again
            log.exception("the due catalogue refresh failed; run `loket refresh`")

    thread = threading.Thread(target=run, name="loket-due-refresh", daemon=True)
    thread.start()
    return thread
