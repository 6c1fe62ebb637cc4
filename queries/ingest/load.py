"""Writing an import to the store: its batch rows, new and changed rows, and the record of a rejected import."""
from __future__ import annotations

import datetime as dt
import logging
import re

import sqlalchemy as sa

from queries.accounts import audit_log
from queries.ingest.contract import Kind
from queries.ingest.report import FileResult
from queries.store import codes
from queries.store.schema import ImportBatch, RegistrationQuestion, Unit


def _naive_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class _Store:
    """Writes within the import's transaction: raw executemany on SQLite (fast), Core elsewhere."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self._next_id: dict[str, int] = {}

    def new_ids(self, table: sa.Table, n: int) -> list[int]:
        if n == 0:
            return []
        if self.sqlite:  # the import holds SQLite's write lock (it wrote its batch rows first)
            start = self._next_id.get(table.name)
            if start is None:
                start = self.conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one() + 1
            self._next_id[table.name] = start + n
            return list(range(start, start + n))
        rows = self.conn.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": n})
        return [r[0] for r in rows]

    def _columns(self, table: sa.Table, names: list[str], rows: list[dict]) -> list[list]:
        """The rows' values column by column, as SQLite stores them (dates as ISO text)."""
        out = []
        for name in names:
            values = [r[name] for r in rows]
            kind = table.c[name].type
            if isinstance(kind, sa.DateTime):
                values = [v if v is None else v.strftime("%Y-%m-%d %H:%M:%S.%f") for v in values]
            elif isinstance(kind, sa.Date):
                values = [v if v is None else v.isoformat() for v in values]
            out.append(values)
        return out

    def insert(self, table: sa.Table, names: list[str], rows: list[dict]) -> None:
        """Insert rows (dicts holding at least the named columns)."""
        if not rows:
            return
        if self.sqlite:
            q = self.conn.dialect.identifier_preparer.quote
            sql = (f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in names)}) "
                   f"VALUES ({', '.join('?' * len(names))})")
            self.conn.exec_driver_sql(sql, list(zip(*self._columns(table, names, rows))))
        else:
            self.conn.execute(table.insert(), [{c: r[c] for c in names} for r in rows])

    def update(self, table: sa.Table, key: str, names: list[str], rows: list[dict]) -> None:
        """Set the named columns of rows found by their key column."""
        if not rows:
            return
        if self.sqlite:
            q = self.conn.dialect.identifier_preparer.quote
            sql = f"UPDATE {q(table.name)} SET {', '.join(f'{q(c)} = ?' for c in names)} WHERE {q(key)} = ?"
            self.conn.exec_driver_sql(sql, list(zip(*self._columns(table, [*names, key], rows))))
        else:
            stmt = (sa.update(table).where(table.c[key] == sa.bindparam("_key"))
                    .values({c: sa.bindparam(f"_v_{c}") for c in names}))
            self.conn.execute(stmt, [{"_key": r[key], **{f"_v_{c}": r[c] for c in names}} for r in rows])


def _ensure_units(conn: sa.Connection) -> None:
    """Give the units table every unit of the code list (registrations and contacts refer to them)."""
    existing = set(conn.execute(sa.select(Unit.code)).scalars())
    missing = [{"code": u.code, "name_nl": u.nl, "name_en": u.en, "headcount": None, "rollout_on": None}
               for u in codes.UNITS if u.code not in existing]
    if missing:
        conn.execute(sa.insert(Unit), missing)



