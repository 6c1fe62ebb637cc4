"""Import the registration system's export files into the store: parse, validate, load.

The data contract (file types, columns, codes and formats) is `docs/data-contract.md`; the column
definitions in `contract` are its source of truth. This module runs an import; the jobs are in
`contract` (file types, columns, headers), `parse` (reading CSV and XLSX), `values` and `validate`
(values, rows, keys and references), `load` (writing to the store) and `report` (errors, reasons,
the outcome and the report CSV).

How an import runs (`import_files`):

* Everything happens in one database transaction. Files are taken in dependency order (units,
  registrations, sessions, surveys, contacts, website visits), each in two streaming passes:
  the first parses and validates every row (and finds keys that occur twice in the file), the
  second parses again and upserts the valid rows in chunks. Memory is bounded by the chunk
  size, not by the file: rows are never all held at once (keys of the file are kept as 8-byte
  hashes to find duplicates). Keys are compared as the store holds them, after parsing: `2013-03`
  and `mrt 2013` are one month, `NN` and `Noord-Nederland` one unit. A key in two files of one
  import (two files of one type) rejects its rows in both.
* Rows are keyed by the source system's ids (`source_id`; website visits by month, units by
  code): a new id is inserted, a known id whose values differ is updated (its `batch_id` then
  names this import), an identical row is left alone. Nothing is ever deleted.
* If any row or file was rejected, the transaction is rolled back and the store is unchanged,
  unless the caller asked for the valid rows only (`valid_only`). A dry run always rolls back,
  after doing all the work, so its counts are exact.
* Every rejected row is reported (`RowError`: file, line, column, value, reason) to the
  caller's `on_error` as it is found; `write_report` writes them as CSV for a spreadsheet.
* One `import_batches` row per file records who, when, the file's SHA-256 and the counts; a
  rejected import is recorded too (status "rejected", in its own transaction), as is one the
  store refused (an integrity error, a locked or read-only store): the caller gets a plain
  reason (`store_refused`, `store_failed`), never the database's text with its SQL. With an
  `audit` access, the import is in the audit log (action "import") in the same transactions.
* A load that changed rows marks a refresh as due in its own transaction
  (`queries.catalogue.refresh_due`); after the commit the published catalogue is refreshed through
  `refresh_catalogue` (the one place that calls it), whose transaction clears the mark. If the
  refresh fails or the process dies first, the mark stays: the next import refreshes even when
  it changes nothing, and so does the next start of the app.
"""
from __future__ import annotations

import array
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from queries import catalogue
from queries.catalogue import refresh_due
from queries.ingest.contract import KIND_ORDER, KINDS, Kind, detect_kind
from queries.ingest.load import (
    _audit, _ensure_units, _naive_utc, _plain_detail, _previous_batches, _record_rejected, _status, _Store, _upsert,
    recent_batches,
)
from queries.ingest.parse import _chunked, _non_empty, file_hash, open_file
from queries.ingest.report import (
    REASONS, FileResult, ImportResult, Progress, ReportWriter, RowError, _error, _FileError, report_csv,
    result_summary,
)
from queries.ingest.validate import (
    CHUNK_ROWS, _duplicate_hashes, _RowParser, duplicate_rows, keys_across_files, resolve,
)
# The value parsers, their error and the code lists, read through this module by the tests of the values.
from queries.ingest.report import _Bad  # noqa: F401
from queries.ingest.values import _Codes, _bool, _date, _datetime, _fold, _identifier, _integer, _month  # noqa: F401
from queries.store import codes  # noqa: F401
from queries.store.schema import ImportBatch

__all__ = [
    "KINDS", "KIND_ORDER", "REASONS", "FileResult", "ImportResult", "Progress", "ReportWriter", "RowError", "Source",
    "detect_kind", "file_hash", "import_files", "local_now", "open_file", "recent_batches", "refresh_catalogue",
    "report_csv", "result_summary",
]

KEEP_ERRORS = 1_000                 # errors kept on the result (all go to `on_error`)
PG_LOCK_KEY = 7_000_007             # advisory lock: one import at a time on PostgreSQL
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")  # the registration system's clock (contact times)


@dataclass
class Source:
    """A file to import: where it is, and the name to report it by (an upload's original name)."""

    path: Path
    name: str

    @classmethod
    def of(cls, item) -> "Source":
        if isinstance(item, Source):
            return item
        path = Path(item)
        return cls(path, path.name)



