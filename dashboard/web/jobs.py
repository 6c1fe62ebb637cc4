"""The files of background jobs (steering packs, imports): private folders with atomic JSON state.

A job runs in a thread of one worker and is polled by any worker of the host, so its state lives
on disk: written to a temporary file and renamed, a poll never reads half a status.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path


def private_root(root: Path) -> Path:
    """Return a jobs' root folder, creating it readable by this user only."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def write_json(path: Path, data: dict) -> None:
    """Replace a job file atomically (values JSON cannot hold are written as text)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict | None:
    """Return a job file's contents, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def locked(folder: Path):
    """Hold an exclusive lock on a folder while the block runs (every worker of the host waits for it)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and with it the lock
