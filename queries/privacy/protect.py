"""Secondary suppression: hide the cells users miss least, so that no hidden count can be worked out.

The minimum-count rule hides counts of 1 to k-1; alone that leaves many of them recoverable by
differencing across the linked tables (see PRIVACY.md). So, block by block, the attacker's
programme is run, and every hidden cell it can pin to a range narrower than k/2 is protected
by an optimisation over all relations at once: the cheapest set of further cells whose hiding
lets a whole table exist in which the pinned cell lies k/2 higher, and one in which it lies
lower (the protection programme of Fischetti and Salazar, solved as a linear programme with
HiGHS). Each cell costs what users lose when it is hidden (`cell_costs`). The loop ends when the
attacker, over whole numbers, pins nothing.

Cells published by an earlier release whose true count has not changed keep their status and
value (`fixed`), like tau-Argus's a-priori files: the protection only chooses among new cells.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import multiprocessing
import os
import pkgutil
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from queries.privacy import linked
from queries import privacy
from queries.accounts.access import NATIONAL
from queries.privacy.audit import UNBOUNDED, Attacker, exact_cells, knowledge, union_knowledge, with_growth
from queries.privacy import Policy, integer_width, narrow_limit
from queries.privacy.releases import FREE, KEPT_HIDDEN, KEPT_SHOWN
from queries.privacy.solver import fresh_threads, programme

MAX_ROUNDS = 60
LEVEL = {"month": 0, "quarter": 1, "year": 2}

# What users lose when a cell is hidden, per unit of protection it gives (see `cell_costs`).
COST_HEADLINE = 100.0
COST_UNIT_YEAR_BREAKDOWN = 30.0
COST_RATE = 10.0  # a cell some other indicator's rate is computed from
COST_OTHER = (1.0, 2.0, 4.0)  # month, quarter, year


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


def cell_costs(cells: pd.DataFrame, tables: dict, headline: set[tuple[str, str]],
               rates: set[tuple[str, str]] = frozenset()) -> np.ndarray:
    """Return what users lose when each cell is hidden.

    Highest for the headline figures and the counts statistics rest on (`headline`: table and
    category), then a unit's own yearly breakdowns, then the cells other indicators' rates are
    computed from (`rates`), then the rest by period (a year before a quarter before a month).
    """
    level = cells["period_type"].map(LEVEL).to_numpy()
    keys = pd.MultiIndex.from_arrays([cells["table_name"], cells["category"]])
    cost = np.where(keys.isin(list(rates)), COST_RATE, np.asarray(COST_OTHER)[level])
    breakdown = cells["table_name"].map(lambda t: tables[t].column is not None).to_numpy()
    unit_year = breakdown & (cells["scope"] != NATIONAL).to_numpy() & (level == LEVEL["year"])
    cost = np.where(unit_year, COST_UNIT_YEAR_BREAKDOWN, cost)
    return np.where(keys.isin(list(headline)), COST_HEADLINE, cost)


class _Protector:
    """The protection programme of one block: deviations from the true table, paid for where a cell is newly hidden.

    Every unknown j moves by d_j = y_j + p_j - m_j: y_j within what the attacker knows now, and
    p_j, m_j >= 0 beyond it, allowed only for cells that may still be hidden, at their cost.
    A feasible d with d_v >= up (or <= -down) shows the attacker cannot rule out that table.
    """

    def __init__(self, block: linked.Block, truth: np.ndarray, cap: float):
        self.truth = truth
        self.cap = cap
        n = len(truth)
        self.n = n
        eq, ineq = block.equalities, block.inequalities
        d = sp.hstack([sp.identity(n), sp.identity(n), -sp.identity(n)]).tocsr()
        slack = -(ineq @ truth) if ineq.shape[0] else np.zeros(0)
        self.h = programme(sp.vstack([eq @ d, ineq @ d]), np.zeros(3 * n), np.zeros(3 * n),
                           np.r_[np.zeros(eq.shape[0]), np.full(ineq.shape[0], -highspy.kHighsInf)],
                           np.r_[np.zeros(eq.shape[0]), slack], np.zeros(3 * n))

    def set_bounds(self, lower: np.ndarray, upper: np.ndarray, open_lower: np.ndarray, open_upper: np.ndarray,
                   cost: np.ndarray, candidate: np.ndarray) -> None:
        """Set what each unknown may do: within [lower, upper] for free; candidates out to [open_lower, open_upper] at a cost."""
        n, t = self.n, self.truth
        up = np.minimum(upper, self.cap)
        cols = np.arange(3 * n, dtype=np.int32)
        lo = np.r_[lower - t, np.zeros(n), np.zeros(n)]
        hi = np.r_[up - t, np.where(candidate, np.maximum(np.minimum(open_upper, self.cap) - up, 0), 0),
                   np.where(candidate, np.maximum(lower - open_lower, 0), 0)]
        self.h.changeColsBounds(3 * n, cols, lo, hi)
        self.cost = np.r_[np.zeros(n), cost, cost]
        self.h.changeColsCost(3 * n, cols, self.cost)
        self.free = (lo[:n].copy(), hi[:n].copy())

    def reach(self, v: int) -> tuple[float, float]:
        """Return how far unknown v can move up and down (whole units) with every candidate hidden."""
        n3 = 3 * self.n
        cols = np.arange(n3, dtype=np.int32)
        self.h.changeColsCost(n3, cols, np.zeros(n3))
        out = []
        for sign in (1.0, -1.0):
            self.h.changeColCost(v, -sign)
            self.h.run()
            optimal = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            out.append(np.floor(sign * self.h.getSolution().col_value[v] + 1e-6) if optimal else 0.0)
        self.h.changeColCost(v, 0.0)
        self.h.changeColsCost(n3, cols, self.cost)
        return out[0], out[1]

    def cheapest(self, v: int, move: float) -> np.ndarray | None:
        """Return the deviations of the cheapest table that moves unknown v by `move` (None: impossible)."""
        lo, hi = self.free[0][v], self.free[1][v]
        if move > 0:
            self.h.changeColBounds(v, max(lo, move), hi)
        else:
            self.h.changeColBounds(v, lo, min(hi, move))
        try:
            self.h.run()
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            x = np.asarray(self.h.getSolution().col_value)
        finally:
            self.h.changeColBounds(v, lo, hi)
        return x


def protect_block(block: linked.Block, current: np.ndarray, truth: np.ndarray, policy: Policy, *,
                  primary: np.ndarray, fixed: np.ndarray, shown_bounds: tuple[np.ndarray, np.ndarray],
                  hidden_bounds: tuple[np.ndarray, np.ndarray], cost: np.ndarray,
                  history: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, int]:
    """Return which of the current release's cells to hide, and the rounds it took.

    `block` is over the unknowns of the current release and of any earlier release that showed
    another version of its cells (`history`: bounds and hidden flags those releases give each
    unknown); `current` maps the current cells to their unknowns. The other arrays are per
    current cell: the rule's own cells, what an earlier release fixed, the bounds an attacker
    gets when a cell is shown or hidden, and its cost.
    """
    n_vars = len(truth)
    hidden = primary | (fixed == KEPT_HIDDEN)
    base_lo, base_hi = np.full(n_vars, -np.inf), np.full(n_vars, np.inf)
    ever_hidden = np.zeros(n_vars, dtype=bool)
    if history is not None:
        base_lo, base_hi, ever_hidden = (a.copy() for a in history)
    if not hidden.any() and not ever_hidden.any():
        return hidden, 0

    def bounds():
        lo, hi = np.where(hidden, hidden_bounds[0], shown_bounds[0]), np.where(hidden, hidden_bounds[1], shown_bounds[1])
        lower, upper = base_lo.copy(), base_hi.copy()
        np.maximum.at(lower, current, lo)
        np.minimum.at(upper, current, hi)
        return lower, upper

    def targets():
        mask = ever_hidden.copy()
        mask[current[hidden]] = True
        return mask

    limit = narrow_limit(policy)
    # Zeros may be hidden as partners too: a hidden total's hidden parts then need not each be 1 or more.
    candidate_cells = fixed == FREE
    cap = float(4 * truth.max() + 100)
    protector = _Protector(block, truth.astype(float), cap)
    # A cell the attacker still pins after it was protected (whole numbers can be narrower than
    # the programme's tables) is asked for one more unit of width each time.
    tries = np.zeros(n_vars)
    # Hiding a cell only takes knowledge away from the attacker, so a cell once shown safe stays
    # safe: each round checks only the cells still pinned and the ones just hidden.
    safe = np.zeros(n_vars, dtype=bool)
    # The linear attacker first (fast); once it pins nothing, the whole-number one checks every
    # hidden cell, and the rounds go on with it if it pins more.
    whole = False
    # Per unknown, the range feasible tables of earlier rounds reached (`Intervals`: lower, upper,
    # whole lower, whole upper). Each round only hides more, so those tables stay feasible, and
    # the attacker starts from them instead of solving again what they already settle.
    seen = np.full((4, n_vars), np.nan)
    for round_ in range(1, MAX_ROUNDS + 1):
        lower, upper = bounds()
        attacker = Attacker(block, lower, upper)
        todo = np.flatnonzero(targets() & ~safe)
        found = attacker.intervals(todo, truth, limit, whole_numbers=whole, seen=seen[:, todo])
        seen[:, todo] = found.lower, found.upper, found.whole_lower, found.whole_upper
        pinned = integer_width(found.lower, found.upper) < limit
        safe[todo[~pinned]] = True
        narrow = todo[pinned]
        if not len(narrow):
            if whole:
                return hidden, round_
            whole, safe[:] = True, False
            continue
        demand = np.ceil(limit) + tries  # counts are whole: a width of k/2 or more is a whole width
        tries[narrow] += 1
        seen_lo, seen_hi = truth[narrow].astype(float), truth[narrow].astype(float)
        for i, v in enumerate(narrow):
            if seen_hi[i] - seen_lo[i] >= demand[v]:
                continue  # an earlier cell's cheapest tables already move this one far enough
            lower, upper = bounds()
            candidate = np.zeros(n_vars, dtype=bool)
            candidate[current[candidate_cells & ~hidden]] = True
            open_lo, open_hi = lower.copy(), upper.copy()
            open_lo[current], open_hi[current] = hidden_bounds[0], np.minimum(hidden_bounds[1], UNBOUNDED)
            per_var = np.zeros(n_vars)
            per_var[current] = cost
            protector.set_bounds(lower, upper, open_lo, open_hi, per_var, candidate)

            def take(x: np.ndarray) -> None:
                """Hide the cells the cheapest table moved beyond what is known of them."""
                nonlocal hidden
                paid = np.flatnonzero(((x[n_vars:2 * n_vars] + x[2 * n_vars:]) > 1e-7) & candidate)
                newly = np.isin(current, paid) & ~hidden
                hidden = hidden | newly
                candidate[paid] = False
                table = truth + x[:n_vars] + x[n_vars:2 * n_vars] - x[2 * n_vars:]
                np.minimum(seen_lo, table[narrow], out=seen_lo)
                np.maximum(seen_hi, table[narrow], out=seen_hi)
                if newly.any():
                    protector.set_bounds(*bounds(), open_lo, open_hi, per_var, candidate)

            # How far the cell can move at all with every candidate hidden; half the width down
            # (more when little room is left above), the rest up. Hiding more only widens what
            # is reachable, so both moves stay possible after the first one's partners.
            up_room, down_room = protector.reach(int(v))
            if up_room + down_room < demand[v]:
                name = block.cells.iloc[v]["table_name"]
                raise RuntimeError(f"cannot protect a cell of {name}: no pattern of further hidden cells gives it room")
            down = min(down_room, max(np.ceil(demand[v] / 2), demand[v] - up_room))
            for move in (-down, demand[v] - down):
                if move:
                    x = protector.cheapest(int(v), float(move))
                    if x is None:
                        raise RuntimeError("the protection programme failed on a move it found reachable")
                    take(x)
    raise RuntimeError(f"secondary suppression did not converge in {MAX_ROUNDS} rounds")


@dataclass
class BlockJob:
    """Everything one block's protection depends on (sent to a worker process)."""

    current: pd.DataFrame                 # the block's cells: KEY, version, n, fact, fixed, fixed_value, cost
    history: list[pd.DataFrame]           # earlier releases of the block that showed other versions
    policy: Policy
    tables: dict


