"""The `loket` command: demo data, users, imports, the privacy audit and reports."""
from __future__ import annotations

import argparse
import sys
import time

from dashboard.config import Config
from queries import store


def _engine(cfg: Config):
    engine = store.get_engine(cfg.DATABASE_URL)
    store.migrate(engine)
    return engine


def cmd_demo(args, cfg: Config) -> int:
    from queries.demo import load_demo

    engine = _engine(cfg)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"\r  {done:>9,} / {total:,} registrations", end="", file=sys.stderr, flush=True)

    summary = load_demo(engine, seed=args.seed, registrations=args.registrations, progress=progress)
    print(file=sys.stderr)
    print(f"Demo store filled in {time.perf_counter() - started:.1f} s: {summary}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loket", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="replace the store's contents with deterministic demo data")
    demo.add_argument("--seed", type=int, default=2014)
    demo.add_argument("--registrations", type=int, default=None,
                      help="total registrations (default: calibrated to the 2014 evaluation, then growth)")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args, Config())


if __name__ == "__main__":
    sys.exit(main())
