"""A series of monthly releases of the demo history, and the attack on their union for every role.

Each release is cut from the demo store as it held its data then (no later intakes, closures,
sessions, surveys or contacts) and refreshed with that month's date; then the union of all
releases is attacked for the programme role and every unit role, and the information loss of the
last release is printed (what `loket audit` prints).

    .venv/bin/python benchmarks/release_series.py [--first 2025-10] [--releases 14] [--out FILE]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from queries import catalogue  # noqa: E402
from queries.accounts.access import Access  # noqa: E402
from queries.privacy.audit import audit_roles  # noqa: E402
from queries.store.codes import UNITS  # noqa: E402
from queries.demo import load_demo  # noqa: E402
from queries.privacy import Policy  # noqa: E402
from tests.stores import fresh_store  # noqa: E402
from tests.release_history import as_held_on  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", default="2025-10", help="the first release's last month (YYYY-MM)")
    parser.add_argument("--releases", type=int, default=14)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    policy = Policy()
    year, month = map(int, args.first.split("-"))
    days = [dt.date(year + (month + i) // 12, (month + i) % 12 + 1, 2) for i in range(args.releases)]
    lines = [f"# {args.releases} monthly releases of the demo history, data up to {args.first} .. "
             f"{days[-1] - dt.timedelta(days=2):%Y-%m} ({dt.datetime.now():%Y-%m-%d %H:%M})", ""]
    with tempfile.TemporaryDirectory() as tmp:
        demo = fresh_store(f"sqlite:///{tmp}/demo.sqlite")
        load_demo(demo, until=days[-1])
        store = fresh_store(f"sqlite:///{tmp}/releases.sqlite")
        for day in days:
            as_held_on(demo, store, day)
            run = catalogue.refresh(store, policy, today=day)
            lines.append(f"release {run.id:>2} (data up to {run.data_until}): {run.seconds:5.1f} s, "
                         f"{run.blocks_protected} of {run.blocks} blocks protected, {run.cells:,} count cells, "
                         f"{run.secondary_suppressed:,} hidden as partners, {run.revised_cells} revised")
            print(lines[-1], flush=True)
        history = [cells for _id, cells in catalogue.release_history(store)]
        lines += ["", "Union of all releases, per role (whole numbers, statistics' facts):"]
        roles = [Access("audit", "programme"), *(Access("audit", "unit", code) for code in UNITS.values)]
        for report in audit_roles(history, policy, roles, catalogue.TABLES_BY_NAME):
            lines.append("  " + report.summary(policy))
            print(lines[-1], flush=True)
        with store.connect() as conn:
            loss = json.loads(catalogue.latest_refresh(conn).loss)["overall"]
        lines += ["", f"last release: {loss['hidden_by_rule']:.1%} of count cells hidden by the rule, "
                      f"{loss['hidden_as_partner']:.1%} as partners; unit yearly breakdown cells with n >= k hidden: "
                      f"{loss['unit_year_breakdown_lost']:.1%}"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
