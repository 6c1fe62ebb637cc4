"""Engines, sessions and migrations of the registration store."""
from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session, sessionmaker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'loket.sqlite'}"


@functools.cache
def get_engine(url: str = DEFAULT_URL) -> sa.Engine:
    """Return the one engine for a store URL, creating an SQLite file's folder on first use."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record):
    # WAL lets the dashboard read while an import or refresh writes; SQLite leaves FKs off by default.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    """Return a session factory bound to an engine."""
    return sessionmaker(engine, expire_on_commit=False)


@contextlib.contextmanager
def transaction(engine: sa.Engine):
    """Yield a session that commits on success and rolls back on any error."""
    with session_factory(engine)() as session, session.begin():
        yield session


def _alembic_config(connection: sa.Connection) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "queries" / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: sa.Engine) -> None:
    """Bring the store's schema to the newest migration."""
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def is_current(engine: sa.Engine) -> bool:
    """Tell whether the store's schema is at the newest migration."""
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        head = ScriptDirectory.from_config(_alembic_config(conn)).get_current_head()
    return current == head


def is_empty(engine: sa.Engine) -> bool:
    """Tell whether the store holds no registrations yet."""
    from queries.schema import Registration

    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 0
