"""Secondary suppression against the optimum: the cost of the heuristic's pattern beside the cheapest one.

The refresh protects each pinned cell with the cheapest cells for that cell (one linear
programme per pinned cell and direction, `queries.privacy.protect`). tau-Argus's optimal method solves the
whole pattern at once as a mixed-integer programme; on small blocks that is feasible here too, so
this compares the two on random small stores: the cost (what users lose, `protect.cell_costs`)
and the cells hidden, each checked by the attacker over whole numbers.

    .venv/bin/python benchmarks/suppression_optimum.py [--blocks 12] [--out benchmarks/results/...]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from queries import catalogue  # noqa: E402
from queries.privacy import linked, protect
from queries.privacy.audit import Attacker  # noqa: E402
from queries.store.codes import TARGET_GROUPS  # noqa: E402
from queries.privacy import Policy, integer_width, narrow_limit  # noqa: E402
from tests.stores import fresh_store  # noqa: E402
from tests.factories import add_registrations, add_units, registration  # noqa: E402

TABLES = ("registrations", "registrations_by_target_group", "registrations_by_anonymity")


def small_block(seed: int, tmp: Path):
    """Return one small block (a year of registrations in three tables, two units) with its true counts."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 140))
    rows = [registration(dt.date(2014, int(m), 5), str(u), target_group=str(g), anonymity_wish=bool(a),
                         anonymity_reason="career" if a else None)
            for m, u, g, a in zip(rng.integers(1, 13, n), rng.choice(["NN", "ON"], n),
                                  rng.choice(TARGET_GROUPS.values[:3], n), rng.random(n) < 0.3)]
    engine = fresh_store(f"sqlite:///{tmp / f'b{seed}.sqlite'}")
    with engine.begin() as conn:
        add_units(conn)
        add_registrations(conn, rows)
    with engine.connect() as conn:
        counts = catalogue.build_counts(catalogue.read_populations(conn, "2014-12", ("registrations",)), "2014-12",
                                        tuple(catalogue.TABLES_BY_NAME[t] for t in TABLES))
    counts = counts[counts["scope"].isin(["NL", "NN", "ON"])].reset_index(drop=True)
    tables = {t: catalogue.TABLES_BY_NAME[t] for t in TABLES}
    return counts, tables


def optimum(block, truth, policy, primary, shown, hidden_b, cost):
    """Return the cheapest set of further cells to hide so that every primary cell gets k/2 of room (a MILP)."""
    n = len(truth)
    limit = narrow_limit(policy)
    cap = float(4 * truth.max() + 100)
    targets = np.flatnonzero(primary)
    cand = ~primary
    eq, ineq = block.equalities, block.inequalities
    # Columns: s (n binaries), then per target and direction a deviation vector y (n), then u, l per target.
    k = len(targets)
    n_cols = n + 2 * k * n + 2 * k
    lo, hi = np.zeros(n_cols), np.zeros(n_cols)
    hi[:n] = cand.astype(float)
    rows, lbs, ubs = [], [], []

    def y_col(i, d):
        return n + (2 * i + d) * n

    hid_lo, hid_hi = hidden_b[0] - truth, np.minimum(hidden_b[1], cap) - truth
    sh_lo, sh_hi = shown[0] - truth, np.minimum(shown[1], cap) - truth
    for i, v in enumerate(targets):
        for d in (0, 1):
            c = y_col(i, d)
            lo[c:c + n] = np.where(cand, np.minimum(hid_lo, sh_lo), hid_lo)
            hi[c:c + n] = np.where(cand, np.maximum(hid_hi, sh_hi), hid_hi)
            block_rows = sp.hstack([sp.csr_matrix((eq.shape[0], c)), eq, sp.csr_matrix((eq.shape[0], n_cols - c - n))])
            rows.append(block_rows)
            lbs.append(np.zeros(eq.shape[0]))
            ubs.append(np.zeros(eq.shape[0]))
            if ineq.shape[0]:
                rows.append(sp.hstack([sp.csr_matrix((ineq.shape[0], c)), ineq,
                                       sp.csr_matrix((ineq.shape[0], n_cols - c - n))]))
                lbs.append(np.full(ineq.shape[0], -np.inf))
                ubs.append(-(ineq @ truth))
            # A candidate moves beyond what its shown figure allows only when it is hidden (s = 1).
            idx = np.flatnonzero(cand)
            for j in idx:
                r = sp.csr_matrix(([1.0, -(hid_hi[j] - sh_hi[j])], ([0, 0], [c + j, j])), shape=(1, n_cols))
                rows.append(r)
                lbs.append([-np.inf])
                ubs.append([sh_hi[j]])
                r = sp.csr_matrix(([1.0, (sh_lo[j] - hid_lo[j])], ([0, 0], [c + j, j])), shape=(1, n_cols))
                rows.append(r)
                lbs.append([sh_lo[j]])
                ubs.append([np.inf])
        u, lcol = n + 2 * k * n + 2 * i, n + 2 * k * n + 2 * i + 1
        lo[u], hi[u] = 0, hid_hi[v]
        lo[lcol], hi[lcol] = 0, -hid_lo[v]
        rows.append(sp.csr_matrix(([1.0, 1.0], ([0, 0], [u, lcol])), shape=(1, n_cols)))
        lbs.append([limit])
        ubs.append([np.inf])
        rows.append(sp.csr_matrix(([1.0, -1.0], ([0, 0], [y_col(i, 0) + v, u])), shape=(1, n_cols)))
        lbs.append([0.0])
        ubs.append([np.inf])
        rows.append(sp.csr_matrix(([1.0, 1.0], ([0, 0], [y_col(i, 1) + v, lcol])), shape=(1, n_cols)))
        lbs.append([-np.inf])
        ubs.append([0.0])
    A = sp.vstack(rows).tocsr()
    objective = np.zeros(n_cols)
    objective[:n] = cost
    integrality = np.zeros(n_cols)
    integrality[:n] = 1
    res = milp(objective, constraints=LinearConstraint(A, np.concatenate(lbs), np.concatenate(ubs)),
               bounds=Bounds(lo, hi), integrality=integrality, options={"time_limit": 300})
    if res.x is None:
        return None
    return primary | (res.x[:n] > 0.5)


