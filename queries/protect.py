"""Secondary suppression: hide just enough further cells that no hidden count can be worked out.

The minimum-count rule hides counts of 1 to k-1; alone that leaves many of them recoverable by
differencing across the linked tables (see PRIVACY.md). So, block by block, the attacker's
programme is run; every hidden cell it can pin to a range narrower than k/2 gets a partner: a
shown cell in the relation that pins it (its siblings, its parent period, its total), chosen as
the one whose loss hurts users least (a small unit-month figure before a national or yearly one).
The loop ends when the attacker can pin nothing.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from queries import audit, linked, privacy
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
    blocks: dict[str, tuple[np.ndarray, int]] = field(default_factory=dict)
    protected: int = 0  # blocks attacked in this run (the others came from `known`)

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
    part, primary, exact, policy, tables = args
    return protect_block(linked.build_block(part, tables), primary, exact, policy, tables)


def _salt(tables: dict, policy: Policy) -> bytes:
    """Hash everything besides the counts that decides a block's protection.

    The code of the rule, the relations and the attacker is part of it, so changing any of them
    protects every block afresh instead of trusting a pattern an older attacker passed.
    """
    h = hashlib.sha256()
    for module in (privacy, linked, audit, sys.modules[__name__]):
        h.update(Path(module.__file__).read_bytes())
    h.update(repr(sorted(tables.items())).encode())
    h.update(json.dumps(asdict(policy), sort_keys=True).encode())
    return h.digest()


def block_digest(part: pd.DataFrame, salt: bytes) -> str:
    """Return the cache key of one block: its cells, their order and true counts, under the salt."""
    h = hashlib.sha256(salt)
    h.update(pd.util.hash_pandas_object(part[[*linked.KEY, "n"]], index=False).to_numpy().tobytes())
    return h.hexdigest()


def protect(cells: pd.DataFrame, tables: dict, policy: Policy, *, workers: int | None = None,
            known: Mapping[str, tuple[np.ndarray, int]] | None = None) -> Protection:
    """Decide which counts to hide: the rule's small counts plus the partners the attacker check demands.

    `known` maps block digests to an earlier outcome (hidden cells, rounds); a block whose digest
    is there is not attacked again. The outcome of every block comes back in `Protection.blocks`.
    """
    cells = cells.reset_index(drop=True)
    known = known or {}
    primary = policy.is_primary(cells["n"].to_numpy())
    exact = exact_cells(cells, tables, policy)
    suppressed = primary.copy()
    parts = linked.parts(cells, tables)
    salt = _salt(tables, policy)
    digests = [block_digest(part, salt) for part in parts]
    todo = [i for i, digest in enumerate(digests) if digest not in known]
    jobs = [(parts[i], primary[parts[i]["row"].to_numpy()], exact[parts[i]["row"].to_numpy()], policy, tables)
            for i in todo]
    if workers is None:
        # A process pool pays off only when there is real work to share.
        workers = min(len(jobs), os.cpu_count() or 1) if sum(len(j[0]) for j in jobs) > 20_000 else 1
    if workers > 1:
        # Blocks are independent; the largest go first so the pool finishes together.
        order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][0]))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = dict(zip(order, pool.map(_protect_one, [jobs[i] for i in order])))
        fresh = [results[i] for i in range(len(jobs))]
    else:
        fresh = [_protect_one(job) for job in jobs]
    outcomes = {**{d: known[d] for d in digests if d in known}, **dict(zip((digests[i] for i in todo), fresh))}
    for part, digest in zip(parts, digests):
        suppressed[part["row"].to_numpy()] = outcomes[digest][0]
    return Protection(suppressed, primary, exact, [outcomes[d][1] for d in digests], outcomes, len(todo))
