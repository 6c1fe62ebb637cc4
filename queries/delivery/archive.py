"""The archive of steering packs: every release's pack per scope, format and language, made once and kept.

A pack is stored once per release, scope, format and language (the first run that makes it wins;
a concurrent run reads the winner's), in the store or as a private file in a folder shared by
every instance (`LOKET_ARCHIVE_DIR`), and deleted after `LOKET_ARCHIVE_MONTHS`. Callers see the
packs of their own scopes only: a unit user its own unit's (a national pack shows every unit),
programme and administrators every scope's. A pack another scope's caller asks for is refused
exactly like one that does not exist.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from queries.accounts.access import NATIONAL, Access, AccessDenied
from queries.store.codes import UNITS
from queries.store.files import write_private
from queries.store.schema import CatalogueRefresh, PackArchive


@dataclasses.dataclass(frozen=True)
class ArchivedPack:
    """One archived pack without its bytes: which release, scope, period, format and language, and its file."""

    id: int
    release_id: int
    data_until: str | None
    scope: str
    format: str
    language: str
    period: str
    file_name: str
    size: int
    created_at: dt.datetime


_COLUMNS = (PackArchive.id, PackArchive.release_id, CatalogueRefresh.data_until, PackArchive.scope,
            PackArchive.format, PackArchive.language, PackArchive.period, PackArchive.file_name, PackArchive.size,
            PackArchive.created_at)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _select():
    return sa.select(*_COLUMNS).join(CatalogueRefresh, CatalogueRefresh.id == PackArchive.release_id)


def archive_scopes(access: Access) -> list[str]:
    """Return the scopes whose packs a caller may list and download (a unit user: its own unit only)."""
    if access.role == "unit":
        return [access.unit]
    return [NATIONAL, *UNITS.values] if access.sees_all_units else []


def find(engine: sa.Engine, release_id: int, scope: str, fmt: str, lang: str) -> ArchivedPack | None:
    """Return the archived pack of a release for a scope, format and language, or None (for the mailer)."""
    with engine.connect() as conn:
        row = conn.execute(_select().where(PackArchive.release_id == release_id, PackArchive.scope == scope,
                                           PackArchive.format == fmt, PackArchive.language == lang)).one_or_none()
    return None if row is None else ArchivedPack(*row)


def _insert(conn: sa.Connection):
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[conn.dialect.name]
    return dialect.insert(PackArchive)


def put(engine: sa.Engine, release_id: int, scope: str, fmt: str, lang: str, period: str, file_name: str,
        data: bytes, folder: Path | None = None) -> ArchivedPack:
    """Archive a pack unless the same one is archived already; return the archived one (the first made)."""
    name = f"r{release_id}-{scope}-{lang}-{secrets.token_hex(8)}.{fmt}"
    path = None if folder is None else str(write_private(folder, name, data))
    with engine.begin() as conn:
        inserted = conn.execute(_insert(conn).values(
            release_id=release_id, scope=scope, format=fmt, language=lang, period=period, file_name=file_name[:255],
            size=len(data), data=data if path is None else None, path=path, created_at=_now())
            .on_conflict_do_nothing(index_elements=["release_id", "scope", "format", "language"])
            .returning(PackArchive.id)).first() is not None
    if not inserted and path is not None:
        Path(path).unlink(missing_ok=True)  # another run archived it first: keep only its file
    return find(engine, release_id, scope, fmt, lang)


def content(engine: sa.Engine, pack_id: int) -> bytes | None:
    """Return an archived pack's bytes, or None when it (or its file) is gone (for the mailer and `read`)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(PackArchive.data, PackArchive.path).where(PackArchive.id == pack_id)).one_or_none()
    if row is None:
        return None
    if row.data is not None:
        return bytes(row.data)
    try:
        return Path(row.path).read_bytes()
    except (OSError, TypeError):
        return None


def listing(engine: sa.Engine, access: Access, limit: int = 500) -> list[ArchivedPack]:
    """Return the archived packs of the caller's scopes, newest release first."""
    scopes = archive_scopes(access)
    if not scopes:
        raise AccessDenied(f"{access.user or 'anonymous'} may not see the archive")
    with engine.connect() as conn:
        rows = conn.execute(_select().where(PackArchive.scope.in_(scopes)).order_by(
            PackArchive.release_id.desc(), PackArchive.scope, PackArchive.format, PackArchive.language)
            .limit(limit)).all()
    return [ArchivedPack(*r) for r in rows]


def read(engine: sa.Engine, access: Access, pack_id) -> tuple[ArchivedPack, bytes]:
    """Return an archived pack of one of the caller's scopes with its bytes; raise AccessDenied for any other
    (another scope's, or none: the two are refused alike)."""
    scopes = archive_scopes(access)
    row = None
    if isinstance(pack_id, int) and not isinstance(pack_id, bool) and scopes:
        with engine.connect() as conn:
            row = conn.execute(_select().where(PackArchive.id == pack_id, PackArchive.scope.in_(scopes))).one_or_none()
    data = None if row is None else content(engine, row.id)
    if data is None:
        raise AccessDenied(f"{access.user or 'anonymous'} may not download archived pack {pack_id!r}")
    return ArchivedPack(*row), data


def expire(engine: sa.Engine, months: int) -> int:
    """Delete packs archived more than `months` months ago, with their files (0 months: keep all); return how many."""
    if months <= 0:
        return 0
    old = PackArchive.created_at < (pd.Timestamp(_now()) - pd.DateOffset(months=months)).to_pydatetime()
    with engine.begin() as conn:
        paths = conn.execute(sa.select(PackArchive.path).where(old, PackArchive.path.is_not(None))).scalars().all()
        count = conn.execute(sa.delete(PackArchive).where(old)).rowcount
    for path in paths:
        Path(path).unlink(missing_ok=True)
    return count
