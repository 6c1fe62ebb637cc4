"""The marks that say the published catalogue is behind the store (rows of `refresh_due`).

An import writes a mark in the transaction of its load (`request`); the refresh reads the marks
before it reads the store (`seen`) and deletes them at its end, in its own transaction (`clear`).
The protocol, and who finishes a due refresh, is told in `queries.catalogue.refresh_due`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from queries.store.schema import ImportBatch, RefreshDue


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

