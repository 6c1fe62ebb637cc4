"""Benchmark of the demo generator: wall time, throughput and peak memory at N and N/10.

    .venv/bin/python benchmarks/demo_generation.py [--registrations N] [--url URL]

Each size runs in its own subprocess (so each peak RSS is that run's own) into a fresh temporary
SQLite file, or into the store at --url (whose contents are replaced). If the peak RSS at N is
about the same as at N/10, memory is bounded: the generator writes batch by batch.

On PostgreSQL the demo is written with COPY; N/10 is also loaded the older way (Core insert()
executemany) to give the ratio between the two. Before each timed load the demo tables of a --url
store are emptied (TRUNCATE), so every run loads into an empty store; the last run's data stays.

The table is printed and written to benchmarks/results/<YYYY-MM-DD>-demo-generation.txt, or
<YYYY-MM-DD>-demo-generation-<database>.txt for a --url store (e.g. -postgresql).
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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from queries.demo import CHUNK_REGISTRATIONS  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _database(url: str | None) -> str:
    return url.split(":", 1)[0].split("+", 1)[0] if url else "sqlite"


def child(registrations: int, url: str | None, executemany: bool = False) -> dict:
    """Run one load in this process and return its figures."""
    from queries import store
    from queries.demo import DEMO_TABLES, load, load_demo

    if executemany:
        load._Writer.use_copy = False
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        target = url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine = store.get_engine(target)
        store.migrate(engine)
        if engine.dialect.name == "postgresql":  # start from empty demo tables, untimed (TRUNCATE
            with engine.begin() as conn:          # refuses if a table outside them refers to them)
                conn.exec_driver_sql(f"TRUNCATE {', '.join(m.__table__.name for m in DEMO_TABLES)}")
        baseline = _peak_mb()
        started = time.perf_counter()
        summary = load_demo(engine, registrations=registrations)
        seconds = time.perf_counter() - started
        size = None
        if url and engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() / 2**20
        engine.dispose()  # checkpoints and removes SQLite's write-ahead log
        if not url:
            size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
    path = "executemany" if executemany or engine.dialect.name != "postgresql" else "COPY"
    return {
        "registrations": summary.registrations, "rows": summary.rows, "contacts": summary.contacts,
        "sessions": summary.sessions, "surveys": summary.surveys, "questions": summary.question_types,
        "seconds": seconds, "baseline_mb": baseline, "peak_mb": _peak_mb(), "db_mb": size, "path": path,
    }


def run(registrations: int, url: str | None, executemany: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", "--registrations", str(registrations)]
    if url:
        cmd += ["--url", url]
    if executemany:
        cmd += ["--executemany"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(results: list[dict], url: str | None) -> str:
    target = url.split("@")[-1] if url else f"temporary SQLite file (SQLite {sqlite3.sqlite_version})"
    lines = [
        f"Demo generation benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}",
        f"target: {target}; Python {platform.python_version()}; {os.cpu_count()} CPUs; {platform.platform()}",
        "",
        f"{'N':>11} {'writes':>12} {'seconds':>9} {'rows':>12} {'rows/s':>9} {'regs/s':>8} "
        f"{'peak MB':>8} {'base MB':>8} {'db MB':>7}",
    ]
    for r in results:
        db = f"{r['db_mb']:>7,.0f}" if r["db_mb"] is not None else f"{'-':>7}"
        lines.append(
            f"{r['registrations']:>11,} {r['path']:>12} {r['seconds']:>9.1f} {r['rows']:>12,} "
            f"{r['rows'] / r['seconds']:>9,.0f} {r['registrations'] / r['seconds']:>8,.0f} "
            f"{r['peak_mb']:>8,.0f} {r['baseline_mb']:>8,.0f} {db}"
        )
    big = results[-1]
    small = next(r for r in results if r["path"] == big["path"])  # the same writes at N/10
    ratio = big["peak_mb"] / small["peak_mb"]
    factor = big["registrations"] / max(small["registrations"], 1)
    if small["registrations"] < CHUNK_REGISTRATIONS:
        verdict = (f"N/10 is below one batch ({CHUNK_REGISTRATIONS:,} registrations), so this run "
                   "says nothing about bounded memory; use a larger N.")
    elif ratio < 1.5:
        verdict = "memory is bounded by the batch size, not by N."
    else:
        verdict = "memory grows with N: NOT bounded."
    lines += [
        "",
        "rows: registrations + contacts + sessions + surveys + question types + website months.",
        "peak MB: peak RSS of the run's process (ru_maxrss); base MB: the same just before the load "
        "(interpreter, libraries, migrations). db MB: the SQLite file, or the PostgreSQL database "
        "(pg_database_size), after the load.",
        "writes: executemany (raw on SQLite, Core insert() on PostgreSQL) or COPY (binary, psycopg 3).",
        f"At {factor:.0f}x the registrations the peak RSS is {ratio:.2f}x: {verdict}",
    ]
    old = next((r for r in results if r["path"] != big["path"]), None)
    if old is not None:  # the same N/10 both ways
        speed = {r["path"]: r["rows"] / r["seconds"] for r in (old, small)}
        lines.append(f"At N/10 COPY writes {speed['COPY']:,.0f} rows/s, executemany {speed['executemany']:,.0f}: "
                     f"{speed['COPY'] / speed['executemany']:.1f}x.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--url", default=None, help="store URL (its contents are replaced); default: a temporary SQLite file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--executemany", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.registrations, args.url, args.executemany)))
        return 0
    database = _database(args.url)
    small = max(args.registrations // 10, 1)
    runs = [(small, False), (args.registrations, False)]
    if database == "postgresql":  # N/10 the older way too; the N run last, so its data stays
        runs.insert(0, (small, True))
    results = []
    for n, executemany in runs:
        how = " with executemany" if executemany else ""
        print(f"generating {n:,} registrations{how} ...", file=sys.stderr, flush=True)
        results.append(run(n, args.url, executemany))
    text = table(results, args.url)
    print(text, end="")
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        suffix = f"-{database}" if args.url else ""
        path = RESULTS / f"{dt.date.today():%Y-%m-%d}-demo-generation{suffix}.txt"
        path.write_text(text)
        print(f"written to {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
