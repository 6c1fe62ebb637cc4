"""`loket targets set|list|retire`: the commissioner's expected values (streefwaarden)."""
from __future__ import annotations

import argparse
import sys

from dashboard.cli.common import open_store, os_user
from dashboard.config import Config
from queries import targets
from queries.accounts.access import Access
from queries.store.codes import PRODUCTS, TARGET_GROUPS
from queries.targets import target_rules


def _target_access(args) -> Access:
    return Access((args.by or os_user())[:80], "admin")


def cmd_targets_set(args, cfg: Config) -> int:
    """Record an expected value (a change is a new row; the older one stays, superseded from --from on)."""
    engine = open_store(cfg)
    try:
        new_id = targets.record(engine, _target_access(args), indicator=args.indicator, value=args.value,
                                valid_from=args.valid_from, rationale=args.rationale, product=args.product,
                                target_group=args.target_group)
    except targets.TargetError as exc:
        print(f"loket targets: {exc}; nothing was recorded", file=sys.stderr)
        return 2
    print(f"Recorded expected value {new_id}: {args.indicator} = {args.value} from {args.valid_from}"
          + (f", product {args.product}" if args.product else "")
          + (f", target group {args.target_group}" if args.target_group else "") + ".")
    return 0


def cmd_targets_list(args, cfg: Config) -> int:
    """List the expected values that apply now or later (with --all: every one ever recorded)."""
    df = targets.history(open_store(cfg), _target_access(args), include_past=args.all)
    if df.empty:
        print("No expected values." + ("" if args.all else " (--all also lists superseded and retired ones)"))
        return 0
    print(f"{'id':>5} {'indicator':<26} {'product':<17} {'target group':<18} {'value':>9} {'from':<7} {'to':<7} "
          f"{'status':<10} {'set by':<16} rationale")
    for row in df.sort_values(["indicator", "start", "id"]).itertuples():
        last = target_rules.last_month(row.start, row.end)
        until = "" if last is None else last or "never"
        status = row.status + (f" by {row.retired_by}" if row.status == targets.RETIRED else "")
        print(f"{row.id:>5} {row.indicator:<26} {row.product or '-':<17} {row.target_group or '-':<18} "
              f"{row.expected_value:>9g} {row.start:<7} {until:<7} {status:<10} {row.set_by or '-':<16} "
              f"{(row.rationale or '')[:60]}")
    return 0


def cmd_targets_retire(args, cfg: Config) -> int:
    """Retire an expected value from this month on; its row and earlier months stay."""
    try:
        targets.retire(open_store(cfg), _target_access(args), target_id=args.id)
    except targets.TargetError as exc:
        print(f"loket targets: {exc}; nothing was changed", file=sys.stderr)
        return 2
    print(f"Retired expected value {args.id}.")
    return 0


def add_parsers(sub) -> None:
    parser = sub.add_parser(
        "targets", help="record, list and retire the commissioner's expected values (streefwaarden)",
        description="Expected values per indicator, optionally per product or target group, never per unit. "
                    "A change is a new row from its --from month on; nothing is overwritten.")
    targets_sub = parser.add_subparsers(dest="targets_command", required=True)
    by_help = "who sets it, for the record and the audit log (default: the OS user)"

    set_ = targets_sub.add_parser("set", help="record an expected value (or a change of one)")
    set_.add_argument("indicator", help="indicator key, e.g. waiting_within_14 (see the definitions page)")
    set_.add_argument("value", help="the expected value; percentages 0-100")
    set_.add_argument("--from", dest="valid_from", required=True, metavar="YYYY-MM", help="first month it applies to")
    set_.add_argument("--product", help=f"only for this product: {', '.join(PRODUCTS.values)}")
    set_.add_argument("--target-group", help=f"only for this target group: {', '.join(TARGET_GROUPS.values)}")
    set_.add_argument("--rationale", required=True, help="a short rationale")
    set_.add_argument("--by", metavar="NAME", help=by_help)
    set_.set_defaults(func=cmd_targets_set)

    lst = targets_sub.add_parser("list", help="list the expected values that apply now or later")
    lst.add_argument("--all", action="store_true", help="the whole history, with superseded and retired values")
    lst.add_argument("--by", metavar="NAME", help=argparse.SUPPRESS)
    lst.set_defaults(func=cmd_targets_list)

    retire = targets_sub.add_parser("retire", help="retire an expected value from this month on (its row stays)")
    retire.add_argument("id", help="the expected value's id (see `loket targets list`)")
    retire.add_argument("--by", metavar="NAME", help=by_help)
    retire.set_defaults(func=cmd_targets_retire)
