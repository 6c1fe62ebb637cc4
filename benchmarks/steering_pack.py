"""Benchmark of the steering pack (issue #6): time and size of a full pack for a year of demo data.

    .venv/bin/python benchmarks/steering_pack.py [--url URL] [--period 2014-03] [--unit NN]

"A year of demo data": the pack for a month, with every trend over the twelve months up to it
(the monitor's default monthly range), on the calibrated demo store (a fresh temporary SQLite
store filled with `load_demo` and published, unless --url names a published store). For the
programme and for one unit, it times the steps (reading the figures from the pages, drawing the
charts in the warm browser, writing each format) and records the sizes; the first pack also
pays for starting the browser, which is timed on its own.
The table is printed and written to benchmarks/results/<YYYY-MM-DD>-steering-pack.txt.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from benchmarks._server import demo_store  # noqa: E402 - after the project root is on the path

PACK_TARGET_S = 8.0  # issue 18: a steering pack of 30 charts


def _pages(fmt: str, data: bytes) -> int:
    if fmt == "pptx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return sum(1 for n in z.namelist() if n.startswith("ppt/slides/slide") and n.endswith(".xml"))
    if fmt == "pdf":
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(data)).pages)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sum(1 for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def run(url: str | None, period: str, unit: str) -> str:
    from dashboard import exports
    from dashboard.config import Config
    from queries.accounts.access import Access

    with tempfile.TemporaryDirectory(prefix="loket-bench-") as folder:
        engine, build_seconds = demo_store(url, folder)
        cfg = Config.from_overrides({"DATABASE_URL": str(engine.url), "DEMO_MODE": True})
        server = exports.offline_server(cfg, engine)
        started = time.perf_counter()
        exports.renderer.start()
        browser_seconds = time.perf_counter() - started
        rows = []
        for label, access in (("programme", Access("bench", "programme")), (f"unit {unit}", Access("bench", "unit", unit))):
            query = {"periode": "month", "tot": period}
            t0 = time.perf_counter()
            pack = exports.collect(server, access, query, "nl", demo=True)
            t1 = time.perf_counter()
            exports.draw(pack)
            t2 = time.perf_counter()
            for fmt in exports.PACK_FORMATS:
                t3 = time.perf_counter()
                data = exports.write_pack(pack, fmt)
                t4 = time.perf_counter()
                drawn = (t2 - t1) if fmt != "xlsx" else 0.0
                rows.append({"who": label, "fmt": fmt, "charts": len(pack.charts), "pages": _pages(fmt, data),
                             "collect": t1 - t0, "draw": drawn, "write": t4 - t3,
                             "total": (t1 - t0) + drawn + (t4 - t3), "bytes": len(data)})
        exports.renderer.close()
        meta = pack.meta
    lines = [
        f"Steering pack benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}",
        f"store: {'the store at --url' if url else f'temporary SQLite, calibrated demo data (built in {build_seconds:.0f} s)'}; "
        f"data up to {meta.data_until}; Python {platform.python_version()}; {os.cpu_count()} CPUs; {platform.platform()}",
        f"pack: {period} with trends over {meta.start} .. {meta.end} (a year of months); language nl",
        f"browser (kaleido, /usr/bin/chromium) started once in {browser_seconds:.1f} s, then kept warm",
        "",
        f"{'who':<10} {'format':<6} {'charts':>6} {'pages':>6} {'collect s':>9} {'draw s':>7} {'write s':>8} "
        f"{'total s':>8} {'size':>9}",
    ]
    for r in rows:
        lines.append(f"{r['who']:<10} {r['fmt']:<6} {r['charts']:>6} {r['pages']:>6} {r['collect']:>9.1f} "
                     f"{r['draw']:>7.1f} {r['write']:>8.1f} {r['total']:>8.1f} {exports.size_text(r['bytes']):>9}")
    lines += [
        "",
        "collect: laying out the six monitor pages for the caller (protected figures from the catalogue);",
        "draw: every chart as a 2000x1000 PNG in the warm browser (palette PNGs), once for PowerPoint and PDF;",
        "write: the file itself. total = collect + draw + write, as one click or `loket report` costs once the",
        "browser runs (the first pack of a process adds the browser start above).",
    ]
    drawn = [r for r in rows if r["fmt"] != "xlsx"]  # the formats with chart images
    slowest = max(drawn, key=lambda r: r["total"])
    met = all(r["total"] <= PACK_TARGET_S for r in drawn)
    lines.append(f"issue 18: a pack of {min(r['charts'] for r in drawn)}+ charts in <= {PACK_TARGET_S:.0f} s: "
                 f"{'MET' if met else 'MISSED'} (slowest: {slowest['who']} {slowest['fmt']}, {slowest['total']:.1f} s)")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a published store (default: a fresh temporary demo store)")
    parser.add_argument("--period", default="2014-03", help="the month of the pack (default 2014-03)")
    parser.add_argument("--unit", default="NN", help="the unit of the unit pack (default NN)")
    args = parser.parse_args()
    text = run(args.url, args.period, args.unit)
    print(text, end="")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{dt.date.today():%Y-%m-%d}-steering-pack.txt").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
