"""`loket report`: write a steering pack for the programme, or for one unit as its users see it."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from dashboard import exports
from dashboard.cli.common import clear_progress, open_store, os_user
from dashboard.config import Config
from dashboard.ui import controls
from queries.accounts import audit_log
from queries.accounts.access import Access
from queries.catalogue import indicators
from queries.store.codes import UNITS


def cmd_report(args, cfg: Config) -> int:
    """Write a steering pack for the programme, or for one unit exactly as its users see it."""
    period_type = controls.period_type_of(args.period)
    if period_type is None:
        print(f"loket report: {args.period!r} is not a period: use 2014-03, 2014-Q1 or 2014", file=sys.stderr)
        return 2
    if args.start is not None and controls.period_type_of(args.start) != period_type:
        print(f"loket report: --from {args.start!r} is not a period of the same kind as {args.period}", file=sys.stderr)
        return 2
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "pptx")
    if fmt not in exports.PACK_FORMATS:
        print(f"loket report: choose --format {'|'.join(exports.PACK_FORMATS)}", file=sys.stderr)
        return 2
    engine = open_store(cfg)
    user = os_user()[:80]
    access = Access(user, "unit", args.unit) if args.unit else Access(user, "programme")
    available = indicators.published_periods(engine, access)[period_type]
    if not available:
        print("loket report: nothing is published yet: load data and run `loket refresh`", file=sys.stderr)
        return 1
    if args.period not in available:
        print(f"loket report: {args.period} is not published; {period_type}s run from {available[0]} to "
              f"{available[-1]}", file=sys.stderr)
        return 2
    query = {"periode": period_type, "tot": args.period, **({"van": args.start} if args.start else {})}
    interactive = sys.stderr.isatty()
    names = {"collect": "reading the figures", "render": "drawing the charts", "write": "writing the file"}

    def progress(step: str, done: int, total: int) -> None:
        text = f"  {names.get(step, step)}: {done} of {total}"
        if interactive:
            print(f"\r{text}\x1b[K", end="", file=sys.stderr, flush=True)
        elif done == total:
            print(text, file=sys.stderr, flush=True)

    who = f"unit {args.unit} ({UNITS.label(args.unit, 'en')}) as its users see it" if args.unit else "the programme"
    print(f"Steering pack ({fmt}) for {who}, {args.period}...", file=sys.stderr)
    started = time.perf_counter()
    server = exports.offline_server(cfg, engine)
    try:
        result = exports.build_pack(server, access, query, args.lang, fmt, demo=cfg.DEMO_MODE, progress=progress)
    except Exception as exc:  # noqa: BLE001 - the browser or the store failed: say so plainly
        clear_progress(interactive)
        print(f"loket report: the pack could not be made: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    clear_progress(interactive)
    if result is None:
        print("loket report: nothing is published yet: load data and run `loket refresh`", file=sys.stderr)
        return 1
    name, data, pack = result
    out = Path(args.out) if args.out else Path(name)
    out.write_bytes(data)
    audit_log.record(engine, access, "export", f"cli: {out.name}", pack.meta.scope_code(), status=200)
    print(f"Wrote {out}: {len(pack.charts)} charts, {len(pack.key_figures)} key figures, "
          f"{exports.size_text(len(data))}, in {time.perf_counter() - started:.1f} s.")
    return 0


def add_parsers(sub) -> None:
    report = sub.add_parser(
        "report", help="write a steering pack (PowerPoint, PDF or Excel) for the programme or one unit",
        description="Write the steering pack: a cover, the key figures with their expected values, one slide per "
                    "chart of the monitor (its definition in the notes) and the privacy rule. Only protected, "
                    "published figures: exactly what the programme manager, or with --unit a unit's users, see on "
                    "the pages. Charts are drawn by the system's Chromium (kaleido).")
    report.add_argument("--period", required=True, metavar="PERIOD",
                        help="the reported period: a month (2014-03), quarter (2014-Q1) or year (2014); trends run "
                             "up to it")
    report.add_argument("--from", dest="start", metavar="PERIOD",
                        help="first period of the trends (default: a year of months, 8 quarters or 6 years)")
    report.add_argument("--unit", choices=UNITS.values,
                        help="a unit's pack: that unit with the national benchmark, as its users see it")
    report.add_argument("--format", choices=("pptx", "pdf", "xlsx"),
                        help="pptx (default), pdf or xlsx (default: from the --out suffix)")
    report.add_argument("--out", metavar="FILE", help="where to write it (default: a file name from scope and period)")
    report.add_argument("--lang", choices=("nl", "en"), default="nl", help="language (default: nl)")
    report.set_defaults(func=cmd_report)