def _upsert(store: _Store, kind: Kind, rows: list[dict], batch_id: int | None) -> tuple[int, int, int]:
    """Insert new rows, update changed ones; return (inserted, updated, unchanged).

    `rows` are parsed values by store column; they are extended in place with id and batch_id.
    """
    if not rows:
        return 0, 0, 0
    table = kind.table
    key_col = kind.column(kind.key).target
    value_cols = [c.target for c in kind.columns if c.type != "codes" and c.target != key_col]
    select_cols = [table.c[key_col], *(table.c[c] for c in value_cols)]
    if kind.has_id:
        select_cols.append(table.c.id)
    existing = {}
    for row in store.conn.execute(sa.select(*select_cols).where(table.c[key_col].in_([r[key_col] for r in rows]))):
        existing[row[0]] = row
    questions = kind.name == "registrations"
    old_questions: dict[int, tuple] = {}
    if questions and existing:
        q = RegistrationQuestion.__table__.c
        found: dict[int, list] = {}
        for reg_id, qtype in store.conn.execute(sa.select(q.registration_id, q.question_type)
                                                .where(q.registration_id.in_([r.id for r in existing.values()]))):
            found.setdefault(reg_id, []).append(qtype)
        old_questions = {k: tuple(sorted(v)) for k, v in found.items()}
    inserts, updates, unchanged = [], [], 0
    new_questions, replaced = [], []
    for values in rows:
        old = existing.get(values[key_col])
        if old is None:
            inserts.append(values)
            continue
        same = all(old[i] == values[c] for i, c in enumerate(value_cols, start=1))
        if questions:
            same = same and old_questions.get(old.id, ()) == values["question_types"]
        if same:
            unchanged += 1
            continue
        if kind.has_id:
            values["id"] = old.id
        values["batch_id"] = batch_id
        updates.append(values)
        if questions:
            replaced.append(old.id)
            new_questions += [{"registration_id": old.id, "question_type": q} for q in values["question_types"]]
    batch_cols = ["batch_id"] if kind.has_batch else []
    if inserts:
        names = [key_col, *value_cols, *batch_cols]
        if kind.has_id:
            names.insert(0, "id")
            for values, new_id in zip(inserts, store.new_ids(table, len(inserts))):
                values["id"] = new_id
        for values in inserts:
            values["batch_id"] = batch_id
        if kind.name == "units":
            names += ["name_nl", "name_en"]
            for values in inserts:
                values.update(name_nl=codes.UNITS.label(values["code"], "nl"),
                              name_en=codes.UNITS.label(values["code"], "en"))
        store.insert(table, names, inserts)
        if questions:
            new_questions += [{"registration_id": v["id"], "question_type": q}
                              for v in inserts for q in v["question_types"]]
    if updates:
        store.update(table, "id" if kind.has_id else key_col, [*value_cols, *batch_cols], updates)
    if replaced:
        q = RegistrationQuestion.__table__
        store.conn.execute(q.delete().where(q.c.registration_id.in_(replaced)))
    if new_questions:
        store.insert(RegistrationQuestion.__table__, ["registration_id", "question_type"], new_questions)
    return len(inserts), len(updates), unchanged



def _plain_detail(exc: BaseException) -> str:
    """What the database said, without the SQL statement and parameters SQLAlchemy adds to it."""
    orig = getattr(exc, "orig", None)
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)  # psycopg
    if constraint:
        return constraint
    text = str(orig if orig is not None else exc).strip().splitlines()
    first = text[0] if text else ""
    if not first or re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b|\[SQL", first, re.IGNORECASE):
        return type(orig if orig is not None else exc).__name__
    return first[:160]



def _audit(engine: sa.Engine, access, via: str, results: list[FileResult], status: int,
           conn: sa.Connection | None = None) -> None:
    names = ", ".join(r.name for r in results)
    audit_log.record(engine, access, "import", f"{via}: {names}", status=status, conn=conn)


def _status(result: FileResult, committed: bool, dry_run: bool = False) -> str:
    if dry_run:
        return "rejected" if (result.rejected or result.fatal) else "checked"
    if not committed:
        return "rejected" if (result.rejected or result.fatal) else "not_loaded"
    if result.fatal or result.rejected:
        return "partial" if result.inserted or result.updated or result.unchanged else "rejected"
    return "loaded" if result.inserted or result.updated else "unchanged"


def _previous_batches(conn: sa.Connection, hashes: list[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    rows = conn.execute(sa.select(ImportBatch.file_hash, ImportBatch.id)
                        .where(ImportBatch.file_hash.in_(hashes),
                               ImportBatch.status.in_(("loaded", "partial", "unchanged")))
                        .order_by(ImportBatch.id))
    for h, i in rows:
        out.setdefault(h, []).append(i)
    return out


def _record_rejected(engine: sa.Engine, results: list[FileResult], user: str, started: dt.datetime,
                     audit: tuple | None = None) -> None:
    """Record an import that changed nothing (it had errors, or the store refused it): who tried what,
    and how much was wrong; with `audit` (access, via, status), in the audit log too."""
    finished = _naive_utc()
    try:
        with engine.begin() as conn:
            for r in results:
                r.batch_id = conn.execute(sa.insert(ImportBatch).values(
                    kind=r.kind or "-", filename=r.name, file_hash=r.sha256, imported_by=user, started_at=started,
                    finished_at=finished, inserted=0, updated=0, unchanged=0, rejected=r.rejected,
                    status=r.status).returning(ImportBatch.id)).scalar_one()
            if audit is not None:
                _audit(engine, audit[0], audit[1], results, audit[2], conn)
    except sa.exc.SQLAlchemyError:  # the store is down or read-only: the caller still gets the reasons
        logging.getLogger(__name__).exception("could not record the rejected import")
        for r in results:
            r.batch_id = None


def recent_batches(engine: sa.Engine, limit: int = 50) -> list[dict]:
    """Return the newest import batches (newest first) as dicts."""
    t = ImportBatch.__table__
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.id.desc()).limit(max(1, min(limit, 1000))))
        return [dict(r._mapping) for r in rows]

