"""Background jobs in the store: their owner, state, progress and result, read by any app instance.

The instance that accepted a job runs it (`dashboard.web.jobs`) and writes its progress and
result here; polls and downloads read only this table, so they need no sticky session. A job is
read only by its owner (the same user, role and unit). A job that is waiting or running but whose
heartbeat is older than `STALE_SECONDS` died with its instance: it reads as failed, "interrupted",
and no longer counts against its owner's cap. A result (and an import's uploads) is kept in the
row, or in a folder (`LOKET_JOB_FILES`, shared by every instance) when one is given.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from pathlib import Path

import sqlalchemy as sa

from queries import store
from queries.accounts.access import Access
from queries.store.files import write_private
from queries.store.schema import Job

STALE_SECONDS = 120   # a waiting or running job whose heartbeat is older than this was interrupted
# Progress and heartbeats wait at most this long for SQLite's write lock, which an import holds for
# its whole transaction: they are skipped then, and a job whose heartbeat stands still while the
# lock is held is not taken for interrupted (see `read`).
LOCK_WAIT_SECONDS = 0.2
INTERRUPTED = "interrupted"
ACTIVE = ("waiting", "running")


@dataclasses.dataclass(frozen=True)
class JobView:
    """A job as its owner's page sees it (without its bytes)."""

    id: str
    kind: str
    state: str
    step: str | None
    done: int
    total: int
    message: str | None
    detail: dict
    result_name: str | None
    result_mime: str | None
    result_size: int | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _owned(job_id, access: Access):
    """The condition that selects a job by its id for its owner only (no job for a malformed id)."""
    if not isinstance(job_id, str) or not 16 <= len(job_id) <= 64:
        return sa.false()
    return sa.and_(Job.id == job_id, Job.owner == access.user,
                   Job.owner_role.is_(None) if access.role is None else Job.owner_role == access.role,
                   Job.owner_unit.is_(None) if access.unit is None else Job.owner_unit == access.unit)


def _fresh(now: dt.datetime):
    """The condition of a job still waiting or running on a live instance."""
    return sa.and_(Job.state.in_(ACTIVE), Job.heartbeat_at >= now - dt.timedelta(seconds=STALE_SECONDS))


def _put(folder: Path | None, job_id: str, part: str, data: bytes) -> dict:
    """Return the columns that keep `data`: the bytes themselves, or a private file in the folder."""
    if folder is None:
        return {f"{part}_data": data, f"{part}_path": None}
    path = write_private(folder, f"{job_id}.{part}", data, replace=True)
    return {f"{part}_data": None, f"{part}_path": str(path)}


def _get(data: bytes | None, path: str | None) -> bytes | None:
    if data is not None:
        return bytes(data)
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def _drop_files(*paths: str | None) -> None:
    for path in paths:
        if path:
            Path(path).unlink(missing_ok=True)


def _one_user_at_a_time(conn: sa.Connection, access: Access) -> None:
    """Let two instances count one user's jobs one after the other (PostgreSQL; SQLite's write lock does it)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"jobs:{access.user}"})


def create(engine: sa.Engine, kind: str, access: Access, cap: int, *, detail: dict | None = None,
           data: bytes | None = None, folder: Path | None = None) -> str | None:
    """Create a waiting job for the caller; return its id, or None when they have `cap` jobs of this kind
    waiting or running."""
    job_id = secrets.token_urlsafe(32)
    now = _now()
    with engine.connect() as conn, conn.begin() as trans:
        _one_user_at_a_time(conn, access)
        # On SQLite the insert takes the write lock, so the count below sees every other instance's job.
        conn.execute(sa.insert(Job).values(
            id=job_id, kind=kind, owner=access.user, owner_role=access.role, owner_unit=access.unit,
            state="waiting", done=0, total=0, detail=json.dumps(detail or {}), created_at=now, heartbeat_at=now,
            **(_put(folder, job_id, "input", data) if data is not None else {})))
        active = conn.execute(sa.select(sa.func.count()).select_from(Job).where(
            Job.owner == access.user, Job.kind == kind, _fresh(now))).scalar_one()
        if active > cap:
            trans.rollback()
            if folder is not None:
                _drop_files(str(folder / f"{job_id}.input"))
            return None
    return job_id


def restart(engine: sa.Engine, job_id: str, access: Access, cap: int, detail: dict) -> bool:
    """Put the caller's finished job back to waiting with new detail (an import's load after its check);
    False when it is not theirs, not finished, or they have `cap` jobs of its kind waiting or running."""
    now = _now()
    with engine.connect() as conn, conn.begin() as trans:
        _one_user_at_a_time(conn, access)
        kind = conn.execute(sa.select(Job.kind).where(_owned(job_id, access), Job.state == "done")).scalar()
        moved = kind is not None and conn.execute(sa.update(Job).where(Job.id == job_id, Job.state == "done").values(
            state="waiting", step=None, done=0, total=0, message=None, detail=json.dumps(detail),
            heartbeat_at=now, finished_at=None)).rowcount == 1
        active = conn.execute(sa.select(sa.func.count()).select_from(Job).where(
            Job.owner == access.user, Job.kind == kind, _fresh(now))).scalar_one() if moved else 0
        if not moved or active > cap:
            trans.rollback()
            return False
    return True


def start(engine: sa.Engine, job_id: str) -> None:
    """Mark a job as running (its runner took it up)."""
    with engine.begin() as conn:
        conn.execute(sa.update(Job).where(Job.id == job_id).values(state="running", heartbeat_at=_now()))


def _try_update(engine: sa.Engine, where, values: dict) -> bool:
    """Update jobs unless the store's write lock is held (by an import on SQLite); return whether it was done."""
    try:
        with store.time_limited(LOCK_WAIT_SECONDS), engine.begin() as conn:
            conn.execute(sa.update(Job).where(where).values(**values))
    except sa.exc.OperationalError:
        if engine.dialect.name != "sqlite":
            raise
        return False
    return True


