"""The attacker: what an adversary can prove about every hidden cell from everything published.

For each block of linked cells it sets up the linear programme an attacker would solve: the
published figures give each cell an interval (a rounded 25 means 23..27; a shown 0 means 0; a
hidden cell is at least 1), and the relations (months -> quarters -> year, units -> national,
categories -> total) must hold. The lowest and highest value a hidden cell can take over that
polytope is what the attacker can prove. HiGHS solves it, warm-started from one objective to
the next.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from queries.accounts.access import NATIONAL, Access
from queries.privacy.linked import KEY, Block, growth, parts, union_block
from queries.privacy import Policy, integer_width, narrow_limit
from queries.privacy.solver import fresh_threads, programme

# Far above any real count; an attacker cannot prove a hidden cell is below this.
UNBOUNDED = 1e7
# Cells whose linear range is less than this much wider than the limit are bounded over whole
# numbers too; each integer programme may take at most MIP_SECONDS (unproven counts as pinned).
INTEGER_MARGIN = 3
MIP_SECONDS = 5.0


AT_LEAST_K, BELOW_K = 1, -1  # what a published statistic says of its count cell (0: nothing)


def knowledge(published: np.ndarray, suppressed: np.ndarray, exact: np.ndarray, policy: Policy,
              facts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return what an attacker knows of each cell from its published figure alone: a lower and an upper bound.

    `facts` says, per cell, what a statistic over its clients tells: shown means at least k
    clients (AT_LEAST_K), not shown means fewer than k (BELOW_K).
    """
    value = np.nan_to_num(np.asarray(published, dtype=float), nan=0.0)
    # A shown count other than 0 is at least k (smaller ones are hidden), and rounding moved it
    # by at most half the base.
    lower, upper = policy.rounding_interval(value)
    lower = np.maximum(lower, policy.k).astype(float)
    upper = np.asarray(upper, dtype=float)
    zero = value == 0
    lower[zero], upper[zero] = 0, 0
    lower[exact], upper[exact] = value[exact], value[exact]
    # The symbol does not say whether a cell is small, hides a larger one or a zero (zeros can be
    # partners too), so an attacker knows only that it is not negative.
    lower[suppressed] = 0
    upper[suppressed] = UNBOUNDED
    if facts is not None:
        facts = np.asarray(facts)
        lower = np.where(facts == AT_LEAST_K, np.maximum(lower, policy.k), lower)
        upper = np.where(facts == BELOW_K, np.minimum(upper, policy.k - 1), upper)
    return lower, upper


class SolverTrouble(RuntimeError):
    """HiGHS did not reach an optimum on a programme that is feasible by construction."""


@dataclass
class Intervals:
    """What the attacker proves for the hidden cells of a block."""

    targets: np.ndarray  # variable positions of the hidden cells
    lower: np.ndarray
    upper: np.ndarray
    exact: np.ndarray    # True where the bound was solved for that cell (else a certified lower bound on width)
    whole_lower: np.ndarray  # the range whole-number tables were found to give each cell
    whole_upper: np.ndarray

    @property
    def width(self) -> np.ndarray:
        return self.upper - self.lower


