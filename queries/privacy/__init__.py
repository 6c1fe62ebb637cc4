"""Statistical disclosure control: what may be published of the true counts, and the proof that nothing leaks.

The rule, in the one sentence users see: counts are rounded to the nearest 5; counts under 10,
and figures from which such a count could be worked out, are not shown (*). This module holds the
rule's settings (`Policy`); the package's modules:
- `linked`: which published counts add up to which (the relations an attacker uses);
- `audit`: the attacker, who bounds every hidden cell from everything published;
- `protect`: secondary suppression, the cheapest further cells to hide so that the attacker fails;
- `releases`: the ledger of every release (the past stays stable; the union is what is audited);
- `loss`: which figures users lose to secondary suppression;
- `solver`: HiGHS, silent, for the attacker's and the protection's programmes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SYMBOL = "*"


@dataclass(frozen=True)
class Policy:
    """The settings of the minimum-count rule."""

    k: int = 10
    base: int = 5
    show_zeros: bool = True
    exact_national_total: bool = False

    def __post_init__(self):
        if self.k < 2 or self.base < 1:
            raise ValueError("k must be at least 2 and the rounding base at least 1")

    @property
    def zero_is_exact(self) -> bool:
        """Tell whether a published 0 means exactly zero (else zeros are suppressed too)."""
        return self.show_zeros

    def is_primary(self, counts: np.ndarray) -> np.ndarray:
        """Mark the counts the rule hides by itself: 1..k-1, and 0 when zeros are hidden."""
        counts = np.asarray(counts)
        low = 0 if not self.show_zeros else 1
        return (counts >= low) & (counts < self.k)

    def round(self, counts: np.ndarray) -> np.ndarray:
        """Round counts to the nearest multiple of the base, halves up."""
        counts = np.asarray(counts, dtype=np.int64)
        return ((counts + self.base // 2) // self.base) * self.base

    @property
    def mean_decimals(self) -> int:
        """Return the decimals a mean is published with: never finer than 1/k.

        A mean rounded to a step s over n clients fits a whole-number sum for every n >= 1/s, so
        over at least k clients its value says nothing about how many there are.
        """
        return 1 if self.k >= 10 else 0

    def rounding_interval(self, published):
        """Return the true counts that round to a published value (what an attacker can infer); works on arrays."""
        return published - self.base // 2, published + self.base - 1 - self.base // 2


def integer_width(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Return the width of the whole-number range inside real bounds (counts are whole)."""
    return np.floor(np.asarray(upper) + 1e-6) - np.ceil(np.asarray(lower) - 1e-6)


def narrow_limit(policy: Policy) -> float:
    """Return the width below which an attacker has pinned a hidden count too closely (k/2)."""
    return policy.k / 2
