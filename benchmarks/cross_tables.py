"""What the cross-tables cost: the demo store's latest release protected with and without them.

Both protections start afresh from the same true counts (no protected blocks, no ledger). Printed:
cells and how many each hides by the rule and as partners; how many cells of the other tables
change status when the cross-tables and the survey comparison are published beside them; and the
loss and protection of the new tables themselves.

    .venv/bin/python benchmarks/cross_tables.py [--out FILE]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from queries import catalogue  # noqa: E402
from queries.catalogue.release import prepare_counts  # noqa: E402
from queries.demo import load_demo  # noqa: E402
from queries.privacy import Policy  # noqa: E402
from queries.privacy.protect import protect  # noqa: E402
from queries.store import periods  # noqa: E402
from tests.stores import DEMO_TODAY, fresh_store  # noqa: E402

NEW = {t.name for t in catalogue.COUNT_TABLES if t.margin or t.national_only}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    policy = Policy()
    with tempfile.TemporaryDirectory() as tmp:
        engine = fresh_store(f"sqlite:///{tmp}/demo.sqlite")
        load_demo(engine, until=DEMO_TODAY)
        last_month = periods.last_complete_month(DEMO_TODAY)
        with engine.connect() as conn:
            counts, _measures = prepare_counts(catalogue.read_populations(conn, last_month), last_month, policy)
    new = counts["table_name"].isin(NEW).to_numpy()
    both = protect(counts, catalogue.TABLES_BY_NAME, policy)
    before = protect(counts[~new].reset_index(drop=True), catalogue.TABLES_BY_NAME, policy)
    after = both.suppressed[~new]
    lines = [f"# The demo store up to {last_month}, k = {policy.k}: protected afresh with and without the "
             f"{len(NEW)} new tables ({', '.join(sorted(NEW))})", ""]
    for name, prot, n in (("without", before, int((~new).sum())), ("with", both, len(counts))):
        lines.append(f"{name:>7} the new tables: {n:,} count cells, {prot.primary.sum():,} hidden by the rule "
                     f"({prot.primary.mean():.1%}), {prot.secondary.sum():,} as partners ({prot.secondary.mean():.2%})")
    lines.append(f"cells of the other tables that change status: {int((after != before.suppressed).sum())} "
                 f"({int((after & ~before.suppressed).sum())} now hidden, {int((~after & before.suppressed).sum())} "
                 f"now shown) of {int((~new).sum()):,}")
    mine = counts[new].assign(hidden=both.suppressed[new], partner=both.secondary[new])
    lines += ["", "the new tables (national / units): cells, hidden by the rule or as partners"]
    for name, part in mine.groupby("table_name"):
        national = part["scope"] == "NL"
        lines.append(f"  {name:<48} " + "  ".join(
            f"{len(p):>5} {p['hidden'].mean():5.1%} ({int(p['partner'].sum())} partners)"
            for p in (part[national], part[~national]) if len(p)))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