def check(block, truth, policy, hidden, shown, hidden_b):
    lower = np.where(hidden, hidden_b[0], shown[0])
    upper = np.where(hidden, hidden_b[1], shown[1])
    found = Attacker(block, lower, upper).intervals(np.flatnonzero(hidden), truth, narrow_limit(policy))
    return float(integer_width(found.lower, found.upper).min(initial=np.inf))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=12)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    policy = Policy()
    import tempfile

    lines = [f"# Secondary suppression: heuristic against the optimum ({dt.date.today()})",
             "block  cells primary | heuristic: cells  cost  narrowest  s | optimum: cells  cost  narrowest  s | cost ratio"]
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.blocks):
            counts, tables = small_block(seed, Path(tmp))
            counts = counts.assign(version=0, fact=0, fixed=0, fixed_value=np.nan,
                                   cost=protect.cell_costs(counts, tables, catalogue.HEADLINE_CELLS, catalogue.RATE_CELLS))
            block = linked.build_block(counts, tables)
            truth = counts["n"].to_numpy().astype(float)
            primary = policy.is_primary(counts["n"].to_numpy())
            shown, hidden_b = protect.cell_bounds(counts, policy, tables)
            cost = counts["cost"].to_numpy()
            started = time.perf_counter()
            heuristic, _rounds = protect.protect_block(block, np.arange(len(counts)), truth, policy, primary=primary,
                                                       fixed=counts["fixed"].to_numpy(), shown_bounds=shown,
                                                       hidden_bounds=hidden_b, cost=cost)
            h_seconds = time.perf_counter() - started
            started = time.perf_counter()
            best = optimum(block, truth, policy, primary, shown, hidden_b, cost)
            o_seconds = time.perf_counter() - started
            h_cost = float(cost[heuristic & ~primary].sum())
            h_width = check(block, truth, policy, heuristic, shown, hidden_b)
            if best is None:
                lines.append(f"{seed:>5} {len(counts):>6} {int(primary.sum()):>7} | {int((heuristic & ~primary).sum()):>15} "
                             f"{h_cost:>5.0f} {h_width:>10g} {h_seconds:>3.1f} | optimum not found in time")
                continue
            o_cost = float(cost[best & ~primary].sum())
            o_width = check(block, truth, policy, best, shown, hidden_b)
            ratio = h_cost / o_cost if o_cost else (1.0 if h_cost == 0 else float("inf"))
            ratios.append(ratio)
            lines.append(f"{seed:>5} {len(counts):>6} {int(primary.sum()):>7} | {int((heuristic & ~primary).sum()):>15} "
                         f"{h_cost:>5.0f} {h_width:>10g} {h_seconds:>3.1f} | {int((best & ~primary).sum()):>13} "
                         f"{o_cost:>5.0f} {o_width:>10g} {o_seconds:>4.1f} | {ratio:5.2f}")
            print(lines[-1], flush=True)
    finite = [r for r in ratios if np.isfinite(r)]
    lines.append(f"cost of the heuristic / optimum: median {np.median(finite):.2f}, worst {max(finite):.2f} "
                 f"over {len(finite)} blocks (narrowest: every pattern checked by the attacker over whole numbers; "
                 "the optimum protects the rule's cells only, the heuristic every hidden cell)")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