def progress(engine: sa.Engine, job_id: str, step: str, done: int, total: int, message: str | None = None) -> None:
    """Record a running job's step and how far it is (which also beats its heartbeat); skipped while
    SQLite's write lock is held."""
    _try_update(engine, sa.and_(Job.id == job_id, Job.state.in_(ACTIVE)),
                {"state": "running", "step": step[:32], "done": done, "total": total, "message": message,
                 "heartbeat_at": _now()})


def beat(engine: sa.Engine, job_ids: list[str]) -> None:
    """Beat the heartbeat of jobs this instance still holds (waiting for a thread or running)."""
    if job_ids:
        _try_update(engine, sa.and_(Job.id.in_(job_ids), Job.state.in_(ACTIVE)), {"heartbeat_at": _now()})


def finish(engine: sa.Engine, job_id: str, *, detail: dict | None = None, name: str | None = None,
           mime: str | None = None, data: bytes | None = None, folder: Path | None = None,
           drop_input: bool = False) -> None:
    """Record a job's success: its detail, and its result file when it made one."""
    values: dict = {"state": "done", "finished_at": _now(), "heartbeat_at": _now(), "message": None}
    if detail is not None:
        values["detail"] = json.dumps(detail, default=str)
    if data is not None:
        values.update(result_name=name[:255], result_mime=mime, result_size=len(data),
                      **_put(folder, job_id, "result", data))
    if drop_input:
        values.update(input_data=None, input_path=None)
    with engine.begin() as conn:
        old = conn.execute(sa.select(Job.input_path).where(Job.id == job_id)).scalar()
        conn.execute(sa.update(Job).where(Job.id == job_id).values(**values))
    if drop_input:
        _drop_files(old)


def fail(engine: sa.Engine, job_id: str, message: str, detail: dict | None = None) -> None:
    """Record a job's failure with the reason its page shows (a text key or code, never a traceback)."""
    values: dict = {"state": "failed", "message": message[:255], "finished_at": _now()}
    if detail is not None:
        values["detail"] = json.dumps(detail, default=str)
    with engine.begin() as conn:
        conn.execute(sa.update(Job).where(Job.id == job_id).values(**values))


def read(engine: sa.Engine, job_id, access: Access) -> JobView | None:
    """Return the caller's own job (an interrupted one as failed), or None when there is none of theirs."""
    cols = [Job.id, Job.kind, Job.state, Job.step, Job.done, Job.total, Job.message, Job.detail, Job.result_name,
            Job.result_mime, Job.result_size, Job.heartbeat_at]
    with engine.connect() as conn:
        row = conn.execute(sa.select(*cols).where(_owned(job_id, access))).one_or_none()
    if row is None:
        return None
    state, message = row.state, row.message
    if state in ACTIVE and row.heartbeat_at < _now() - dt.timedelta(seconds=STALE_SECONDS) \
            and _try_update(engine, Job.id == row.id, {"heartbeat_at": row.heartbeat_at}):
        # (a heartbeat that cannot be written, because an import holds SQLite's lock, is not a dead one)
        state, message = "failed", INTERRUPTED
    return JobView(row.id, row.kind, state, row.step, row.done, row.total, message, json.loads(row.detail or "{}"),
                   row.result_name, row.result_mime, row.result_size)


def result(engine: sa.Engine, job_id, access: Access) -> tuple[str, str, bytes] | None:
    """Return (name, MIME type, bytes) of the caller's own finished job's result, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(Job.result_name, Job.result_mime, Job.result_data, Job.result_path)
                           .where(_owned(job_id, access), Job.state == "done")).one_or_none()
    data = None if row is None else _get(row.result_data, row.result_path)
    return None if data is None else (row.result_name, row.result_mime, data)


def job_input(engine: sa.Engine, job_id: str) -> bytes | None:
    """Return what a job works on (for its runner), or None when it is gone."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(Job.input_data, Job.input_path).where(Job.id == job_id)).one_or_none()
    return None if row is None else _get(row.input_data, row.input_path)


def remove(engine: sa.Engine, job_id, access: Access) -> None:
    """Delete the caller's own job and its files (a steering pack once it was sent)."""
    with engine.begin() as conn:
        paths = conn.execute(sa.select(Job.input_path, Job.result_path).where(_owned(job_id, access))).one_or_none()
        conn.execute(sa.delete(Job).where(_owned(job_id, access)))
    if paths is not None:
        _drop_files(*paths)


def expire(engine: sa.Engine, hours: float) -> int:
    """Delete jobs created more than `hours` ago that are finished or interrupted, with their files; return how many."""
    now = _now()
    old = sa.and_(Job.created_at < now - dt.timedelta(hours=hours), sa.not_(_fresh(now)))
    with engine.begin() as conn:
        paths = conn.execute(sa.select(Job.input_path, Job.result_path).where(old)).all()
        count = conn.execute(sa.delete(Job).where(old)).rowcount
    _drop_files(*(p for row in paths for p in row))
    return count