class Attacker:
    """The attacker's linear programme over one block, solved with HiGHS."""

    def __init__(self, block: Block, lower: np.ndarray, upper: np.ndarray):
        self.matrix = sp.vstack([block.equalities, block.inequalities]).tocsr()
        self.n_eq = block.equalities.shape[0]
        self.lower = lower.astype(float).copy()
        self.upper = upper.astype(float).copy()
        self.n = self.matrix.shape[1]

    def hide(self, cells: np.ndarray, lower, upper=UNBOUNDED) -> None:
        """Forget what was published about some cells (they are now hidden): only `lower`..`upper` is left."""
        self.lower[cells], self.upper[cells] = lower, upper

    def _ceiling(self, truth: np.ndarray) -> float:
        # Far above every count in the block: a cell that reaches it is wide open, and a finite
        # bound keeps the programme well scaled (no solver trouble with huge numbers).
        return float(4 * truth.max() + 100)

    def _highs(self, matrix: sp.spmatrix, lower, upper, row_lower, row_upper, cost, ipm: bool,
               integer: bool = False):
        options = {}
        if integer:
            options.update(mip_rel_gap=0.0, mip_abs_gap=0.0, time_limit=MIP_SECONDS)
        if ipm:
            options.update(solver="ipm", run_crossover="off")
        return programme(matrix, lower, upper, row_lower, row_upper, cost, integer=integer, **options)

    def _rows(self):
        inf = highspy.kHighsInf
        m = self.matrix.shape[0]
        return np.r_[np.zeros(self.n_eq), np.full(m - self.n_eq, -inf)], np.zeros(m)

    def _run(self, h) -> np.ndarray:
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            # The true table is always feasible, so this is numerical trouble: solve afresh once.
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverTrouble(h.modelStatusToString(status))
        return np.asarray(h.getSolution().col_value)

    def _pushed(self, targets: np.ndarray, truth: np.ndarray, sign: int, cap: float) -> np.ndarray:
        """Return a feasible table that moves as many targets as possible by up to `cap` (sign: up or down)."""
        k = len(targets)
        upper = np.minimum(self.upper, self._ceiling(truth))
        # y_t <= sign * (x_t - truth_t), 0 <= y_t <= cap; maximise sum(y): each target moves on
        # its own account, so one cell's long move cannot stand in for another's.
        link = sp.hstack([
            sp.csr_matrix((-sign * np.ones(k), (np.arange(k), targets)), shape=(k, self.n)),
            sp.identity(k, format="csr"),
        ])
        matrix = sp.vstack([sp.hstack([self.matrix, sp.csr_matrix((self.matrix.shape[0], k))]), link])
        row_lower, row_upper = self._rows()
        h = self._highs(matrix, np.r_[self.lower, np.zeros(k)], np.r_[upper, np.full(k, cap)],
                        np.r_[row_lower, np.full(k, -highspy.kHighsInf)], np.r_[row_upper, -sign * truth[targets]],
                        np.r_[np.zeros(self.n), -np.ones(k)], ipm=True)
        return self._run(h)[: self.n]

    def intervals(self, targets: np.ndarray, truth: np.ndarray, min_width: float, *,
                  whole_numbers: bool = True, seen: tuple[np.ndarray, ...] | None = None) -> Intervals:
        """Bound every target cell; cells that feasible tables move at least min_width apart are certified.

        With `whole_numbers`, cells close to the limit are bounded over whole numbers too. `seen`
        gives, per target, the range (lower, upper, whole lower, whole upper; NaN: none) that
        tables known to be feasible for this programme reach.
        """
        lo = truth[targets].astype(float).copy()
        hi = lo.copy()
        exact = np.zeros(len(targets), dtype=bool)
        if len(targets) == 0:
            return Intervals(targets, lo, hi, exact, lo.copy(), hi.copy())
        # The range whole-number tables among those seen give each cell: what an integer attacker
        # cannot rule out either.
        whole_lo, whole_hi = lo.copy(), hi.copy()
        if seen is not None:
            for ours, theirs, pick in zip((lo, hi, whole_lo, whole_hi), seen, (np.fmin, np.fmax) * 2):
                pick(ours, theirs, out=ours)

        def observe(x):
            np.minimum(lo, x[targets], out=lo)
            np.maximum(hi, x[targets], out=hi)
            if np.abs(x - np.round(x)).max(initial=0) < 1e-6:
                np.minimum(whole_lo, np.round(x[targets]), out=whole_lo)
                np.maximum(whole_hi, np.round(x[targets]), out=whole_hi)

        open_ = np.flatnonzero(hi - lo < min_width - 1e-6)
        for _ in range(2 if len(open_) else 0):
            for sign in (1, -1):
                # The pushes only save work: every cell they miss is solved on its own below.
                with contextlib.suppress(SolverTrouble):
                    observe(self._pushed(targets[open_], truth, sign, min_width))
            open_ = np.flatnonzero(hi - lo < min_width - 1e-6)
            if not len(open_):
                break
        if len(open_):
            row_lower, row_upper = self._rows()
            upper = np.minimum(self.upper, self._ceiling(truth))
            h = self._highs(self.matrix, self.lower, upper, row_lower, row_upper, np.zeros(self.n), ipm=False)
            for pos in open_:
                if hi[pos] - lo[pos] >= min_width - 1e-6:
                    continue  # an earlier cell's extreme tables already moved this one far enough
                v = int(targets[pos])
                h.changeColCost(v, 1.0)
                try:
                    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
                    x_max = self._run(h)
                    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
                    x_min = self._run(h)
                except SolverTrouble:
                    # Unproven is unsafe: the cell keeps only the range feasible tables showed, so
                    # it is protected further (or the audit fails) rather than waved through.
                    continue
                finally:
                    h.changeColCost(v, 0.0)
                observe(x_max)
                observe(x_min)
                lo[pos], hi[pos], exact[pos] = x_min[v], x_max[v], True
        # Where whole-number tables already reach the linear bounds (a simplex vertex of these
        # tables usually is one), or already span the limit, no integer programme can say more.
        settled = (exact & (whole_lo <= lo + 1e-6) & (whole_hi >= hi - 1e-6)) | (whole_hi - whole_lo >= min_width)
        if whole_numbers:
            self._whole_numbers(targets, truth, min_width, lo, hi, settled, whole_lo, whole_hi)
        return Intervals(targets, lo, hi, exact, whole_lo, whole_hi)

    def _solution(self, truth: np.ndarray):
        solution = highspy.HighsSolution()
        solution.col_value = list(truth.astype(float))
        solution.value_valid = True
        return solution

    def _whole_numbers(self, targets: np.ndarray, truth: np.ndarray, min_width: float, lo: np.ndarray,
                       hi: np.ndarray, settled: np.ndarray, whole_lo: np.ndarray, whole_hi: np.ndarray) -> None:
        """Tighten the bounds of the cells whose linear bound is close to the limit to what whole numbers allow.

        Counts are whole, so the attacker's programme is an integer one; its linear relaxation can
        be wider. Where the linear range is within INTEGER_MARGIN of the limit, the cell's bounds
        are solved as integer programmes (in place). Whole-number tables found on the way
        certify the other cells they move far enough; `whole_lo`/`whole_hi` are widened to what they reach.
        """
        close = np.flatnonzero((integer_width(lo, hi) < min_width + INTEGER_MARGIN) & ~settled)
        if not len(close):
            return
        seen_lo = truth[targets].astype(float).copy()
        seen_hi = seen_lo.copy()
        row_lower, row_upper = self._rows()
        upper = np.minimum(self.upper, self._ceiling(truth))
        h = self._highs(self.matrix, np.ceil(self.lower - 1e-9), np.floor(upper + 1e-9), row_lower, row_upper,
                        np.zeros(self.n), ipm=False, integer=True)
        for pos in close:
            if seen_hi[pos] - seen_lo[pos] >= min_width:
                lo[pos], hi[pos] = min(lo[pos], seen_lo[pos]), max(hi[pos], seen_hi[pos])
                continue
            v = int(targets[pos])
            h.changeColCost(v, 1.0)
            h.setSolution(self._solution(truth))  # the true table: a whole-number start for the search
            bounds = []
            for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
                h.changeObjectiveSense(sense)
                h.run()
                if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                    x = np.asarray(h.getSolution().col_value)
                    np.minimum(seen_lo, x[targets], out=seen_lo)
                    np.maximum(seen_hi, x[targets], out=seen_hi)
                    bounds.append(x[v])
                else:
                    # Unproven is unsafe: keep only the whole-number tables actually found.
                    bounds.append(None)
            h.changeColCost(v, 0.0)
            top, bottom = bounds
            lo[pos] = seen_lo[pos] if bottom is None else bottom
            hi[pos] = seen_hi[pos] if top is None else top
        np.minimum(whole_lo, seen_lo, out=whole_lo)
        np.maximum(whole_hi, seen_hi, out=whole_hi)


