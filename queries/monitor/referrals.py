"""Query functions for referrals and screening: referral rates, outcomes, TCL screening, anonymity."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries.catalogue import indicators
from queries.accounts.access import Access
from queries.store.codes import ANONYMITY_REASONS


def referral_rates(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                   start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the shares referred back to the unit, to external care and not referred, per period."""
    keys = ["referral_back_rate", "referral_external_rate", "referral_none_rate"]
    return indicators.trends(engine, access, keys, scopes=scopes, period_type=period_type, start=start, end=end)


def referral_outcomes(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                      period: str) -> pd.DataFrame:
    """Return one period's closed trajectories by referral outcome, with shares."""
    return indicators.shares(engine, access, "closures_by_referral", scopes=scopes, period_type=period_type,
                             period=period)


def tcl_screening(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                  start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the share screened with the TCL at intake and the share above cut-off that was referred."""
    return indicators.trends(engine, access, ["tcl_applied", "tcl_above_referred"], scopes=scopes,
                             period_type=period_type, start=start, end=end)


def anonymity_rate(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                   start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the share of registrations that want to stay anonymous towards their unit, per period."""
    return indicators.trends(engine, access, ["anonymity_rate"], scopes=scopes, period_type=period_type,
                             start=start, end=end)


def anonymity_reasons(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                      period: str) -> pd.DataFrame:
    """Return one period's reasons for the anonymity wish, as shares of those who want it."""
    return indicators.shares(engine, access, "registrations_by_anonymity_reason", scopes=scopes,
                             period_type=period_type, period=period)


def _by_series(engine: sa.Engine, access: Access, tables: dict[str, str], *, scopes: list[str], period_type: str,
               period: str) -> pd.DataFrame:
    """Return the shares of several tables of one cross-table, each named by its `series`."""
    frames = [indicators.shares(engine, access, table, scopes=scopes, period_type=period_type, period=period)
              .assign(series=series) for series, table in tables.items()]
    return pd.concat(frames, ignore_index=True)


def question_types_by_anonymity(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                                period: str) -> pd.DataFrame:
    """Return one year's question types of those who want anonymity towards their unit (series yes) and those who do not (no)."""
    return _by_series(engine, access, {wish: f"registrations_by_question_type_{wish}" for wish in ("yes", "no")},
                      scopes=scopes, period_type=period_type, period=period)


def target_groups_by_reason(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                            period: str) -> pd.DataFrame:
    """Return one year's target groups of those who want anonymity, per reason (series), as shares of that reason."""
    return _by_series(engine, access, {r: f"registrations_by_target_group_{r}" for r in ANONYMITY_REASONS.values},
                      scopes=scopes, period_type=period_type, period=period)


def back_to_unit_by_product(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                            period: str) -> pd.DataFrame:
    """Return one year's closures referred back to the unit per product, as shares of that product's closures."""
    return indicators.shares(engine, access, "closures_back_to_unit_by_product", scopes=scopes,
                             period_type=period_type, period=period, of="closures_by_product")
