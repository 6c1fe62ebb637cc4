"""Whether the published catalogue is behind the store: a refresh is due after an import changed rows.

An import commits its rows and only then refreshes the catalogue (minutes, in its own transaction).
A crash, a stop or a failed refresh in between would leave new rows beside the old figures, with
the batch saying "loaded". So the import writes a `refresh_due` row in the transaction of its
load (`request`), and `catalogue.refresh` deletes the rows it has published in its own
transaction (`seen` before it reads the store, `clear` at its end; see `queries.catalogue.marks`):
a row that is there means figures wait to be published. An import that commits while a refresh
runs keeps its row (the refresh read its ids before reading the data), so nothing is ever marked
published that was not.

Who finishes a due refresh: the next import (`queries.ingest.importer.import_files`), the next start of
the app (`finish_in_background`, called by `dashboard.create_app`), or `loket refresh`;
`loket refresh --status` and the admin pages say that one is due.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from typing import Callable
import time

import sqlalchemy as sa

from queries import catalogue
# The marks are read through this module too: callers ask it whether a refresh is due.
from queries.catalogue.marks import Due, clear, due, is_due, request, seen  # noqa: F401

log = logging.getLogger(__name__)
START_LOCK_KEY = 7_000_011  # PostgreSQL advisory lock: one app process finishes a due refresh at start


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


def finish_in_background(engine: sa.Engine, policy,
                         after: Callable[[], object] | None = None) -> threading.Thread | None:
    """At app start: when a refresh is due, run it in a background thread and return that thread.

    `after`: called once the refresh published a release (the app starts delivering its packs).

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
            if finish(engine, policy) and after is not None:
                after()
        except Exception:  # noqa: BLE001 - logged; the mark stays, so it is tried again
            log.exception("the due catalogue refresh failed; run `loket refresh`")

    thread = threading.Thread(target=run, name="loket-due-refresh", daemon=True)
    thread.start()
    return thread