def cell_bounds(cells: pd.DataFrame, policy: Policy, tables: dict) -> tuple[tuple, tuple]:
    """Return the attacker's bounds on each cell if it is shown, and if it is hidden."""
    n = cells["n"].to_numpy()
    exact = exact_cells(cells, tables, policy)
    shown_value = np.where(exact, n, policy.round(n)).astype(float)
    fixed = cells["fixed"].to_numpy()
    shown_value = np.where(fixed == KEPT_SHOWN, cells["fixed_value"].to_numpy(dtype=float), shown_value)
    facts = cells["fact"].to_numpy()
    everywhere = np.ones(len(n), dtype=bool)
    shown = knowledge(shown_value, ~everywhere, exact, policy, facts)
    hidden = knowledge(shown_value, everywhere, exact, policy, facts)
    return shown, hidden


def run_block(job: BlockJob) -> tuple[np.ndarray, int]:
    """Protect one block: build its programme over this release and the earlier versions it must stay safe with."""
    cells = job.current.reset_index(drop=True)
    primary = job.policy.is_primary(cells["n"].to_numpy())
    kept_hidden = cells["fixed"].to_numpy() == KEPT_HIDDEN
    if not (primary | kept_hidden).any() and not any(r["suppressed"].to_numpy(dtype=bool).any() for r in job.history):
        # Nothing is hidden now or was before: nothing to protect (`protect_block`'s first answer),
        # known without building the block's relations, which costs most in the empty years.
        return primary, 0
    releases = [*job.history, cells]
    block, positions = linked.union_block(releases, job.tables)
    current = positions[-1]
    truth = np.zeros(len(block.cells))
    for release, var in zip(releases, positions):
        truth[var] = release["n"].to_numpy()
    block = with_growth(block, truth)
    history = None
    if job.history:
        history = union_knowledge(job.history, positions[:-1], len(block.cells), job.policy, job.tables)
    shown, hidden = cell_bounds(cells, job.policy, job.tables)
    return protect_block(block, current, truth, job.policy, primary=primary,
                         fixed=cells["fixed"].to_numpy(), shown_bounds=shown, hidden_bounds=hidden,
                         cost=cells["cost"].to_numpy(dtype=float), history=history)


