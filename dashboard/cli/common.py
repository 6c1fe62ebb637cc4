"""What every `loket` command needs: the migrated store, the OS user, and a clean terminal line."""
from __future__ import annotations

import getpass
import sys

from dashboard.config import Config
from queries import store


def open_store(cfg: Config):
    """Return the engine of the configured store, migrated to the newest schema."""
    engine = store.get_engine(cfg.DATABASE_URL)
    store.migrate(engine)
    return engine


def os_user() -> str:
    """Return who runs the command, for batch records and the audit log."""
    try:
        return f"{getpass.getuser()} (cli)"
    except (KeyError, OSError):
        return "cli"


def clear_progress(interactive: bool) -> None:
    """Erase the progress line on a terminal."""
    if interactive:
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)
