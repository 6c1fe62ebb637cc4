"""Small numpy helpers the demo draws with: integer quotas, choices, days and timestamps."""
from __future__ import annotations

import datetime as dt

import numpy as np

from queries.demo.calibration import HOUR_W_WEEKDAY, HOUR_W_WEEKEND

_EPOCH = dt.date(1970, 1, 1)


def day(d: dt.date) -> int:
    """Return the day number of a date (days since 1970-01-01)."""
    return (d - _EPOCH).days


def _weekday(days: np.ndarray) -> np.ndarray:
    """Monday=0 for day numbers since 1970-01-01 (a Thursday)."""
    return (days + 3) % 7


def round_total(rng, x: np.ndarray, total: int | None = None) -> np.ndarray:
    """Round non-negative reals to integers summing to `total` (default: round(sum)), unbiasedly.

    Each value is rounded up with probability equal to its fractional part (systematic sampling),
    so even tiny shares come out right on average.
    """
    x = np.asarray(x, dtype=float)
    if total is None:
        total = int(round(x.sum()))
    if total == 0 or x.sum() <= 0:
        return np.zeros(len(x), dtype=np.int64)
    x = x * (total / x.sum())
    base = np.floor(x).astype(np.int64)
    short = total - int(base.sum())
    if short > 0:
        cum = np.cumsum(x - base)
        points = rng.random() + np.arange(short)
        pick = np.minimum(np.searchsorted(cum * (short / cum[-1]), points, side="right"), len(x) - 1)
        np.add.at(base, pick, 1)
    return base


def quota(rng, n: int, p: np.ndarray) -> np.ndarray:
    """Return n category indices whose counts follow p as closely as integers allow, shuffled."""
    counts = round_total(rng, p, n)
    out = np.repeat(np.arange(len(p)), counts)
    rng.shuffle(out)
    return out


def choice_rows(rng, p_rows: np.ndarray) -> np.ndarray:
    """Draw one category per row from a (rows x categories) probability matrix."""
    cum = np.cumsum(p_rows, axis=1)
    u = rng.random(len(p_rows)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), p_rows.shape[1] - 1)


def choice(rng, n: int, p) -> np.ndarray:
    """Draw n category indices with probabilities proportional to p."""
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def between(rng, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Uniform integers in [lo, hi] per element."""
    return lo + np.floor(rng.random(len(lo)) * (hi - lo + 1)).astype(np.int64)


def _days_in_month(month: np.datetime64) -> np.ndarray:
    first = month.astype("datetime64[D]").astype(np.int64)
    last = (month + 1).astype("datetime64[D]").astype(np.int64)
    return np.arange(first, last)


def day_numbers(rng, month: np.datetime64, n: int, weekend_w: float) -> np.ndarray:
    """Draw n day numbers within one month, weekend days weighted by `weekend_w`."""
    days = _days_in_month(month)
    w = np.where(_weekday(days) >= 5, weekend_w, 1.0)
    return rng.choice(days, size=n, p=w / w.sum())


def timestamps(rng, days: np.ndarray) -> np.ndarray:
    """Timestamps (seconds since epoch) on the given days, at plausible hours for a 24/7 desk."""
    weekend = _weekday(days) >= 5
    hours = np.empty(len(days), dtype=np.int64)
    for mask, w in ((~weekend, HOUR_W_WEEKDAY), (weekend, HOUR_W_WEEKEND)):
        k = int(mask.sum())
        if k:
            hours[mask] = rng.choice(24, size=k, p=w / w.sum())
    return days * 86_400 + hours * 3_600 + rng.integers(0, 3_600, size=len(days))
