"""HiGHS, which solves the attacker's and the protection's programmes: one silent instance per programme.

HiGHS prints its licence banner the first time an instance with output on sets up its callbacks,
and highspy's `Highs` does that in its constructor, before any option can be set. So `programme`
builds instances that turn their output off first: a refresh and an audit print nothing.
"""
from __future__ import annotations

import highspy
import numpy as np
import scipy.sparse as sp


class _Silent(highspy.Highs):
    """A HiGHS instance whose output is off before HiGHS could print anything (its banner included)."""

    def enableCallbacks(self):
        """Turn the output off, then set up highspy's callbacks (the constructor's first step that may print)."""
        self.silent()
        super().enableCallbacks()


def programme(matrix: sp.spmatrix, col_lower: np.ndarray, col_upper: np.ndarray, row_lower: np.ndarray,
              row_upper: np.ndarray, cost: np.ndarray, *, integer: bool = False, **options) -> highspy.Highs:
    """Return a silent HiGHS instance holding: minimise cost.x, row_lower <= matrix.x <= row_upper, column bounds.

    `options` are HiGHS options, set in order before the model is passed; `integer` makes every
    column a whole number.
    """
    h = _Silent()
    for name, value in options.items():
        h.setOptionValue(name, value)
    matrix = matrix.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, col_lower, col_upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * matrix.shape[1]
    h.passModel(lp)
    return h


def fresh_threads() -> None:
    """Give a forked worker its own HiGHS threads: the parent's are not copied by fork, and an integer
    programme would wait for them for ever."""
    highspy.Highs.resetGlobalScheduler(True)
