"""The `loket` command: demo data, users, imports, the privacy audit, reports, their delivery, expected values and
events on the timeline."""
from __future__ import annotations

import argparse
import sys

from dashboard.cli import catalogue, deliver, demo, events, imports, report, targets, users
from dashboard.config import Config

GROUPS = (demo, catalogue, users, imports, report, deliver, targets, events)  # in the order `loket --help` lists them


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loket", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args, Config())


if __name__ == "__main__":
    sys.exit(main())
