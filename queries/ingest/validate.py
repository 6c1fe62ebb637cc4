"""Checking rows: each row's values, the rules across its columns, keys that repeat within a file or
across the files of one import, and the registrations that rows refer to."""
from __future__ import annotations

import array
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import sqlalchemy as sa

from queries.ingest.contract import KIND_ORDER, Column, Kind
from queries.ingest.report import _SUSPECT, RowError, _Bad, _show
from queries.ingest.values import _Codes, _bool, _cached, _date, _datetime, _identifier, _integer, _month, _multi
from queries.store.schema import Registration

CHUNK_ROWS = 5_000                  # rows validated and upserted at a time
MAX_ID_LENGTH = 64
# A session may follow its registration's closure by this much (a follow-up or evaluation talk
# some weeks later); later than that, the session or the closing date is wrong in the export.
SESSION_AFTER_CLOSE_DAYS = 90


def _check_registration(v: dict) -> list[tuple[str, _Bad]]:
    out = []
    reg, intake, closed = v["registered_on"], v["first_intake_on"], v["closed_on"]
    if intake is not None and intake < reg:
        out.append(("first_intake_on", _Bad("intake_before_registration", intake=_d(intake), registered=_d(reg))))
    if closed is not None and closed < reg:
        out.append(("closed_on", _Bad("closed_before_registration", closed=_d(closed), registered=_d(reg))))
    elif closed is not None and intake is not None and closed < intake:
        out.append(("closed_on", _Bad("closed_before_intake", closed=_d(closed), intake=_d(intake))))
    if v["anonymity_reason"] is not None and not v["anonymity_wish"]:
        out.append(("anonymity_reason", _Bad("reason_without_wish")))
    if v["tcl_above_cutoff"] is not None and not v["tcl_done"]:
        out.append(("tcl_above_cutoff", _Bad("tcl_result_without_tcl")))
    return out


def _check_visits(v: dict) -> list[tuple[str, _Bad]]:
    if v["new_visits"] + v["returning_visits"] != v["visits"]:
        return [("visits", _Bad("visits_sum", visits=v["visits"], new=v["new_visits"], returning=v["returning_visits"]))]
    return []


CHECKS: dict[str, Callable[[dict], list]] = {"registrations": _check_registration, "website_visits": _check_visits}


