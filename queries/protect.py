"""Secondary suppression: hide just enough further cells that no hidden count can be worked out.

The minimum-count rule hides counts of 1 to k-1; alone that leaves many of them recoverable by
differencing across the linked tables (see PRIVACY.md). So, block by block, the attacker's
programme is run; every hidden cell it can pin to a range narrower than k/2 gets a partner: a
shown cell in the relation that pins it (its siblings, its parent period, its total), chosen as
the one whose loss hurts users least (a small unit-month figure before a national or yearly one).
The loop ends when the attacker can pin nothing.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from queries import linked
from queries.access import NATIONAL
from queries.audit import Attacker, knowledge
from queries.privacy import Policy, integer_width, narrow_limit

MAX_ROUNDS = 200
LEVEL = {"month": 0, "quarter": 1, "year": 2}


@dataclass
class Protection:
    """The outcome of protecting a set of counts."""

    suppressed: np.ndarray
    primary: np.ndarray
    exact: np.ndarray
    rounds: list[int] = field(default_factory=list)

    @property
    def secondary(self) -> np.ndarray:
        return self.suppressed & ~self.primary


def exact_cells(cells: pd.DataFrame, tables: dict, policy: Policy) -> np.ndarray:
    """Mark the cells published unrounded: the national population totals, when so configured."""
    if not policy.exact_national_total:
        return np.zeros(len(cells), dtype=bool)
    totals = [name for name, t in tables.items() if t.column is None]
    return (cells["table_name"].isin(totals) & (cells["scope"] == NATIONAL)).to_numpy()


def _cost(cells: pd.DataFrame, tables: dict) -> np.ndarray:
    """Rank cells by how much users lose when they are hidden (lower: hide first)."""
    tier = cells["period_type"].map(LEVEL).to_numpy() * 2
    tier = tier + (cells["scope"] == NATIONAL).to_numpy() * 6
    tier = tier + cells["table_name"].map(lambda t: tables[t].column is None).to_numpy() * 3
    return tier * 1_000_000 + cells["n"].to_numpy()


def _partners(narrow: np.ndarray, hidden: np.ndarray, n: np.ndarray, cost: np.ndarray,
              by_row: sp.csr_matrix, by_col: sp.csc_matrix) -> set[int]:
    """Pick, for each pinned cell, one shown cell to hide in the relation that pins it hardest."""
    chosen: set[int] = set()
    for v in narrow:
        best = None
        rows = by_col.indices[by_col.indptr[v]:by_col.indptr[v + 1]]
        for r in rows:
            members = by_row.indices[by_row.indptr[r]:by_row.indptr[r + 1]]
            open_ = members[~hidden[members] & (n[members] > 0)]
            if not len(open_):
                continue
            pick = open_[np.argmin(cost[open_])]
            rank = (int(hidden[members].sum()), cost[pick])
            if best is None or rank < best[0]:
                best = (rank, pick)
        if best is None:
            # Every relation of the cell is already hidden: widen through its hidden neighbours.
            for r in rows:
                members = by_row.indices[by_row.indptr[r]:by_row.indptr[r + 1]]
                for u in members[hidden[members] & (members != v)]:
                    for r2 in by_col.indices[by_col.indptr[u]:by_col.indptr[u + 1]]:
                        m2 = by_row.indices[by_row.indptr[r2]:by_row.indptr[r2 + 1]]
                        open_ = m2[~hidden[m2] & (n[m2] > 0)]
                        if len(open_):
                            pick = open_[np.argmin(cost[open_])]
                            if best is None or cost[pick] < best[0][1]:
                                best = ((0, cost[pick]), pick)
        if best is not None:
            chosen.add(int(best[1]))
    return chosen


def protect_block(block: linked.Block, primary: np.ndarray, exact: np.ndarray, policy: Policy,
                  tables: dict) -> tuple[np.ndarray, int]:
    """Return the hidden cells of one block after secondary suppression, and the rounds it took."""
    n = block.cells["n"].to_numpy()
    hidden = primary.copy()
    if not hidden.any():
        return hidden, 0
    lower, upper = knowledge(np.where(exact, n, policy.round(n)), hidden, exact, policy)
    attacker = Attacker(block, lower, upper)
    relations = sp.vstack([block.equalities, block.inequalities]).tocsr()
    by_col = relations.tocsc()
    cost = _cost(block.cells, tables)
    limit = narrow_limit(policy)
    floor = 1 if policy.show_zeros else 0
    # Hiding a cell only takes knowledge away from the attacker, so a cell once shown safe stays
    # safe: each round checks only the cells still pinned and the ones just hidden.
    safe = np.zeros(len(n), dtype=bool)
    for round_ in range(1, MAX_ROUNDS + 1):
        targets = np.flatnonzero(hidden & ~safe)
        found = attacker.intervals(targets, n, limit)
        pinned = integer_width(found.lower, found.upper) < limit
        safe[targets[~pinned]] = True
        narrow = targets[pinned]
        if not len(narrow):
            return hidden, round_
        partners = _partners(narrow, hidden, n, cost, relations, by_col)
        if not partners:
            raise RuntimeError(f"cannot protect {len(narrow)} cells: no cell left to hide beside them")
        new = np.fromiter(partners, dtype=np.int64)
        hidden[new] = True
        attacker.hide(new, float(floor))
    raise RuntimeError(f"secondary suppression did not converge in {MAX_ROUNDS} rounds")


def _protect_one(args) -> tuple[np.ndarray, int]:
    block, primary, exact, policy, tables = args
    return protect_block(block, primary, exact, policy, tables)


def protect(cells: pd.DataFrame, tables: dict, policy: Policy, *, workers: int | None = None) -> Protection:
    """Decide which counts to hide: the rule's small counts plus the partners the attacker check demands."""
    cells = cells.reset_index(drop=True)
    primary = policy.is_primary(cells["n"].to_numpy())
    exact = exact_cells(cells, tables, policy)
    suppressed = primary.copy()
    blocks = linked.blocks(cells, tables)
    jobs = [(b, primary[b.cells["row"].to_numpy()], exact[b.cells["row"].to_numpy()], policy, tables) for b in blocks]
    if workers is None:
        # A process pool pays off only when there is real work to share.
        workers = min(len(jobs), os.cpu_count() or 1) if len(cells) > 20_000 else 1
    if workers > 1:
        # Blocks are independent; the largest go first so the pool finishes together.
        order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][0].cells))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = dict(zip(order, pool.map(_protect_one, [jobs[i] for i in order])))
        outcomes = [results[i] for i in range(len(jobs))]
    else:
        outcomes = [_protect_one(job) for job in jobs]
    rounds = []
    for block, (hidden, r) in zip(blocks, outcomes):
        suppressed[block.cells["row"].to_numpy()] = hidden
        rounds.append(r)
    return Protection(suppressed, primary, exact, rounds)
