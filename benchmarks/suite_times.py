"""The test suite's times: the fast suite and the whole suite (the README's commands), against issue 16's targets.

Each suite runs as the README says (`-n auto --dist loadfile`; the whole one with `--browser --slow`)
in this checkout's .venv, with PostgreSQL when LOKET_TEST_PG_URL is set; the wall time, pytest's
own count and the ten slowest tests are printed and written to
benchmarks/results/<YYYY-MM-DD>-suite-times[-<suite>].txt. The whole of CI (`ci`, not run by default)
is `.ci/run` on a fresh clone of this checkout's HEAD: a new virtualenv, its install and the whole
suite; `--runs N` times it N times over, since one run on a shared machine says little about the next.

    .venv/bin/python benchmarks/suite_times.py [--only fast|whole|ci] [--runs N]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SUITES = {
    "fast": ([], 5 * 60),
    "whole": (["--browser", "--slow"], 10 * 60),
}
CI_TARGET = 10 * 60


def _summary(output: str, returncode: int) -> str:
    lines = output.splitlines()
    summary = next((line.strip("= ") for line in reversed(lines) if re.search(r"\d+ (passed|failed)", line)),
                   f"exited {returncode}")
    return summary + (f" (exit {returncode})" if returncode else "")


def run(flags: list[str]) -> tuple[float, str, list[str]]:
    """Run one suite; return its wall time, pytest's summary line and its slowest tests."""
    command = [sys.executable, "-m", "pytest", *flags, "-n", "auto", "--dist", "loadfile", "-q",
               "-p", "no:cacheprovider", "--durations=10"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    slowest = [line.strip() for line in done.stdout.splitlines()
               if re.match(r"\s*\d+\.\d+s (call|setup|teardown)", line)]
    return seconds, _summary(done.stdout, done.returncode), slowest


def run_ci() -> tuple[float, str, bool]:
    """Run .ci/run on a fresh clone of HEAD (what CI checks out); return its wall time, pytest's summary, success."""
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        started = time.perf_counter()
        done = subprocess.run(["bash", ".ci/run"], cwd=clone, capture_output=True, text=True,
                              env={**os.environ, "CI": "true"})
        seconds = time.perf_counter() - started
    return seconds, _summary(done.stdout, done.returncode), done.returncode == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=[*SUITES, "ci"])
    parser.add_argument("--runs", type=int, default=1, help="how many times to run .ci/run (with --only ci)")
    args = parser.parse_args(argv)
    if args.runs < 1 or (args.runs > 1 and args.only != "ci"):
        parser.error("--runs takes a number of at least 1, and more than 1 only with --only ci")
    now = dt.datetime.now()
    postgresql = ("on (.ci/run starts it)" if args.only == "ci"
                  else "on" if os.environ.get("LOKET_TEST_PG_URL") else "skipped")
    lines = [f"# Test suite times, {now:%Y-%m-%d %H:%M}",
             f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"PostgreSQL tests: {postgresql}", ""]
    for name, (flags, target) in SUITES.items():
        if args.only and name != args.only:
            continue
        seconds, summary, slowest = run(flags)
        verdict = "MET" if seconds <= target else "NOT MET"
        lines += [f"## {name} suite: pytest {' '.join(flags + ['-n auto --dist loadfile'])}",
                  f"{seconds:.0f} s ({seconds / 60:.1f} min); {summary}; target <= {target // 60} min: {verdict}",
                  "slowest:", *(f"  {line}" for line in slowest), ""]
        print("\n".join(lines[-(len(slowest) + 4):]), flush=True)
    if args.only == "ci":
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        lines += [f"## whole of CI: .ci/run on a fresh clone of {head.stdout.strip()} (install included)"]
        times, passed = [], True
        for number in range(1, args.runs + 1):
            seconds, summary, ok = run_ci()
            times.append(seconds)
            passed &= ok
            lines.append(f"run {number}: {seconds:.0f} s ({seconds / 60:.1f} min); {summary}")
            print(lines[-1], flush=True)
        verdict = "MET" if passed and max(times) <= CI_TARGET else "NOT MET"
        lines += [f"slowest of {len(times)}: {max(times):.0f} s ({max(times) / 60:.1f} min); "
                  f"target <= {CI_TARGET // 60} min, passing, in every run: {verdict}", ""]
        print(lines[-2], flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{now:%Y-%m-%d}-suite-times{'-' + args.only if args.only else ''}.txt"  # one --only run keeps the other
    out.write_text("\n".join(lines))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