def _d(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")



class _RowParser:
    """Turns the fields of a row into the store's values (by store column), or the reasons it cannot.

    The fast path parses a row in one comprehension; a row with any problem (or a cell that could
    be a formula, or control characters) goes through the slow path, which finds every error.
    """

    def __init__(self, kind: Kind, positions: dict[int, str], header: list[str], width: int, dutch: bool,
                 today: dt.date, encoding: str, now: dt.datetime | None = None):
        self.kind, self.width, self.encoding = kind, width, encoding
        self.check = CHECKS.get(kind.name)
        self.plan = []
        self.heading = {}
        for i, name in sorted(positions.items()):
            col = kind.column(name)
            parse = self._parser(col, dutch, today, now)
            self.plan.append((i, col, parse))
            self.heading[col.target] = header[i].strip()
        self.fast = [(i, col.target, parse, _missing if col.required else _empty(col)) for i, col, parse in self.plan]
        self.index = {col.target: i for i, col, _ in self.plan}
        self.key_index = next(i for i, name in positions.items() if name == kind.key)
        self.key_target = kind.column(kind.key).target
        self.key_parse = next(parse for i, _, parse in self.plan if i == self.key_index)

    @staticmethod
    def _parser(col: Column, dutch: bool, today: dt.date, now: dt.datetime | None = None) -> Callable[[str], object]:
        if col.type in ("id", "ref"):
            return _identifier(MAX_ID_LENGTH if col.name != "counsellor_id" else 32)
        if col.type == "code":
            return _Codes(col.codes).parser()
        if col.type == "codes":
            return _cached(_multi(_Codes(col.codes).parser()))
        if col.type == "bool":
            return _bool
        if col.type == "int":
            return _integer(col.lo, col.hi, dutch)
        if col.type == "date":
            return _cached(_date(today))
        if col.type == "datetime":
            return _datetime(today, now)
        if col.type == "month":
            return _cached(_month(today))
        raise ValueError(col.type)

    def key(self, fields: list[str], values: dict | None = None) -> str:
        """Return the row's key as the store holds it, so that two spellings of one key are one key
        (`2013-03` and `mrt 2013`; `NN` and `Noord-Nederland`); the text itself when it does not parse."""
        if values is not None:
            return _key_text(values[self.key_target])
        text = self.raw_key(fields)
        if not text:
            return ""
        try:
            return _key_text(self.key_parse(text))
        except _Bad:
            return text

    def raw_key(self, fields: list[str]) -> str:
        return fields[self.key_index].strip() if self.key_index < len(fields) else ""

    def raw(self, fields: list[str], target: str) -> str:
        i = self.index.get(target)
        return fields[i] if i is not None and i < len(fields) else ""

    def parse(self, fields: list[str]) -> tuple[dict | None, list[tuple[str, str, _Bad]]]:
        """Return (values by store column, []) or (None, [(column heading, value, reason), ...])."""
        n = len(fields)
        if n != self.width:
            if n > self.width and not any(f.strip() for f in fields[self.width:]):
                fields = fields[:self.width]
            else:
                hint = " (is another separator used in this row?)" if n == 1 and self.width > 1 else ""
                value = fields[0] if n == 1 else ""
                return None, [("", value, _Bad("field_count", n=n, m=self.width, hint=hint))]
        # No cell with a formula, control characters or undecodable bytes gets through: every parser
        # accepts only codes, dates, numbers, yes/no and ids of a strict pattern.
        try:
            values = {target: parse(text) if (text := fields[i].strip()) else empty()
                      for i, target, parse, empty in self.fast}
        except _Bad:
            return self._slow(fields)
        if self.check is not None:
            cross = self.check(values)
            if cross:
                return None, [(self.heading[t], self.raw(fields, t), bad) for t, bad in cross]
        return values, []

    def _slow(self, fields: list[str]) -> tuple[None, list[tuple[str, str, _Bad]]]:
        """Every error of a row that failed the fast path, cell by cell."""
        errors = []
        for i, col, parse in self.plan:
            raw = fields[i]
            heading = self.heading[col.target]
            text = raw.strip()
            if not text:
                if col.required:
                    errors.append((heading, raw, _Bad("required")))
                continue
            try:
                parse(text)
            except _Bad as bad:
                # the most telling reason: a formula, then bad bytes or control characters, then the parser's
                first = text[0]
                if first in "=@" or (first in "+-" and (col.is_text or not _SIGNED_NUMBER.fullmatch(text))):
                    bad = _Bad("formula", char=first)
                elif _SUSPECT.search(text):
                    if re.search(r"[\udc80-\udcff]", text):
                        raw = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                        bad = _Bad("encoding", encoding=self.encoding)
                    else:
                        bad = _Bad("control_chars")
                errors.append((heading, raw, bad))
        return None, errors


_SIGNED_NUMBER = re.compile(r"[+-]\s*\d+(?:[.,]\d+)?", re.ASCII)


def _key_text(value) -> str:
    """A parsed key as text: a month as yyyy-mm, a code or id as it is."""
    return value.strftime("%Y-%m") if isinstance(value, dt.date) else str(value)


def _missing():
    raise _Bad("required")


def _empty(col: Column) -> Callable[[], object]:
    value = () if col.type == "codes" else None
    return lambda: value



def _duplicate_hashes(hashes: array.array) -> set[int]:
    """Return the key hashes that occur more than once (candidates, checked exactly later)."""
    if len(hashes) < 2:
        return set()
    h = np.sort(np.frombuffer(hashes, dtype=np.int64))
    return set(h[1:][h[1:] == h[:-1]].tolist())



def _registration_refs(conn: sa.Connection, keys: Iterable[str]) -> dict[str, tuple[int, dt.date, dt.date | None]]:
    """Return source id -> (store id, registration date, closing date) for the registrations among the keys."""
    keys = list(set(keys))
    out = {}
    for start in range(0, len(keys), CHUNK_ROWS):
        part = keys[start:start + CHUNK_ROWS]
        rows = conn.execute(sa.select(Registration.source_id, Registration.id, Registration.registered_on,
                                      Registration.closed_on)
                            .where(Registration.source_id.in_(part)))
        out.update({s: (i, d, c) for s, i, d, c in rows})
    return out



def resolve(conn: sa.Connection, kind: Kind, parser: _RowParser, parsed: list) -> tuple[list, list]:
    """Look up the registrations that rows refer to; return (good rows, errors)."""
    ref = next((c for c in kind.columns if c.type == "ref"), None)
    if ref is None or not parsed:
        return parsed, []
    date_col = "held_on" if kind.name == "sessions" else "answered_on"
    after_closure = kind.name == "sessions"
    found = _registration_refs(conn, [v[ref.name] for _, _, v in parsed if v[ref.name]])
    good, errors = [], []
    for line, fields, values in parsed:
        key = values[ref.name]
        if key is None:
            values[ref.target] = None
            good.append((line, fields, values))
            continue
        hit = found.get(key)
        if hit is None:
            errors.append((line, parser.heading[ref.target], parser.raw(fields, ref.target),
                           _Bad("unknown_registration", key=key)))
        elif values[date_col] < hit[1]:
            errors.append((line, parser.heading[date_col], parser.raw(fields, date_col),
                           _Bad("before_registration", date=_d(values[date_col]), registered=_d(hit[1]))))
        elif after_closure and hit[2] is not None and (values[date_col] - hit[2]).days > SESSION_AFTER_CLOSE_DAYS:
            errors.append((line, parser.heading[date_col], parser.raw(fields, date_col),
                           _Bad("after_closure", date=_d(values[date_col]), days=SESSION_AFTER_CLOSE_DAYS,
                                closed=_d(hit[2]))))
        else:
            values[ref.target] = hit[0]
            good.append((line, fields, values))
    return good, errors


def duplicate_rows(rows: Iterable[tuple[int, list[str]]], parser: _RowParser, file: str,
                   candidates: set[int]) -> list[RowError]:
    """Return an error for every row whose key occurs more than once in a file (a pass only over keys
    whose hash repeats; hash collisions are told apart here). Keys are compared as the store holds them."""
    by_key: dict[str, list[tuple[int, str]]] = {}
    for line, fields in rows:
        key = parser.key(fields)
        if key and hash(key) in candidates:
            by_key.setdefault(key, []).append((line, parser.raw_key(fields)))
    out = []
    heading = parser.heading[parser.key_target]
    for key, found in by_key.items():
        if len(found) < 2:
            continue
        lines = [line for line, _ in found]
        shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
        spellings = list(dict.fromkeys(raw for _, raw in found))
        for line, raw in found:
            if len(spellings) == 1:
                code, params = "duplicate", (("key", key), ("lines", shown))
            else:
                written = ", ".join(_show(v) for v in spellings[:5]) + (", ..." if len(spellings) > 5 else "")
                code, params = "duplicate_key", (("key", key), ("lines", shown), ("spellings", written))
            out.append(RowError(file, line, heading, raw, code, params))
    return out


KeyedRows = Callable[[int], Iterator[tuple[int, list[str], _RowParser]]]


def keys_across_files(kinds: list[str | None], names: list[str], keyed_rows: KeyedRows
                      ) -> dict[int, dict[int, list[RowError]]]:
    """Find the keys that occur in more than one file of one type (the same registration in two
    exports of one import): every such row, in every file, is rejected, as duplicates within a
    file are. Only types given as several files cost a pass (over their keys only).

    Return file index -> line -> its errors; `keyed_rows(i)` gives the rows of file i with its parser.
    """
    across: dict[int, dict[int, list[RowError]]] = {}
    for kind in KIND_ORDER:
        numbers = [i for i, k in enumerate(kinds) if k == kind]
        if len(numbers) < 2:
            continue
        unique = []
        for i in numbers:
            hashes = array.array("q")
            for _, fields, parser in keyed_rows(i):
                key = parser.key(fields)
                if key:
                    hashes.append(hash(key))
            unique.append(np.unique(np.frombuffer(hashes, dtype=np.int64)))
        both = np.sort(np.concatenate(unique))
        candidates = set(both[1:][both[1:] == both[:-1]].tolist())  # each file's hashes are unique
        if not candidates:
            continue
        places: dict[str, list[tuple[int, int, str, str]]] = {}
        for i in numbers:
            for line, fields, parser in keyed_rows(i):
                key = parser.key(fields)
                if key and hash(key) in candidates:
                    heading = parser.heading[parser.key_target]
                    places.setdefault(key, []).append((i, line, heading, parser.raw_key(fields)))
        for key, found in places.items():
            if len({i for i, *_ in found}) < 2:
                continue
            for i, line, heading, raw in found:
                others = [f"{names[j]}:{other}" for j, other, *_ in found if j != i]
                shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
                error = RowError(names[i], line, heading, raw, "duplicate_file", (("key", key), ("others", shown)))
                across.setdefault(i, {}).setdefault(line, []).append(error)
    return across
