"""The test suite's times: the fast suite and the whole suite (the README's commands), against issue 16's targets.

Each suite runs as the README says (`-n auto --dist loadfile`; the whole one with `--browser --slow`)
in this checkout's .venv, with PostgreSQL when LOKET_TEST_PG_URL is set; the wall time, pytest's
own count and the ten slowest tests are printed and written to
benchmarks/results/<YYYY-MM-DD>-suite-times.txt. The whole of CI (`.ci/run`) adds a fresh
virtualenv and its install to the whole suite; time it on a fresh clone with `time CI=true .ci/run`.

    .venv/bin/python benchmarks/suite_times.py [--only fast|whole]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SUITES = {
    "fast": ([], 5 * 60),
    "whole": (["--browser", "--slow"], 10 * 60),
}


def run(flags: list[str]) -> tuple[float, str, list[str]]:
    """Run one suite; return its wall time, pytest's summary line and its slowest tests."""
    command = [sys.executable, "-m", "pytest", *flags, "-n", "auto", "--dist", "loadfile", "-q",
               "-p", "no:cacheprovider", "--durations=10"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = done.stdout.splitlines()
    summary = next((line.strip("= ") for line in reversed(lines) if re.search(r"\d+ (passed|failed)", line)),
                   f"pytest exited {done.returncode}")
    slowest = [line.strip() for line in lines if re.match(r"\s*\d+\.\d+s (call|setup|teardown)", line)]
    if done.returncode != 0:
        summary += f" (exit {done.returncode})"
    return seconds, summary, slowest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SUITES))
    args = parser.parse_args(argv)
    now = dt.datetime.now()
    lines = [f"# Test suite times, {now:%Y-%m-%d %H:%M}",
             f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"PostgreSQL tests: {'on' if os.environ.get('LOKET_TEST_PG_URL') else 'skipped'}", ""]
    for name, (flags, target) in SUITES.items():
        if args.only and name != args.only:
            continue
        seconds, summary, slowest = run(flags)
        verdict = "MET" if seconds <= target else "NOT MET"
        lines += [f"## {name} suite: pytest {' '.join(flags + ['-n auto --dist loadfile'])}",
                  f"{seconds:.0f} s ({seconds / 60:.1f} min); {summary}; target <= {target // 60} min: {verdict}",
                  "slowest:", *(f"  {line}" for line in slowest), ""]
        print("\n".join(lines[-(len(slowest) + 4):]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{now:%Y-%m-%d}-suite-times{'-' + args.only if args.only else ''}.txt"  # one --only run keeps the other
    out.write_text("\n".join(lines))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