def visible_to(cells: pd.DataFrame, access: Access) -> np.ndarray:
    """Mark the cells a role can obtain (a unit user: its own unit and the national figures)."""
    if access.sees_all_units:
        return np.ones(len(cells), dtype=bool)
    return cells["scope"].isin([NATIONAL, access.unit]).to_numpy()


@dataclass
class AuditReport:
    """What the attacker proved for one role."""

    role: str
    unit: str | None
    cells: int
    hidden: int
    solved_exactly: int
    narrowest: float
    narrow: pd.DataFrame
    seconds: float
    releases: int = 1
    # Per hidden unknown (KEY, version): the range feasible tables were found to reach (`SEEN`).
    seen: pd.DataFrame | None = None

    @property
    def share_hidden(self) -> float:
        return self.hidden / self.cells if self.cells else 0.0

    def summary(self, policy: Policy) -> str:
        who = self.role + (f" {self.unit}" if self.unit else "")
        verdict = "PASS" if self.narrow.empty else f"FAIL: {len(self.narrow)} cells narrower than {policy.k / 2:g}"
        return (f"{who:<14} releases {self.releases:>3}  unknowns {self.cells:>7,}  hidden {self.hidden:>7,} "
                f"({self.share_hidden:5.1%})  "
                f"narrowest interval {self.narrowest:g}  solved exactly {self.solved_exactly:,}  "
                f"{self.seconds:6.1f} s  {verdict}")


