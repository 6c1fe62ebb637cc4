"""Benchmark of the importer: a 1,000,000-row registrations CSV into a fresh SQLite store.

    .venv/bin/python benchmarks/import_rows.py [--rows N] [--refresh]

Generates a registrations export the way Dutch Excel writes it (Windows-1252, ';'-separated,
CRLF, dd-mm-yyyy dates, Dutch labels, Dutch headers) in a temporary folder, then imports it with
`queries.ingest.importer.import_files` into a temporary SQLite store, without the catalogue refresh
(with --refresh, the refresh is run and timed separately afterwards). The import runs in its own
subprocess, so its peak RSS is its own; the same is done at N/10 rows, so that the two peaks show
whether memory is bounded. Prints rows/s and peak RSS and writes them to
benchmarks/results/<YYYY-MM-DD>-import.txt.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from queries.store import codes  # noqa: E402

HEADER = ("aanmelding_id;aanmelddatum;doelgroep;eenheid;geslacht;leeftijdsklasse;kanaal;bekend_via;vraagtypen;"
          "anonimiteitswens;reden_anonimiteit;product;datum_intake;datum_afsluiting;aantal_gesprekken;"
          "wisselingen_hulpverlener;tcl_afgenomen;tcl_boven_afkapwaarde;verwijzing;werkstatus")
BLOCK = 50_000


def _nl(code_list) -> np.ndarray:
    return np.array([c.nl for c in code_list], dtype=object)


def write_registrations(path: Path, rows: int, seed: int = 7, *, first_day: dt.date = dt.date(2012, 5, 1),
                        last_day: dt.date = dt.date(2024, 12, 31), until: dt.date | None = None,
                        prefix: str = "R") -> int:
    """Write a valid registrations export of `rows` rows (Dutch Excel style); return its size in bytes.

    Registrations fall between first_day and last_day; an intake or closure after `until` (the
    export's date) has not happened yet and is left empty.
    """
    rng = np.random.default_rng(seed)
    first = first_day.toordinal()
    last = last_day.toordinal()
    horizon = (until or dt.date.max).toordinal()
    lists = {name: _nl(getattr(codes, name)) for name in (
        "TARGET_GROUPS", "UNITS", "GENDERS", "AGE_BANDS", "CHANNELS", "FOUND_VIA", "ANONYMITY_REASONS",
        "PRODUCTS", "REFERRAL_OUTCOMES", "WORK_STATUSES")}
    questions = _nl(codes.QUESTION_TYPES)
    day_text = {}

    def dates(ordinals: np.ndarray) -> list[str]:
        out = []
        for o in ordinals.tolist():
            text = day_text.get(o)
            if text is None:
                text = day_text[o] = dt.date.fromordinal(o).strftime("%d-%m-%Y")
            out.append(text)
        return out

    with open(path, "w", encoding="cp1252", newline="") as fh:
        fh.write(HEADER + "\r\n")
        for start in range(0, rows, BLOCK):
            n = min(BLOCK, rows - start)
            pick = {k: v[rng.integers(0, len(v), n)] for k, v in lists.items()}
            reg = rng.integers(first, last, n)
            intake = reg + rng.integers(0, 30, n)
            closed = intake + rng.integers(1, 200, n)
            has_intake = (rng.random(n) < 0.9) & (intake <= horizon)
            is_closed = has_intake & (rng.random(n) < 0.8) & (closed <= horizon)
            anon = rng.random(n) < 0.3
            tcl = rng.random(n) < 0.6
            above = rng.random(n) < 0.3
            q1 = rng.integers(0, len(questions), n)
            q2 = rng.integers(0, len(questions), n)
            two = rng.random(n) < 0.4
            reg_t, intake_t, closed_t = dates(reg), dates(intake), dates(closed)
            lines = []
            for i in range(n):
                qs = questions[q1[i]] + ("|" + questions[q2[i]] if two[i] and q2[i] != q1[i] else "")
                closed_i = is_closed[i]
                lines.append(";".join((
                    f"{prefix}{start + i + 1:08d}", reg_t[i], pick["TARGET_GROUPS"][i], pick["UNITS"][i], pick["GENDERS"][i],
                    pick["AGE_BANDS"][i], pick["CHANNELS"][i], pick["FOUND_VIA"][i], qs,
                    "ja" if anon[i] else "nee", pick["ANONYMITY_REASONS"][i] if anon[i] else "",
                    pick["PRODUCTS"][i], intake_t[i] if has_intake[i] else "", closed_t[i] if closed_i else "",
                    str(int(has_intake[i]) * (1 + i % 7)), "0", "ja" if tcl[i] and has_intake[i] else "nee",
                    ("ja" if above[i] else "nee") if tcl[i] and has_intake[i] else "",
                    pick["REFERRAL_OUTCOMES"][i] if closed_i else "", pick["WORK_STATUSES"][i] if closed_i else "",
                )))
            fh.write("\r\n".join(lines) + "\r\n")
    return path.stat().st_size


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def child(csv_path: Path, db_path: Path, refresh: bool) -> dict:
    """Import the file into a fresh store in this process and return the figures."""
    from dashboard.config import Config
    from dashboard.web.runtime import policy_from
    from queries.ingest import importer
    from queries import store

    engine = store.get_engine(f"sqlite:///{db_path}")
    store.migrate(engine)
    baseline = _peak_mb()
    started = time.perf_counter()
    result = importer.import_files(engine, [csv_path], user="benchmark")  # no policy: no refresh
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    refresh_seconds = None
    if refresh:
        t0 = time.perf_counter()
        importer.refresh_catalogue(engine, policy_from(Config()))
        refresh_seconds = time.perf_counter() - t0
    engine.dispose()
    f = result.files[0]
    return {"rows": f.rows, "inserted": f.inserted, "rejected": f.rejected, "errors": result.error_count,
            "committed": result.committed, "seconds": seconds, "baseline_mb": baseline, "peak_mb": peak,
            "refresh_seconds": refresh_seconds, "db_mb": db_path.stat().st_size / 2**20}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--refresh", action="store_true", help="also run and time the catalogue refresh")
    parser.add_argument("--child", nargs=2, metavar=("CSV", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]), args.refresh)))
        return 0
    load = os.getloadavg()
    results = []
    for rows in (args.rows // 10, args.rows):
        with tempfile.TemporaryDirectory(prefix="loket-import-bench-") as tmp:
            csv_path, db_path = Path(tmp) / "aanmeldingen.csv", Path(tmp) / "bench.sqlite"
            t0 = time.perf_counter()
            size = write_registrations(csv_path, rows)
            generated = time.perf_counter() - t0
            cmd = [sys.executable, __file__, "--child", str(csv_path), str(db_path)]
            if args.refresh and rows == args.rows:
                cmd.append("--refresh")
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
            results.append((rows, size, generated, json.loads(out.stdout.strip().splitlines()[-1])))
    lines = [
        f"Import benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}",
        f"target: temporary SQLite file (SQLite {sqlite3.sqlite_version}); Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs; {platform.platform()}; load average at the start {load[0]:.1f} "
        "(other processes share the machine)",
        "file: registrations, Dutch Excel style (Windows-1252, ';', CRLF, dd-mm-yyyy, Dutch labels, 1-2 question "
        "types per row)",
        "",
        f"{'rows':>11} {'file MB':>8} {'seconds':>9} {'rows/s':>9} {'peak MB':>8} {'base MB':>8} {'db MB':>7} committed",
    ]
    for rows, size, _generated, r in results:
        lines.append(
            f"{r['rows']:>11,} {size / 2**20:>8,.0f} {r['seconds']:>9.1f} {r['rows'] / r['seconds']:>9,.0f} "
            f"{r['peak_mb']:>8,.0f} {r['baseline_mb']:>8,.0f} {r['db_mb']:>7,.0f} {r['committed']} "
            f"({r['inserted']:,} inserted, {r['rejected']:,} rejected)")
    small, large = results[0][3], results[1][3]
    lines += [
        "",
        "seconds: the whole import_files call: first pass (parse and validate every row, find duplicate ids),",
        "second pass (parse again, upsert in chunks of 5,000 with the registration_questions), one transaction,",
        "commit; without the catalogue refresh.",
        "peak MB: peak RSS of the import's process (ru_maxrss); base MB: the same just before the import",
        "(interpreter, libraries, migrations). The import's own memory is peak - base: "
        f"{small['peak_mb'] - small['baseline_mb']:,.0f} MB at {results[0][0]:,} rows, "
        f"{large['peak_mb'] - large['baseline_mb']:,.0f} MB at {results[1][0]:,} rows",
        "(SQLite's 64 MB page cache during the import, one chunk of rows, 8 bytes per row for the duplicate check).",
    ]
    r = large
    if r["refresh_seconds"] is not None:
        lines.append(f"catalogue refresh afterwards (separately): {r['refresh_seconds']:.1f} s")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{dt.date.today():%Y-%m-%d}-import.txt").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
