"""Files beside the store (job results, archived packs) in a folder every app instance shares."""
from __future__ import annotations

import os
from pathlib import Path


def write_private(folder: Path, name: str, data: bytes, *, replace: bool = False) -> Path:
    """Write a file only the app's user can read (mode 0600, folder 0700) and return its path; never follow an
    existing file unless `replace`."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / name
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    with os.fdopen(os.open(path, flags, 0o600), "wb") as fh:
        fh.write(data)
    return path
