"""The control limits of a funnel plot, as pure functions of the national rate and a unit's size.

Exact binomial limits with Spiegelhalter's interpolation (Spiegelhalter 2005, "Funnel plots for
comparing institutional performance", Stat Med 24:1185-1202, appendix A.1.1): the binomial quantile
is a whole number of clients, so a limit drawn from it alone would jump in steps as n grows; the
interpolation between the quantile and the count below it gives a smooth curve that still holds
the stated probability. The over-dispersion check and the additive random-effects limits follow
Spiegelhalter 2005, "Handling over-dispersion of performance indicators" (Qual Saf Health Care
14:347-351), as the Dutch ICU registry NICE uses it: when units differ more than chance allows,
plain binomial limits would mark many units as "outside" for reasons no unit controls.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats import mstats

# (lower, upper) tail probabilities: 95% and 99.8% limits (two standard deviations and three, roughly).
LIMITS = {"95": (0.025, 0.975), "99.8": (0.001, 0.999)}
WINSOR = 0.10  # Spiegelhalter: the most extreme 10% of z-scores at each end are pulled in to the 10th/90th
MIN_UNITS = 5  # fewer drawn units than this give no meaningful over-dispersion test: plain limits then


def binomial_limit(p: float, n, p0: float) -> np.ndarray:
    """Return the exact binomial control limit (as a proportion) for tail probability p at sizes n, with interpolation."""
    n = np.asarray(n, dtype=float)
    if not 0.0 < p0 < 1.0:  # a national rate of 0 or 1 leaves no room on either side
        return np.full(n.shape, float(p0))
    # The distribution's functions, not a frozen distribution: freezing builds its docstrings, which cost
    # more than the quantiles themselves (a comparison page draws hundreds of limits).
    r = stats.binom.ppf(p, n, p0)  # the smallest r with F(r) >= p
    above, below = stats.binom.cdf(r, n, p0), stats.binom.cdf(r - 1, n, p0)
    alpha = (above - p) / (above - below)  # how far into the step at r the probability p lies
    return np.clip((r - alpha) / n, 0.0, 1.0)


def binomial_limits(n, p0: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return the 95% and 99.8% binomial limits (lower, upper) at sizes n, around the national rate p0."""
    return dict(_binomial_limits(tuple(np.asarray(n, dtype=float).ravel().tolist()), float(p0)))


# Every caller's comparison page draws the same national curves of a year: a process works each out once.
@functools.lru_cache(maxsize=1024)
def _binomial_limits(n: tuple[float, ...], p0: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for name, (lo, hi) in LIMITS.items():
        sides = binomial_limit(lo, n, p0), binomial_limit(hi, n, p0)
        for side in sides:
            side.setflags(write=False)  # shared by every caller of the cache
        out[name] = sides
    return out


@dataclass(frozen=True)
class Dispersion:
    """The over-dispersion check of a set of units: the dispersion phi, the test and the random-effects variance."""

    units: int
    phi: float | None  # mean of the winsorised squared z-scores; None: too few units to check
    limit: float | None  # chi-square 95% point with units - 1 degrees of freedom, against units * phi
    overdispersed: bool
    tau2: float  # additive between-unit variance (0 when not over-dispersed)


def rounding_variance(base: int) -> float:
    """Return the variance of a count's rounding error when counts are rounded to a multiple of `base`
    (uniform over the base's whole-number offsets: (base^2 - 1) / 12)."""
    return (base * base - 1) / 12.0


def overdispersion(y, n, p0: float, rounding: float = 0.0) -> Dispersion:
    """Return the over-dispersion check of units' proportions y over sizes n around p0 (winsorised z-scores).

    `rounding`: the variance of the published numerators' rounding error (`rounding_variance`). Rounding
    to 5 moves a small unit's rate about as much as chance does (2/n^2 beside p0(1-p0)/n at n = 15),
    so without it the check would call rounding over-dispersion.
    """
    y, n = np.asarray(y, dtype=float), np.asarray(n, dtype=float)
    units = len(y)
    if units < MIN_UNITS or not 0.0 < p0 < 1.0:
        return Dispersion(units, None, None, False, 0.0)
    s2 = p0 * (1.0 - p0) / n + rounding / n ** 2
    z = (y - p0) / np.sqrt(s2)
    # Winsorised, not trimmed: the extreme units keep their weight but cannot inflate phi alone.
    zw = np.asarray(mstats.winsorize(z, limits=(WINSOR, WINSOR)), dtype=float)
    phi = float(np.mean(zw ** 2))
    limit = float(stats.chi2.ppf(0.95, units - 1))
    if units * phi <= limit:
        return Dispersion(units, phi, limit, False, 0.0)
    w = 1.0 / s2
    tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    return Dispersion(units, phi, limit, bool(tau2 > 0.0), float(tau2))


def random_effects_limits(n, p0: float, tau2: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return the 95% and 99.8% limits widened by the between-unit variance tau2: p0 +- z sqrt(s2(n) + tau2)."""
    n = np.asarray(n, dtype=float)
    spread = np.sqrt(p0 * (1.0 - p0) / n + tau2)
    out = {}
    for name, (_lo, hi) in LIMITS.items():
        z = float(stats.norm.ppf(hi))
        out[name] = (np.clip(p0 - z * spread, 0.0, 1.0), np.clip(p0 + z * spread, 0.0, 1.0))
    return out


WITHIN, BETWEEN, OUTSIDE = "within_95", "between", "outside_998"


def position(rate: float, lower95: float, upper95: float, lower998: float, upper998: float) -> str:
    """Return where a unit's rate lies: within the 95% limits, between 95% and 99.8%, or outside 99.8%."""
    if lower95 <= rate <= upper95:
        return WITHIN
    if lower998 <= rate <= upper998:
        return BETWEEN
    return OUTSIDE


def curve_sizes(sizes, k: int, points: int = 80) -> np.ndarray:
    """Return the whole sizes the limit curves are drawn at: from k to 1.2 times the largest drawn size
    (twice a single one, so a lone point has room; 20k when nothing is drawn). Only the sizes given count."""
    sizes = [float(s) for s in sizes]
    top = 20.0 * k if not sizes else 2.0 * sizes[0] if len(sizes) == 1 else 1.2 * max(sizes)
    top = max(top, k + 1.0)
    return np.unique(np.round(np.geomspace(k, top, points)))
