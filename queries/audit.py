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
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from queries.access import NATIONAL, Access
from queries.linked import Block
from queries.privacy import Policy

# Far above any real count; an attacker cannot prove a hidden cell is below this.
UNBOUNDED = 1e7


def knowledge(published: np.ndarray, suppressed: np.ndarray, exact: np.ndarray, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """Return what an attacker knows of each cell from its published figure alone: a lower and an upper bound."""
    value = np.nan_to_num(np.asarray(published, dtype=float), nan=0.0)
    # A shown count other than 0 is at least k (smaller ones are hidden), and rounding moved it
    # by at most half the base.
    lower, upper = policy.rounding_interval(value)
    lower = np.maximum(lower, policy.k)
    zero = value == 0
    lower[zero], upper[zero] = 0, 0
    lower[exact], upper[exact] = value[exact], value[exact]
    # The symbol does not say whether a cell is small or hides a larger one, so an attacker only
    # knows it is not a shown zero.
    lower[suppressed] = 1 if policy.show_zeros else 0
    upper[suppressed] = UNBOUNDED
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

    @property
    def width(self) -> np.ndarray:
        return self.upper - self.lower


class Attacker:
    """The attacker's linear programme over one block, solved with HiGHS."""

    def __init__(self, block: Block, lower: np.ndarray, upper: np.ndarray):
        import highspy

        self.hs = highspy
        self.matrix = sp.vstack([block.equalities, block.inequalities]).tocsr()
        self.n_eq = block.equalities.shape[0]
        self.lower = lower.astype(float).copy()
        self.upper = upper.astype(float).copy()
        self.n = self.matrix.shape[1]

    def hide(self, cells: np.ndarray, floor: float) -> None:
        """Forget what was published about some cells (they are now hidden)."""
        self.lower[cells], self.upper[cells] = floor, UNBOUNDED

    def _ceiling(self, truth: np.ndarray) -> float:
        # Far above every count in the block: a cell that reaches it is wide open, and a finite
        # bound keeps the programme well scaled (no solver trouble with huge numbers).
        return float(4 * truth.max() + 100)

    def _highs(self, matrix: sp.spmatrix, lower, upper, row_lower, row_upper, cost, ipm: bool):
        h = self.hs.Highs()
        h.setOptionValue("output_flag", False)
        if ipm:
            h.setOptionValue("solver", "ipm")
            h.setOptionValue("run_crossover", "off")
        matrix = matrix.tocsc()
        lp = self.hs.HighsLp()
        lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
        lp.row_lower_, lp.row_upper_ = row_lower, row_upper
        lp.a_matrix_.format_ = self.hs.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
        h.passModel(lp)
        return h

    def _rows(self):
        inf = self.hs.kHighsInf
        m = self.matrix.shape[0]
        return np.r_[np.zeros(self.n_eq), np.full(m - self.n_eq, -inf)], np.zeros(m)

    def _run(self, h) -> np.ndarray:
        h.run()
        status = h.getModelStatus()
        if status != self.hs.HighsModelStatus.kOptimal:
            # The true table is always feasible, so this is numerical trouble: solve afresh once.
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
        if status != self.hs.HighsModelStatus.kOptimal:
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
                        np.r_[row_lower, np.full(k, -self.hs.kHighsInf)], np.r_[row_upper, -sign * truth[targets]],
                        np.r_[np.zeros(self.n), -np.ones(k)], ipm=True)
        return self._run(h)[: self.n]

    def intervals(self, targets: np.ndarray, truth: np.ndarray, min_width: float) -> Intervals:
        """Bound every target cell; cells that feasible tables move at least min_width apart are certified."""
        lo = truth[targets].astype(float).copy()
        hi = lo.copy()
        exact = np.zeros(len(targets), dtype=bool)
        if len(targets) == 0:
            return Intervals(targets, lo, hi, exact)

        def observe(x):
            np.minimum(lo, x[targets], out=lo)
            np.maximum(hi, x[targets], out=hi)

        open_ = np.arange(len(targets))
        for _ in range(2):
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
                    h.changeObjectiveSense(self.hs.ObjSense.kMaximize)
                    x_max = self._run(h)
                    h.changeObjectiveSense(self.hs.ObjSense.kMinimize)
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
        return Intervals(targets, lo, hi, exact)


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

    @property
    def share_hidden(self) -> float:
        return self.hidden / self.cells if self.cells else 0.0

    def summary(self, policy: Policy) -> str:
        who = self.role + (f" {self.unit}" if self.unit else "")
        verdict = "PASS" if self.narrow.empty else f"FAIL: {len(self.narrow)} cells narrower than {policy.k / 2:g}"
        return (f"{who:<14} cells {self.cells:>7,}  hidden {self.hidden:>7,} ({self.share_hidden:5.1%})  "
                f"narrowest interval {self.narrowest:g}  solved exactly {self.solved_exactly:,}  "
                f"{self.seconds:6.1f} s  {verdict}")


def audit_cells(cells: pd.DataFrame, policy: Policy, access: Access) -> AuditReport:
    """Attack the published count cells a role can obtain; cells carry n, value, suppressed."""
    import time

    from queries.catalogue import TABLES_BY_NAME
    from queries.linked import blocks
    from queries.privacy import integer_width, narrow_limit
    from queries.protect import exact_cells

    started = time.perf_counter()
    seen = cells[visible_to(cells, access)].reset_index(drop=True)
    limit = narrow_limit(policy)
    narrow, widths, solved = [], [], 0
    for block in blocks(seen, TABLES_BY_NAME, all_units=access.sees_all_units):
        part = seen.loc[block.cells["row"].to_numpy()]
        hidden = part["suppressed"].to_numpy(dtype=bool)
        if not hidden.any():
            continue
        exact = exact_cells(part, TABLES_BY_NAME, policy)
        lower, upper = knowledge(part["value"].to_numpy(), hidden, exact, policy)
        targets = np.flatnonzero(hidden)
        found = Attacker(block, lower, upper).intervals(targets, part["n"].to_numpy(), limit)
        width = integer_width(found.lower, found.upper)
        widths.append(width)
        solved += int(found.exact.sum())
        pinned = width < limit
        if pinned.any():
            bad = part.iloc[targets[pinned]].assign(lower=found.lower[pinned], upper=found.upper[pinned])
            narrow.append(bad)
    all_widths = np.concatenate(widths) if widths else np.array([np.inf])
    return AuditReport(
        role=access.role or "", unit=None if access.sees_all_units else access.unit, cells=len(seen),
        hidden=int(seen["suppressed"].sum()), solved_exactly=solved, narrowest=float(all_widths.min()),
        narrow=pd.concat(narrow, ignore_index=True) if narrow else pd.DataFrame(), seconds=time.perf_counter() - started,
    )
