"""`loket demo`: replace the store's contents with deterministic demo data, then publish them."""
from __future__ import annotations

import sys
import time

from dashboard.cli.catalogue import cmd_refresh
from dashboard.cli.common import open_store
from dashboard.config import Config
from queries.demo import load_demo


def cmd_demo(args, cfg: Config) -> int:
    engine = open_store(cfg)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"\r  {done:>9,} / {total:,} registrations", end="", file=sys.stderr, flush=True)

    summary = load_demo(engine, seed=args.seed, registrations=args.registrations, progress=progress)
    print(file=sys.stderr)
    print(f"Demo store filled in {time.perf_counter() - started:.1f} s: {summary}")
    return cmd_refresh(args, cfg)


def add_parsers(sub) -> None:
    demo = sub.add_parser("demo", help="replace the store's contents with deterministic demo data")
    demo.add_argument("--seed", type=int, default=2014)
    demo.add_argument("--registrations", type=int, default=None,
                      help="total registrations (default: calibrated to the 2014 evaluation, then growth)")
    demo.set_defaults(func=cmd_demo)