def _salt(tables: dict, policy: Policy) -> bytes:
    """Hash everything besides the counts that decides a block's protection.

    The code of the rule, the relations and the attacker is part of it, so changing any of them
    protects every block afresh instead of trusting a pattern an older attacker passed.
    """
    h = hashlib.sha256(_code_hash().digest())
    h.update(repr(sorted(tables.items())).encode())
    h.update(json.dumps(asdict(policy), sort_keys=True).encode())
    return h.digest()


def privacy_modules() -> list[str]:
    """Return the names of the privacy package and of every module in it: the code the protection rests on."""
    inside = pkgutil.iter_modules(privacy.__path__, f"{privacy.__name__}.")
    return [privacy.__name__, *sorted(module.name for module in inside)]


def _code_hash():
    # Found on disk, so that a module added to the package is covered without being listed here.
    h = hashlib.sha256()
    for name in privacy_modules():
        h.update(Path(importlib.util.find_spec(name).origin).read_bytes())
    return h


# What an earlier release fixed is not part of the key: a cached pattern that agrees with it is
# one the attacker passed under the same knowledge (`_agrees`).
DIGEST_COLUMNS = [*linked.KEY, "version", "n", "fact", "cost"]


def code_digest() -> str:
    """Return a digest of the protection's code: every module of the privacy package (`privacy_modules`)."""
    return _code_hash().hexdigest()[:16]