def refresh_catalogue(engine: sa.Engine, policy) -> None:
    """Rebuild the published catalogue after an import (the one place an import calls it)."""
    catalogue.refresh(engine, policy)


class _Run:
    """One import: its connection, options, error accounting and progress."""

    def __init__(self, conn, sources, *, user, valid_only, dry_run, kind, today, now, on_error, progress):
        self.conn, self.store = conn, None if conn is None else _Store(conn)
        self.sources, self.user = sources, user
        self.valid_only, self.dry_run, self.forced_kind = valid_only, dry_run, kind
        self.today, self.now = today, now
        self.on_error, self.progress = on_error, progress
        self.errors: list[RowError] = []
        self.error_count = 0
        # rows whose key is also in another file of this import: file index -> line -> its errors
        self.across: dict[int, dict[int, list[RowError]]] = {}
        # where the import is, for a plain reason when the store refuses: (file result, first line, last line)
        self.at: tuple[FileResult, int, int] | None = None

    # -- errors
    def report(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < KEEP_ERRORS:
            self.errors.append(error)
        if self.on_error is not None:
            self.on_error(error)

    def file_error(self, result: FileResult, exc: _FileError) -> None:
        result.fatal = True
        self.report(RowError(result.name, exc.line, "", "", exc.code, tuple(sorted(exc.params.items()))))

    def _progress(self, result: FileResult, number: int, phase: str, rows: int, fraction: float) -> None:
        if self.progress is not None:
            self.progress(Progress(result.name, number, len(self.sources), phase, rows, fraction))

    # -- one file
    def open(self, source: Source, result: FileResult):
        reader = open_file(source.path, self.forced_kind)
        try:
            kind, positions = detect_kind(reader.header, self.forced_kind)
        except _FileError as exc:
            reader.close()
            if exc.line == 1:
                exc.line = reader.header_line  # below a `sep=` line, or lower on a sheet
            raise
        except BaseException:
            reader.close()
            raise
        result.kind = kind.name
        width = len(reader.header)
        while width > 1 and not reader.header[width - 1].strip():
            width -= 1
        parser = _RowParser(kind, positions, reader.header, width, reader.dutch_numbers, self.today, reader.encoding,
                            self.now)
        return reader, kind, parser

    def find_keys_across_files(self, kinds: list[str | None], results: list[FileResult]) -> None:
        """Find the rows whose key is also in another file of the same type (`validate.keys_across_files`)."""
        self.across = keys_across_files(kinds, [r.name for r in results], lambda i: self._keyed_rows(i, results[i]))

    def _keyed_rows(self, index: int, result: FileResult) -> Iterator[tuple[int, list[str], _RowParser]]:
        """The rows of a file for the key passes; a file that cannot be read gives none (its check says why)."""
        try:
            reader, _, parser = self.open(self.sources[index], result)
        except _FileError:
            return
        try:
            for line, fields in _non_empty(reader.rows):
                yield line, fields, parser
        except _FileError:
            return
        finally:
            reader.close()

    def check(self, source: Source, result: FileResult, number: int) -> tuple[set[int], Kind | None]:
        """First pass: validate every row; return the rejected lines (and the kind)."""
        rejected: set[int] = set()
        try:
            reader, kind, parser = self.open(source, result)
        except _FileError as exc:
            self.file_error(result, exc)
            return rejected, None
        hashes = array.array("q")
        across = self.across.get(number - 1, {})
        try:
            rows = 0
            for chunk in _chunked(_non_empty(reader.rows), CHUNK_ROWS):
                chunk_errors: list[RowError] = []
                parsed = []
                for line, fields in chunk:
                    rows += 1
                    values, errors = parser.parse(fields)
                    # the key as the store holds it: two spellings of one month or unit are one key
                    key = parser.key(fields, values)
                    if key:
                        hashes.append(hash(key))
                    elsewhere = across.get(line)
                    if values is None or elsewhere:
                        rejected.add(line)
                        chunk_errors += [_error(result.name, line, c, v, b) for c, v, b in errors]
                        chunk_errors += elsewhere or []
                    else:
                        parsed.append((line, fields, values))
                self.at = (result, chunk[0][0], chunk[-1][0])
                for line, column, value, bad in resolve(self.conn, kind, parser, parsed)[1]:
                    rejected.add(line)
                    chunk_errors.append(_error(result.name, line, column, value, bad))
                for error in sorted(chunk_errors, key=lambda e: e.line):
                    self.report(error)
                result.rows = rows
                self._progress(result, number, "check", rows, reader.position())
            if rows == 0:
                raise _FileError("no_rows", reader.header_line)
        except _FileError as exc:
            self.file_error(result, exc)
            result.rejected = max(len(rejected), result.rows)  # nothing of a file that cannot be read loads
            return rejected, None
        finally:
            reader.close()
        duplicates = _duplicate_hashes(hashes)
        del hashes
        if duplicates:
            rejected |= self.report_duplicates(source, result, duplicates)
        result.rejected = len(rejected)
        return rejected, kind

    def report_duplicates(self, source: Source, result: FileResult, candidates: set[int]) -> set[int]:
        """Report every row whose key occurs more than once in the file (a third pass); return their lines."""
        reader, _, parser = self.open(source, result)
        try:
            errors = duplicate_rows(_non_empty(reader.rows), parser, result.name, candidates)
        finally:
            reader.close()
        for error in errors:
            self.report(error)
        return {error.line for error in errors}

    def write(self, source: Source, result: FileResult, kind: Kind, rejected: set[int], number: int) -> None:
        """Second pass: upsert the valid rows in chunks."""
        reader, _, parser = self.open(source, result)
        try:
            rows = 0
            for chunk in _chunked(_non_empty(reader.rows), CHUNK_ROWS):
                parsed = []
                for line, fields in chunk:
                    rows += 1
                    if line in rejected:
                        continue
                    values, errors = parser.parse(fields)
                    if values is not None:
                        parsed.append((line, fields, values))
                self.at = (result, chunk[0][0], chunk[-1][0])
                good, _ = resolve(self.conn, kind, parser, parsed)
                inserted, updated, unchanged = _upsert(self.store, kind, [v for _, _, v in good], result.batch_id)
                result.inserted += inserted
                result.updated += updated
                result.unchanged += unchanged
                self._progress(result, number, "write", rows, reader.position())
        finally:
            reader.close()


def _sort_sources(sources: list[Source], forced: str | None) -> list[tuple[Source, str | None]]:
    """Put files in dependency order by their header (unreadable files last; they load nothing).

    Return each file with its type (None when it cannot be read or recognised).
    """
    def rank(source: Source) -> tuple[int, str | None]:
        try:
            reader = open_file(source.path, forced)
        except (_FileError, OSError):
            return len(KIND_ORDER), None
        try:
            kind, _ = detect_kind(reader.header, forced)
            return KIND_ORDER.index(kind.name), kind.name
        except _FileError:
            return len(KIND_ORDER), None
        finally:
            reader.close()
    ranked = [(rank(s), i, s) for i, s in enumerate(sources)]
    return [(s, kind) for (_, kind), _, s in sorted(ranked, key=lambda r: (r[0][0], r[1]))]


def local_now() -> dt.datetime:
    """The time in the Netherlands, naive (the registration system records local times)."""
    return dt.datetime.now(LOCAL_TIME).replace(tzinfo=None)


def import_files(engine: sa.Engine, files: Iterable, *, user: str, policy=None, valid_only: bool = False,
                 dry_run: bool = False, kind: str | None = None, today: dt.date | None = None,
                 now: dt.datetime | None = None, on_error: Callable[[RowError], None] | None = None,
                 progress: Callable[[Progress], None] | None = None, audit=None, via: str = "import"
                 ) -> ImportResult:
    """Validate and load export files in one transaction; see the module's docstring.

    `files` are paths or `Source`s. With errors, nothing changes unless `valid_only`; a
    `dry_run` never changes anything. With a `policy`, the catalogue is refreshed after a
    committed import that changed rows, or when an earlier load is not yet published. `now` is
    the local time no contact may be later than (default: now, or the end of `today`). With
    `audit` (the importer's `Access`), every import but a dry run is recorded in the audit log as
    "import" with target "<via>: <file names>": a load in its own transaction, a rejected or failed
    import with its batch rows. The store's own error texts (which hold SQL) never reach the
    caller: a refused or failed write is one more `RowError` and a rejected import.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown file type {kind!r}; one of {', '.join(KIND_ORDER)}")
    started = time.perf_counter()
    sorted_sources = _sort_sources([Source.of(f) for f in files], kind)
    sources = [s for s, _ in sorted_sources]
    if now is None:
        now = local_now()
        if today is not None and today != now.date():
            now = dt.datetime.combine(today, dt.time(23, 59, 59))
    today = today or now.date()
    results = [FileResult(s.name[:255], file_hash(s.path)) for s in sources]
    batch_started = _naive_utc()
    user = (user or "-")[:80]
    run = _Run(None, sources, user=user, valid_only=valid_only, dry_run=dry_run, kind=kind, today=today, now=now,
               on_error=on_error, progress=progress)
    commit, was_due, store_error = False, False, None
    try:
        with engine.connect() as conn:
            run.conn, run.store = conn, _Store(conn)
            trans = conn.begin()
            try:
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
                elif conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA cache_size=-65536")
                run.find_keys_across_files([k for _, k in sorted_sources], results)
                previous = _previous_batches(conn, [r.sha256 for r in results])
                for r in results:
                    r.seen_before = previous.get(r.sha256, [])
                for r in results:  # also takes SQLite's write lock before any id is handed out
                    r.batch_id = conn.execute(sa.insert(ImportBatch).values(
                        kind=r.kind or "-", filename=r.name, file_hash=r.sha256, imported_by=user,
                        started_at=batch_started, status="running").returning(ImportBatch.id)).scalar_one()
                was_due = refresh_due.is_due(conn)
                _ensure_units(conn)
                for number, (source, result) in enumerate(zip(sources, results), start=1):
                    rejected, file_kind = run.check(source, result, number)
                    if file_kind is not None and result.valid > 0:
                        run.write(source, result, file_kind, rejected, number)
                run.at = None
                commit = not dry_run and (run.error_count == 0 or valid_only)
                finished = _naive_utc()
                for r in results:
                    r.status = _status(r, commit, dry_run)
                    conn.execute(sa.update(ImportBatch).where(ImportBatch.id == r.batch_id).values(
                        kind=r.kind or "-", finished_at=finished, status=r.status,
                        inserted=r.inserted, updated=r.updated, unchanged=r.unchanged, rejected=r.rejected))
                if commit:
                    changed = [r.batch_id for r in results if r.inserted or r.updated]
                    if changed:  # in the load's own transaction: new rows are never unmarked
                        refresh_due.request(conn, changed)
                    if audit is not None:
                        _audit(engine, audit, via, results, 200, conn)
                    trans.commit()
                else:
                    trans.rollback()
            except BaseException:
                trans.rollback()
                raise
            finally:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA cache_size=-2000")
    except Exception as exc:  # noqa: BLE001 - the store refused or failed: everything was rolled back
        commit = False
        store_error = _store_error(run, results, exc)
    if not commit:
        for r in results:
            r.batch_id = None
            if store_error is not None:
                r.status = _status(r, False)
        if not dry_run:
            _record_rejected(engine, results, user, batch_started,
                             audit=None if audit is None else (audit, via, 500 if store_error else 422))
    result = ImportResult(results, run.errors, run.error_count, commit, dry_run, valid_only,
                          seconds=time.perf_counter() - started, refresh_was_due=was_due and commit,
                          store_error=store_error)
    if commit and policy is not None and (result.changed > 0 or was_due):
        t0 = time.perf_counter()
        try:
            refresh_catalogue(engine, policy)
            result.refreshed = True
        except Exception as exc:  # noqa: BLE001 - the data are loaded; say that the figures are not yet published
            logging.getLogger(__name__).exception("catalogue refresh after an import failed")
            result.refresh_error = f"{type(exc).__name__}: {exc}"
        result.refresh_seconds = time.perf_counter() - t0
    return result



def _store_error(run: _Run, results: list[FileResult], exc: Exception) -> RowError:
    """Turn the store's refusal (or any failure during the import) into a plain reason for the report."""
    logging.getLogger(__name__).error("import failed and was rolled back", exc_info=exc)
    where = run.at
    if isinstance(exc, (sa.exc.IntegrityError, sa.exc.DataError)) and where is not None:
        result, first, last = where
        lines = str(first) if first == last else f"{first}-{last}"
        error = RowError(result.name, first, "", "", "store_refused",
                         (("lines", lines), ("rule", _plain_detail(exc))))
    elif isinstance(exc, sa.exc.SQLAlchemyError):
        error = RowError(where[0].name if where else ", ".join(r.name for r in results), where[1] if where else 0,
                         "", "", "store_failed", (("detail", _plain_detail(exc)),))
    else:
        error = RowError(where[0].name if where else ", ".join(r.name for r in results), where[1] if where else 0,
                         "", "", "internal_error", (("detail", type(exc).__name__),))
    for r in results:
        if where is None or r is where[0]:
            r.fatal = True
            r.rejected = max(r.rejected, r.rows)
        r.inserted = r.updated = r.unchanged = 0
    run.report(error)
    return error

