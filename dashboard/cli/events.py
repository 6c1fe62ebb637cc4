"""`loket events list|add|retire`: events on the timeline (a mailing, a change of product), national or per unit."""
from __future__ import annotations

import argparse
import sys

from dashboard.cli.common import open_store, os_user
from dashboard.config import Config
from queries import events
from queries.accounts.access import Access
from queries.store.codes import UNITS, UNKNOWN_UNIT

ROLLOUT_TEXT = "(roll-out of the Loket in this unit, from the units' data)"


def _actor(args) -> Access:
    # The command line is the administrator's tool (like `loket targets`): it records as admin, named by --by.
    return Access((args.by or os_user())[:80], "admin")


def _refused(exc: events.EventError, what: str) -> int:
    print(f"loket events: {exc}; nothing was {what}", file=sys.stderr)
    return 2


def cmd_events_add(args, cfg: Config) -> int:
    """Record an event for the nation (NL) or one unit."""
    try:
        new_id = events.record(open_store(cfg), _actor(args), day=args.day, scope=args.scope, text=args.text)
    except events.EventError as exc:
        return _refused(exc, "recorded")
    print(f"Recorded event {new_id}: {events.parse_day(args.day)} {events.parse_scope(args.scope)} "
          f"{events.clean_text(args.text)}")
    return 0


def cmd_events_list(args, cfg: Config) -> int:
    """List the active events (and the units' roll-outs) by date, optionally for some scopes and a range."""
    try:
        scopes = [events.parse_scope(s) for s in args.scope] if args.scope else None
        start = events.parse_day(args.start) if args.start else None
        end = events.parse_day(args.end) if args.end else None
    except events.EventError as exc:
        return _refused(exc, "listed")
    found = events.events_for(open_store(cfg), _actor(args), scopes, start, end)
    if not found:
        print("No events.")
        return 0
    print(f"{'id':>5} {'date':<10} {'scope':<5} {'recorded by':<20} text")
    for e in found:
        ident = str(e.id) if e.id else "-"
        print(f"{ident:>5} {e.day.isoformat():<10} {e.scope:<5} {(e.created_by or '-')[:20]:<20} "
              f"{e.text if e.retirable else ROLLOUT_TEXT}")
    return 0


def cmd_events_retire(args, cfg: Config) -> int:
    """Retire a recorded event: the charts no longer mark it; its row stays."""
    try:
        events.retire(open_store(cfg), _actor(args), args.id)
    except events.EventError as exc:
        return _refused(exc, "changed")
    print(f"Retired event {args.id}.")
    return 0


def add_parsers(sub) -> None:
    parser = sub.add_parser(
        "events", help="record, list and retire events on the timeline (markers on the charts)",
        description="Events explain a trend: a mailing, a campaign, a change of product. Every time chart of the "
                    "event's scope marks it. An event's text must never describe a client; at most "
                    f"{events.MAX_TEXT} characters. Units' roll-outs come from the units' data by themselves.")
    events_sub = parser.add_subparsers(dest="events_command", required=True)
    by_help = "who does it, for the record and the audit log (default: the OS user)"
    scopes = ", ".join(["NL", *(u for u in UNITS.values if u != UNKNOWN_UNIT)])

    add = events_sub.add_parser("add", help="record an event")
    add.add_argument("day", help="the day, YYYY-MM-DD (or D-M-YYYY), from the monitor's first month to a year ahead")
    add.add_argument("scope", help=f"NL (national) or a unit: {scopes}")
    add.add_argument("text", help=f"a short text, at most {events.MAX_TEXT} characters; never about a client")
    add.add_argument("--by", metavar="NAME", help=by_help)
    add.set_defaults(func=cmd_events_add)

    lst = events_sub.add_parser("list", help="list the active events and the units' roll-outs by date")
    lst.add_argument("--scope", action="append", metavar="SCOPE", help="only this scope (repeatable)")
    lst.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="from this day")
    lst.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="up to and including this day")
    lst.add_argument("--by", metavar="NAME", help=argparse.SUPPRESS)
    lst.set_defaults(func=cmd_events_list)

    retire = events_sub.add_parser("retire", help="retire a recorded event (its row stays)")
    retire.add_argument("id", help="the event's id (see `loket events list`)")
    retire.add_argument("--by", metavar="NAME", help=by_help)
    retire.set_defaults(func=cmd_events_retire)
