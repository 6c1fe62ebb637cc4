"""Benchmark of the demo generator: wall time, throughput and peak memory at N and N/10.

    .venv/bin/python benchmarks/demo_generation.py [--registrations N] [--url URL]

Each size runs in its own subprocess (so each peak RSS is that run's own) into a fresh temporary
SQLite file, or into the store at --url (whose contents are replaced). If the peak RSS at N is
about the same as at N/10, memory is bounded: the generator writes batch by batch.
The table is printed and written to benchmarks/results/<YYYY-MM-DD>-demo-generation.txt.
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


def child(registrations: int, url: str | None) -> dict:
    """Run one load in this process and return its figures."""
    from queries import store
    from queries.demo import load_demo

    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        target = url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine = store.get_engine(target)
        store.migrate(engine)
        baseline = _peak_mb()
        started = time.perf_counter()
        summary = load_demo(engine, registrations=registrations)
        seconds = time.perf_counter() - started
        engine.dispose()  # checkpoints and removes SQLite's write-ahead log
        size = None
        if not url:
            size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
    return {
        "registrations": summary.registrations, "rows": summary.rows, "contacts": summary.contacts,
        "sessions": summary.sessions, "surveys": summary.surveys, "questions": summary.question_types,
        "seconds": seconds, "baseline_mb": baseline, "peak_mb": _peak_mb(), "db_mb": size,
    }


def run(registrations: int, url: str | None) -> dict:
    cmd = [sys.executable, __file__, "--child", "--registrations", str(registrations)]
    if url:
        cmd += ["--url", url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(results: list[dict], url: str | None) -> str:
    target = url.split("@")[-1] if url else f"temporary SQLite file (SQLite {sqlite3.sqlite_version})"
    lines = [
        f"Demo generation benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}",
        f"target: {target}; Python {platform.python_version()}; {os.cpu_count()} CPUs; {platform.platform()}",
        "",
        f"{'N':>11} {'seconds':>9} {'rows':>12} {'rows/s':>9} {'regs/s':>8} {'peak MB':>8} "
        f"{'base MB':>8} {'db MB':>7}",
    ]
    for r in results:
        db = f"{r['db_mb']:>7,.0f}" if r["db_mb"] is not None else f"{'-':>7}"
        lines.append(
            f"{r['registrations']:>11,} {r['seconds']:>9.1f} {r['rows']:>12,} "
            f"{r['rows'] / r['seconds']:>9,.0f} {r['registrations'] / r['seconds']:>8,.0f} "
            f"{r['peak_mb']:>8,.0f} {r['baseline_mb']:>8,.0f} {db}"
        )
    small, big = results[0], results[-1]
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
        "(interpreter, libraries, migrations). db MB: the SQLite file after the load.",
        f"At {factor:.0f}x the registrations the peak RSS is {ratio:.2f}x: {verdict}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--url", default=None, help="store URL (its contents are replaced); default: a temporary SQLite file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.registrations, args.url)))
        return 0
    results = []
    for n in (max(args.registrations // 10, 1), args.registrations):
        print(f"generating {n:,} registrations ...", file=sys.stderr, flush=True)
        results.append(run(n, args.url))
    text = table(results, args.url)
    print(text, end="")
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{dt.date.today():%Y-%m-%d}-demo-generation.txt"
        path.write_text(text)
        print(f"written to {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