def _agrees(hidden: np.ndarray, job: BlockJob) -> bool:
    """Tell whether a cached pattern keeps what an earlier release fixed (then it protects this release too)."""
    fixed = job.current["fixed"].to_numpy()
    return len(hidden) == len(fixed) and not ((fixed == KEPT_HIDDEN) & ~hidden).any() \
        and not ((fixed == KEPT_SHOWN) & hidden).any()


def block_digest(job: BlockJob, salt: bytes) -> str:
    """Return the cache key of one block: its cells, true counts, statistics' facts, costs and history, under the salt."""
    h = hashlib.sha256(salt)
    for frame in (job.current, *job.history):
        h.update(pd.util.hash_pandas_object(frame[[c for c in DIGEST_COLUMNS if c in frame]].fillna(-1),
                                            index=False).to_numpy().tobytes())
    return h.hexdigest()


def protect(cells: pd.DataFrame, tables: dict, policy: Policy, *, workers: int | None = None,
            known: Mapping[str, tuple[np.ndarray, int]] | None = None,
            history: Mapping[tuple[str, str], list[pd.DataFrame]] | None = None) -> Protection:
    """Decide which counts to hide: the rule's small counts plus the cheapest partners that keep them safe.

    `cells` carry KEY, n and, optionally, version, fact, fixed, fixed_value and cost (defaults:
    nothing fixed, no statistics, cost by `cell_costs` without headline cells). `known` maps
    block digests to an earlier outcome; a block whose digest is there is not attacked again.
    `history` gives, per block (population, year), the earlier releases it must stay safe with.
    """
    cells = cells.reset_index(drop=True)
    defaults = {"version": 0, "fact": 0, "fixed": FREE, "fixed_value": np.nan}
    cells = cells.assign(**{c: v for c, v in defaults.items() if c not in cells})
    if "cost" not in cells:
        cells = cells.assign(cost=cell_costs(cells, tables, set()))
    known, history = known or {}, history or {}
    primary = policy.is_primary(cells["n"].to_numpy())
    exact = exact_cells(cells, tables, policy)
    parts = linked.parts(cells, tables)
    salt = _salt(tables, policy)
    jobs = []
    for part in parts:
        key = (tables[part["table_name"].iloc[0]].population, part["period"].iloc[0][:4])
        jobs.append(BlockJob(part.drop(columns="row"), history.get(key, []), policy, tables))
    digests = [block_digest(job, salt) for job in jobs]
    todo = [i for i, digest in enumerate(digests) if digest not in known or not _agrees(known[digest][0], jobs[i])]
    if workers is None:
        # A process pool pays off only when there is real work to share.
        size = sum(len(jobs[i].current) for i in todo)
        workers = min(len(todo), os.cpu_count() or 1) if size > 20_000 else 1
    if workers > 1:
        # Blocks are independent; the largest go first so the pool finishes together.
        order = sorted(todo, key=lambda i: -len(jobs[i].current))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=fresh_threads) as pool:
            fresh = dict(zip(order, pool.map(run_block, [jobs[i] for i in order])))
    else:
        fresh = {i: run_block(jobs[i]) for i in todo}
    outcomes = {**{d: known[d] for d in digests if d in known}, **{digests[i]: fresh[i] for i in todo}}
    suppressed = primary.copy()
    for part, digest in zip(parts, digests):
        suppressed[part["row"].to_numpy()] = outcomes[digest][0]
    return Protection(suppressed, primary, exact, [outcomes[d][1] for d in digests], outcomes, len(todo))
