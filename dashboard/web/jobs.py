"""The one runner of background jobs (steering packs, imports): a thread pool in the instance that accepted them.

A job's state, progress and result live in the store (`queries.store.jobs`), so any instance
answers its polls and its download; only the instance that accepted a job runs it. While it
holds a job (waiting for a thread, or running), a heartbeat thread keeps the job's heartbeat
fresh; when the instance dies, the heartbeat stops and the job reads as interrupted. Each kind
has its own pool, so packs (heavy drawing) never hold up an import, nor the other way round.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait as wait_for
from pathlib import Path

import sqlalchemy as sa

from queries.store import jobs as store_jobs

log = logging.getLogger(__name__)

THREADS = {"pack": 2, "import": 1}  # jobs of a kind run at once per instance; more wait for a thread
HEARTBEAT_SECONDS = 15  # well under store_jobs.STALE_SECONDS

_POOLS: dict[str, ThreadPoolExecutor] = {}
_HELD: dict[str, tuple[sa.Engine, Future]] = {}  # job id -> (its store, its future) while this instance holds it
_LOCK = threading.Lock()
_BEATING: list[threading.Thread] = []


def folder(config) -> Path | None:
    """Return the folder for jobs' files (`LOKET_JOB_FILES`), or None: they are kept in the store."""
    return Path(config.JOB_FILES) if config.JOB_FILES else None


def submit(engine: sa.Engine, kind: str, job_id: str, work: Callable[[], None], failed: str) -> None:
    """Run `work` for a stored job in this instance's pool for its kind; an exception fails the job
    with the text key `failed` (the traceback goes to the log, never to the page)."""
    with _LOCK:
        pool = _POOLS.get(kind)
        if pool is None:
            pool = _POOLS[kind] = ThreadPoolExecutor(THREADS[kind], thread_name_prefix=f"loket-{kind}")
        if not _BEATING:
            beater = threading.Thread(target=_beat_forever, name="loket-job-heartbeat", daemon=True)
            _BEATING.append(beater)
            beater.start()
        future = pool.submit(_run, engine, job_id, work, failed)
        _HELD[job_id] = (engine, future)  # under the lock: the job's own release waits for it


def _run(engine: sa.Engine, job_id: str, work: Callable[[], None], failed: str) -> None:
    try:
        store_jobs.start(engine, job_id)
        work()
    except Exception:  # noqa: BLE001 - the store, the browser or the disk failed: the page says so
        log.exception("background job %s failed", job_id[:8])
        try:
            store_jobs.fail(engine, job_id, failed)
        except sa.exc.SQLAlchemyError:  # the store is down: the stopped heartbeat says "interrupted"
            log.exception("could not record the failure of job %s", job_id[:8])
    finally:
        _release(job_id)


def _release(job_id: str) -> None:
    with _LOCK:
        _HELD.pop(job_id, None)


def _beat_forever() -> None:
    while True:
        time.sleep(HEARTBEAT_SECONDS)
        with _LOCK:
            held: dict[sa.Engine, list[str]] = {}
            for job_id, (engine, _future) in _HELD.items():
                held.setdefault(engine, []).append(job_id)
        for engine, ids in held.items():
            try:
                store_jobs.beat(engine, ids)
            except sa.exc.SQLAlchemyError:  # the store is away for a moment; the next beat tries again
                log.warning("could not beat the heartbeat of %d jobs", len(ids))


def held() -> int:
    """Return how many jobs this instance holds (waiting for a thread or running)."""
    with _LOCK:
        return len(_HELD)


def wait(timeout: float = 300) -> None:
    """Wait until every job this instance holds has finished (for tests and an orderly shutdown)."""
    with _LOCK:
        futures = [future for _engine, future in _HELD.values()]
    wait_for(futures, timeout=timeout)
