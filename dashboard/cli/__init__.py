"""The `loket` command: demo data, users, imports, the privacy audit, reports, their delivery and expected values."""
from __future__ import annotations

import argparse
import sys

from dashboard.cli import catalogue, deliver, demo, imports, report, targets, users
from dashboard.config import Config

GROUPS = (demo, catalogue, users, imports, report, deliver, targets)  # in the order `loket --help` lists them


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
