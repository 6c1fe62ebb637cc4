"""The comparison of units in funnel plots: each unit's published rate against its number of clients, per year.

Only published (rounded, protected) cells are used, read through `queries.catalogue.indicators`
with the caller's access: a programme manager's read holds every unit, a unit user's read its own
unit only (the reader refuses any other scope). A unit is drawn only when both its counts are
shown and its denominator reaches k; otherwise it is listed as not drawn, without saying whether
it was hidden by the rule or as a partner (the symbol never tells). The national rate is the
published national numerator over the published national denominator.

The limits (`funnel_limits`) for the programme come from the drawn units' published counts,
widened for over-dispersion when the check finds it. A unit user gets plain binomial limits from
the national rate and its own n only: the between-unit variance would rest on other units' figures.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from queries.accounts.access import NATIONAL, Access
from queries.catalogue import indicators
from queries.catalogue.declarations import FUNNEL, PERCENT
from queries.monitor import funnel_limits
from queries.monitor.funnel_limits import Dispersion
from queries.privacy import Policy
from queries.store.codes import UNITS, UNKNOWN_UNIT

# Why a unit is not drawn. HIDDEN: a count is not shown (by the rule or as a partner: the symbol never
# says which). SMALL: a shown denominator below k (the rule hides those, so it is only a guard).
# NONE: no clients at all (no cell, or a shown 0).
DRAWN, HIDDEN, SMALL, NONE = "drawn", "hidden", "small", "none"
POINT_COLUMNS = ["indicator", "scope", "period", "value", "suppressed", "numerator", "numerator_suppressed",
                 "denominator", "denominator_suppressed", "rate", "status"]


@dataclass(frozen=True)
class Funnel:
    """One indicator's funnel for one year: the units' published points, the national rate and the limits' basis."""

    indicator: str
    year: str
    points: pd.DataFrame  # POINT_COLUMNS, one row per compared unit, in code-list order (never by rate)
    national: float | None  # the published national rate (a proportion); None: not shown
    national_numerator: float | None
    national_denominator: float | None
    k: int
    own_unit_only: bool  # a unit user's read: plain binomial limits from the national rate and its own n
    dispersion: Dispersion | None = None  # the programme's over-dispersion check (None for a unit user)
    sizes: np.ndarray = field(default_factory=lambda: np.array([]))  # where the limit curves are drawn

    @property
    def drawn(self) -> pd.DataFrame:
        """Return the points that are drawn (both counts shown, at least k clients)."""
        return self.points[self.points["status"] == DRAWN]

    def limits(self, n) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Return the 95% and 99.8% limits (lower, upper, proportions) at sizes n."""
        if self.dispersion is not None and self.dispersion.overdispersed:
            return funnel_limits.random_effects_limits(n, self.national, self.dispersion.tau2)
        return funnel_limits.binomial_limits(n, self.national)


def compared_units(access: Access) -> list[str]:
    """Return the units a caller's funnel compares: every unit but 'unknown' for the programme, else its own unit."""
    if access.sees_all_units:
        return [u for u in UNITS.values if u != UNKNOWN_UNIT]  # "unknown" is no unit to compare
    return [access.unit] if access.unit else []


def _status(num, num_hidden, den, den_hidden, k: int) -> str:
    if num_hidden or den_hidden:
        return HIDDEN
    if den is None or np.isnan(den) or den == 0:
        return NONE
    return SMALL if den < k else DRAWN


def funnel_points(engine: sa.Engine, access: Access, *, indicator: str, year: str,
                  policy: Policy | None = None) -> Funnel:
    """Return one indicator's funnel for a year: each compared unit's published counts and rate, and the national rate."""
    if indicator not in FUNNEL or indicators.INDICATORS[indicator].kind != PERCENT:
        raise ValueError(f"{indicator!r} is not compared in a funnel")
    policy = policy or Policy()
    k = policy.k
    units = compared_units(access)
    # The caller's access goes with the read: a unit user asking for another unit would be refused.
    df = indicators.with_parts(engine, access, indicator, scopes=[*units, NATIONAL], period_type="year",
                               start=year, end=year)
    found = {row["scope"]: row for row in indicators.records(df)}
    rows = []
    for unit in units:
        row = found.get(unit)
        if row is None:  # no cell at all: no clients
            rows.append((indicator, unit, year, np.nan, False, np.nan, False, np.nan, False, np.nan, NONE))
            continue
        num, den = row["numerator"], row["denominator"]
        status = _status(num, row["numerator_suppressed"], den, row["denominator_suppressed"], k)
        rate = num / den if status == DRAWN else np.nan
        rows.append((indicator, unit, year, row["value"], bool(row["suppressed"]), num,
                     bool(row["numerator_suppressed"]), den, bool(row["denominator_suppressed"]), rate, status))
    points = pd.DataFrame(rows, columns=POINT_COLUMNS)
    nat = found.get(NATIONAL)
    p0 = nat_num = nat_den = None
    if nat is not None and not nat["numerator_suppressed"] and not nat["denominator_suppressed"] \
            and nat["denominator"] > 0:
        nat_num, nat_den = float(nat["numerator"]), float(nat["denominator"])
        p0 = nat_num / nat_den
    drawn = points[points["status"] == DRAWN]
    sizes = funnel_limits.curve_sizes(drawn["denominator"].tolist(), k)
    dispersion = None
    if access.sees_all_units and p0 is not None:
        dispersion = funnel_limits.overdispersion(drawn["rate"].to_numpy(), drawn["denominator"].to_numpy(), p0,
                                                  funnel_limits.rounding_variance(policy.base))
    return Funnel(indicator, year, points, p0, nat_num, nat_den, k, not access.sees_all_units, dispersion, sizes)


def positions(funnel: Funnel) -> list[str | None]:
    """Return, per point in order, where a drawn point lies against the limits (None: not drawn)."""
    if funnel.national is None:
        return [None] * len(funnel.points)
    drawn = [i for i, status in enumerate(funnel.points["status"]) if status == DRAWN]
    out: list[str | None] = [None] * len(funnel.points)
    if not drawn:
        return out
    rates, sizes = funnel.points["rate"].to_numpy(), funnel.points["denominator"].to_numpy()
    limits = funnel.limits(sizes[drawn])  # every drawn unit's limits at once
    (lo95, hi95), (lo998, hi998) = limits["95"], limits["99.8"]
    for j, i in enumerate(drawn):
        out[i] = funnel_limits.position(rates[i], lo95[j], hi95[j], lo998[j], hi998[j])
    return out