def exact_cells(cells: pd.DataFrame, tables: dict, policy: Policy) -> np.ndarray:
    """Mark the cells published unrounded: the national population totals, when so configured."""
    if not policy.exact_national_total:
        return np.zeros(len(cells), dtype=bool)
    totals = [name for name, t in tables.items() if t.column is None]
    return (cells["table_name"].isin(totals) & (cells["scope"] == NATIONAL)).to_numpy()


def release_knowledge(release: pd.DataFrame, policy: Policy, tables: dict) -> tuple[np.ndarray, np.ndarray]:
    """Return the attacker's bounds on each count cell of one release from its value, status and statistics' facts."""
    facts = release["fact"].to_numpy() if "fact" in release else None
    return knowledge(release["value"].to_numpy(), release["suppressed"].to_numpy(dtype=bool),
                     exact_cells(release, tables, policy), policy, facts)


def union_knowledge(releases: list[pd.DataFrame], positions: list[np.ndarray], n_vars: int, policy: Policy,
                    tables: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the bounds on every unknown over all releases (what each release says, together), and which were ever hidden."""
    lower, upper = np.full(n_vars, -np.inf), np.full(n_vars, np.inf)
    hidden = np.zeros(n_vars, dtype=bool)
    for release, var in zip(releases, positions):
        lo, hi = release_knowledge(release, policy, tables)
        np.maximum.at(lower, var, lo)
        np.minimum.at(upper, var, hi)
        hidden[var] |= release["suppressed"].to_numpy(dtype=bool)
    return lower, upper, hidden


def with_growth(block: Block, truth: np.ndarray) -> Block:
    """Add to a union block that revised counts grew, where they did (`linked.growth`)."""
    rows = growth(block.cells, truth)
    if not rows.shape[0]:
        return block
    return Block(block.cells, block.equalities, sp.vstack([block.inequalities, rows]).tocsr())


SEEN = ["lower", "upper", "whole_lower", "whole_upper"]


def audit_releases(releases: list[pd.DataFrame], policy: Policy, access: Access, tables: dict, *,
                   stronger: AuditReport | None = None) -> AuditReport:
    """Attack the union of releases a role could have kept; cells carry KEY, version, n, value, suppressed, fact.

    `stronger` is the report of a role that sees all units, over the same releases: its attacker
    knows everything this one does and more, so every table it found feasible is feasible here too
    (restricted to what this role sees), and each hidden cell starts from the range those tables reach.
    """
    started = time.perf_counter()
    visible = [r[visible_to(r, access)].reset_index(drop=True) for r in releases]
    limit = narrow_limit(policy)
    narrow, widths, solved, cells, hidden_total, found_ranges = [], [], 0, 0, 0, []
    ids = [*KEY, "version"]
    split = [dict(_block_key(part, tables) for part in parts(r, tables)) for r in visible]
    for key in sorted({k for s in split for k in s}):
        history = [s[key] for s in split if key in s]
        block, positions = union_block(history, tables, all_units=access.sees_all_units)
        lower, upper, hidden = union_knowledge(history, positions, len(block.cells), policy, tables)
        truth = np.zeros(len(block.cells))
        for release, var in zip(history, positions):
            truth[var] = release["n"].to_numpy()
        block = with_growth(block, truth)
        cells += len(block.cells)
        hidden_total += int(hidden.sum())
        if not hidden.any():
            continue
        targets = np.flatnonzero(hidden)
        hidden_cells = block.cells.iloc[targets][ids].reset_index(drop=True)
        seen = None
        if stronger is not None and stronger.seen is not None:
            seen = hidden_cells.merge(stronger.seen, on=ids, how="left")[SEEN].to_numpy(dtype=float).T
        found = Attacker(block, lower, upper).intervals(targets, truth, limit, seen=seen)
        found_ranges.append(hidden_cells.assign(**dict(zip(SEEN, (found.lower, found.upper, found.whole_lower,
                                                                   found.whole_upper)))))
        width = integer_width(found.lower, found.upper)
        widths.append(width)
        solved += int(found.exact.sum())
        pinned = width < limit
        if pinned.any():
            narrow.append(block.cells.iloc[targets[pinned]].assign(
                n=truth[targets[pinned]], lower=found.lower[pinned], upper=found.upper[pinned]))
    all_widths = np.concatenate(widths) if widths else np.array([np.inf])
    return AuditReport(
        role=access.role or "", unit=None if access.sees_all_units else access.unit, cells=cells,
        hidden=hidden_total, solved_exactly=solved, narrowest=float(all_widths.min()),
        narrow=pd.concat(narrow, ignore_index=True) if narrow else pd.DataFrame(),
        seconds=time.perf_counter() - started, releases=len(releases),
        seen=pd.concat(found_ranges, ignore_index=True) if found_ranges else None,
    )


# What forked workers attack (`audit_roles`): set before the pool forks and inherited, never pickled.
_SHARED: tuple | None = None


def _audit_shared(access: Access) -> AuditReport:
    releases, policy, tables, stronger = _SHARED
    report = audit_releases(releases, policy, access, tables, stronger=stronger)
    report.seen = None  # the parent needs only the verdict; the ranges would be pickled back for nothing
    return report


def audit_roles(releases: list[pd.DataFrame], policy: Policy, roles: list[Access], tables: dict, *,
                workers: int | None = None) -> Iterator[AuditReport]:
    """Attack the union of releases as each of some roles would; yield the reports in the roles' order.

    A role that sees all units goes first: the unit roles start from the tables its attacker found
    (`audit_releases`' `stronger`), so they solve only what it did not settle for them. The other
    roles go side by side in forked processes, each report yielded as soon as it and those before
    it are done.
    """
    global _SHARED
    first = next((i for i, access in enumerate(roles) if access.sees_all_units), None)
    stronger = None if first is None else audit_releases(releases, policy, roles[first], tables)
    rest = [access for i, access in enumerate(roles) if i != first]
    workers = min(len(rest), os.cpu_count() or 1) if workers is None else workers
    with contextlib.ExitStack() as stack:
        if workers > 1 and len(rest) > 1:
            _SHARED = (releases, policy, tables, stronger)
            stack.callback(globals().update, _SHARED=None)  # the forked workers have their copy
            pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                                           initializer=fresh_threads))
            later = pool.map(_audit_shared, rest)
        else:
            later = (audit_releases(releases, policy, access, tables, stronger=stronger) for access in rest)
        for i in range(len(roles)):
            yield stronger if i == first else next(later)


def _block_key(part: pd.DataFrame, tables: dict) -> tuple[tuple[str, str], pd.DataFrame]:
    name = part["table_name"].iloc[0]
    return (tables[name].population, part["period"].iloc[0][:4]), part.drop(columns="row")


def audit_cells(cells: pd.DataFrame, policy: Policy, access: Access, tables: dict) -> AuditReport:
    """Attack the published count cells of one release a role can obtain; cells carry n, value, suppressed (and fact)."""
    return audit_releases([cells if "version" in cells else cells.assign(version=0)], policy, access, tables)
