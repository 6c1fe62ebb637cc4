"""`loket refresh` (publish the protected catalogue, or say whether that is due) and `loket audit`."""
from __future__ import annotations

import json
import sys

import pandas as pd

from dashboard import delivery
from dashboard.cli.common import open_store
from dashboard.cli.deliver import run_delivery
from dashboard.config import Config
from dashboard.web.runtime import policy_from
from queries import catalogue
from queries.accounts.access import Access
from queries.catalogue import refresh_due
from queries.ingest.columns import UnknownCodes
from queries.privacy.audit import audit_roles
from queries.store.codes import UNITS


def cmd_refresh(args, cfg: Config) -> int:
    if getattr(args, "status", False):
        return _refresh_status(open_store(cfg))
    print("Publishing the protected catalogue (the attacker check runs only on blocks whose counts changed)...", file=sys.stderr)
    engine = open_store(cfg)
    try:
        run = catalogue.refresh(engine, policy_from(cfg))
    except UnknownCodes as exc:
        print(f"loket refresh: nothing published: {exc}", file=sys.stderr)
        return 2
    print(f"Release {run.id} published, data up to {run.data_until}: {run.cells:,} count cells, "
          f"{run.primary_suppressed:,} hidden by the rule, {run.secondary_suppressed:,} more hidden so they cannot "
          f"be worked out, {run.revised_cells} revised; {run.blocks_protected} of {run.blocks} blocks attacked "
          f"again, the others unchanged ({run.seconds:.1f} s).")
    if delivery.smtp_configured(cfg):  # a new release: its subscribers get their packs now
        return run_delivery(cfg, engine)
    return 0


def _refresh_status(engine) -> int:
    """Say when the catalogue was last refreshed and whether loaded rows wait to be published (exit 1)."""
    with engine.connect() as conn:
        latest = catalogue.latest_refresh(conn)
    if latest is None:
        print("The published catalogue was never built.")
    else:
        print(f"The published catalogue was refreshed on {latest.refreshed_at:%Y-%m-%d %H:%M} UTC, "
              f"with data up to {latest.data_until}.")
    due = refresh_due.due(engine)
    if due is None:
        print("No refresh is due: every loaded row is published.")
        return 0
    batches = ", ".join(map(str, due.batches)) or "-"
    print(f"A refresh is due: rows loaded since {due.since:%Y-%m-%d %H:%M} UTC (import batch {batches}: "
          f"{', '.join(due.files) or '-'}; by {', '.join(due.by) or '-'}) are not yet published. "
          "Run `loket refresh`; the next import or the next start of the app also does it.")
    return 1


def cmd_audit(args, cfg: Config) -> int:
    policy = policy_from(cfg)
    engine = open_store(cfg)
    try:
        _latest, until = catalogue.counts_beside_publication(engine)  # also checks it matches the store
    except (LookupError, RuntimeError) as exc:
        print(f"loket audit: {exc}", file=sys.stderr)
        return 2
    history = [cells for _id, cells in catalogue.release_history(engine)]
    if args.latest:
        history = history[-1:]
    roles = []
    if args.role in ("all", "programme"):
        roles.append(Access("audit", "programme"))
    if args.role in ("all", "unit"):
        roles += [Access("audit", "unit", code) for code in (args.unit or UNITS.values)]
    print(f"Attacking {'the latest release' if args.latest else f'the union of {len(history)} releases'} up to "
          f"{until} with k = {policy.k}, over whole numbers and with what every statistic says of its count "
          f"(a hidden cell passes when its provable interval is at least {policy.k / 2:g} wide):")
    failed = False
    for report in audit_roles(history, policy, roles, catalogue.TABLES_BY_NAME):
        print(" ", report.summary(policy), flush=True)
        if not report.narrow.empty:
            failed = True
            print(report.narrow.head(20).to_string(index=False))
    with engine.connect() as conn:
        report = json.loads(catalogue.latest_refresh(conn).loss or "{}")
    if report:
        overall = report["overall"]
        print(f"\nInformation loss of the latest release: {overall['cells']:,} count cells, "
              f"{overall['hidden_by_rule']:.1%} hidden by the rule (fewer than {policy.k} clients), "
              f"{overall['hidden_as_partner']:.1%} more hidden so they cannot be worked out; "
              f"a unit's yearly breakdown cells with at least {policy.k} clients hidden: "
              f"{overall['unit_year_breakdown_lost']:.1%}.")
        print("Per indicator and level, the share of figures hidden although at least k clients underlie them "
              "(the plain rule shows them all):")
        table = pd.DataFrame(report["indicators"])
        wide = table.pivot_table(index="indicator", columns=["scope", "level"], values="lost_share", sort=False)
        print(wide.map(lambda v: "" if v != v else f"{v:.1%}").to_string())
    return 1 if failed else 0


def add_parsers(sub) -> None:
    refresh = sub.add_parser("refresh", help="rebuild the published, protected catalogue from the store")
    refresh.add_argument("--status", action="store_true",
                         help="only say whether a refresh is due (loaded rows not yet published: exit code 1)")
    refresh.set_defaults(func=cmd_refresh)
    audit = sub.add_parser("audit", help="attack the union of all releases as each role would (integer programmes, "
                                         "HiGHS), and report what users lose")
    audit.add_argument("--role", choices=("all", "programme", "unit"), default="all")
    audit.add_argument("--latest", action="store_true", help="attack the latest release alone")
    audit.add_argument("--unit", action="append", choices=UNITS.values, help="unit code(s) for --role unit")
    audit.set_defaults(func=cmd_audit)
