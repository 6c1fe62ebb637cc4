"""The demo's timeline: registrations per month, their spread over units and target groups, and the chunks
they are generated in."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from queries.demo import draw
from queries.demo.calibration import (
    CALIBRATION_MONTHS, CAL_EMAIL_CONTACTS, CAL_PHONE_CONTACTS, CAL_REGISTRATIONS, CAL_WEB_CONTACTS, START,
    TG_P_2014, TG_P_2024, UNIT_CAL_SHARE, UNIT_CODES, UNIT_LONG_RUN, UNIT_SETUP, UNK,
)

CHUNK_REGISTRATIONS = 20_000  # registrations generated at a time (with their contacts, sessions, ...)


@dataclass
class Plan:
    months: np.ndarray          # datetime64[M], May 2012 .. last month
    counts: np.ndarray          # registrations per month
    unit_p: np.ndarray          # (months x units) unit probabilities
    tg_p: np.ndarray            # (months x target groups)
    years: np.ndarray           # fractional years since April 2014 (negative before), per month
    calibrated: bool
    data_end: int               # last day with data (day number)
    counsellors: np.ndarray     # counsellor pool size per month
    contact_ratio: np.ndarray   # (months x 3) non-registration contacts per registration by channel


def _month_index(d: dt.date) -> int:
    return (d.year - START.year) * 12 + d.month - START.month


def season(month_numbers: np.ndarray) -> np.ndarray:
    """Return the seasonal factor of each month number: a winter high, a summer and December dip."""
    s = 1 + 0.08 * np.cos(2 * np.pi * (month_numbers - 1) / 12)
    s = s - 0.12 * np.isin(month_numbers, (7, 8)) - 0.05 * (month_numbers == 12)
    return s


def active_units(months: np.ndarray) -> np.ndarray:
    """(months x units) True where the unit had the Loket that month (UNK always)."""
    starts = np.array([
        np.datetime64(UNIT_SETUP[u][1], "M") if UNIT_SETUP[u][1] else np.datetime64("1970-01", "M")
        for u in UNIT_CODES
    ])
    return months[:, None] >= starts[None, :]


def _volume_weights(rng, months: np.ndarray) -> np.ndarray:
    """Relative registrations per month: roll-out ramp, then gradual growth, seasonal wiggle."""
    n = len(months)
    m = np.arange(n)
    heads = np.array([UNIT_SETUP[u][0] or 0 for u in UNIT_CODES], dtype=float)
    coverage = (active_units(months) * heads).sum(axis=1) / heads.sum()
    month_numbers = months.astype(int) % 12 + 1
    ramp = (0.2 + 0.8 * coverage) * (1 + 0.025 * np.minimum(m, CALIBRATION_MONTHS - 1))
    years = (m - CALIBRATION_MONTHS) / 12
    growth = np.where(years > 0, 1.035 ** np.maximum(years, 0), 1.0)
    # A bump in help-seeking during the pandemic years and a small year-level noise.
    covid = np.where((months >= np.datetime64("2020-04")) & (months <= np.datetime64("2021-12")), 1.12, 1.0)
    year_idx = months.astype("datetime64[Y]").astype(int) - 42  # 2012 -> 0
    year_noise = np.exp(rng.normal(0, 0.05, size=year_idx.max() + 1))[year_idx]
    year_noise[:CALIBRATION_MONTHS] = 1.0
    return ramp * growth * covid * year_noise * season(month_numbers)


def _unit_probabilities(months: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per-month unit probabilities: fitted to the calibration shares, then towards headcount."""
    active = active_units(months).astype(float)
    regular = np.arange(len(UNIT_CODES)) != UNK
    target = np.array([UNIT_CAL_SHARE[u] for u in UNIT_CODES]) / 100
    unk_share = target[UNK]
    cal = slice(0, min(CALIBRATION_MONTHS, len(months)))
    cal_active = active[cal]
    cal_w = weights[cal]
    a = np.where(regular, target, 0.0)
    for _ in range(200):  # iterative proportional fitting of the unit propensities
        p = cal_active * a
        p = (1 - unk_share) * p / p.sum(axis=1, keepdims=True)
        share = (cal_w[:, None] * p).sum(axis=0) / cal_w.sum()
        ok = regular & (share > 0)
        a[ok] *= target[ok] / share[ok]
    heads = np.array([UNIT_SETUP[u][0] or 0 for u in UNIT_CODES], dtype=float)
    long_run = heads * np.array([UNIT_LONG_RUN.get(u, 1.0) for u in UNIT_CODES])
    a = a / a[regular].sum()
    long_run = long_run / long_run[regular].sum()
    m = np.arange(len(months))
    blend = np.clip((m - CALIBRATION_MONTHS + 1) / 36, 0, 1)[:, None]
    with np.errstate(divide="ignore"):
        la, ll = np.log(np.where(regular, a, 1.0)), np.log(np.where(regular, long_run, 1.0))
    prop = np.exp((1 - blend) * la + blend * ll) * regular * active
    prop = (1 - unk_share) * prop / prop.sum(axis=1, keepdims=True)
    prop[:, UNK] = unk_share
    return prop


def plan(rng, until: dt.date, registrations: int | None) -> Plan:
    """Return the timeline up to the month before `until`: calibrated, or scaled to `registrations`."""
    last = np.datetime64(until, "M") - 1
    first = np.datetime64(START, "M")
    if last < first:
        raise ValueError(f"until={until} leaves no complete month after {START:%Y-%m}")
    months = np.arange(first, last + 1)
    w = _volume_weights(rng, months)
    n_cal = min(CALIBRATION_MONTHS, len(months))
    if registrations is None:
        counts = np.zeros(len(months), dtype=np.int64)
        # The evaluation's 429 are for the whole calibration period; a store ending earlier
        # gets that period's share.
        full_cal = _volume_weights(np.random.default_rng(0), np.arange(first, first + CALIBRATION_MONTHS))
        cal_total = round(CAL_REGISTRATIONS * full_cal[:n_cal].sum() / full_cal.sum())
        counts[:n_cal] = draw.round_total(rng, w[:n_cal], cal_total)
        per_weight = CAL_REGISTRATIONS / full_cal.sum()
        counts[n_cal:] = rng.poisson(per_weight * w[n_cal:])
    else:
        if registrations < 0:
            raise ValueError("registrations must be >= 0")
        counts = draw.round_total(rng, w, registrations)
    m = np.arange(len(months))
    years = (m - CALIBRATION_MONTHS) / 12
    t = np.clip(years / 10, 0, 1)[:, None]
    tg_p = (1 - t) * TG_P_2014 + t * TG_P_2024
    tg_p /= tg_p.sum(axis=1, keepdims=True)
    # Non-registration contacts per registration: phone, e-mail, web. The calibration period's
    # ratios follow from the evaluation; later the Loket is better known and people use the web more.
    cal_ratio = np.array([
        (CAL_PHONE_CONTACTS - 0.85 * CAL_REGISTRATIONS) / CAL_REGISTRATIONS,
        (CAL_EMAIL_CONTACTS - 0.12 * CAL_REGISTRATIONS) / CAL_REGISTRATIONS,
        (CAL_WEB_CONTACTS - 0.03 * CAL_REGISTRATIONS) / CAL_REGISTRATIONS,
    ])
    late_ratio = np.array([3.3, 0.6, 0.5])
    t6 = np.clip(years / 6, 0, 1)[:, None]
    contact_ratio = (1 - t6) * cal_ratio + t6 * late_ratio
    counsellors = np.maximum(6, np.ceil(counts / 3)).astype(np.int64)
    counsellors = np.maximum.accumulate(counsellors)  # the pool of pseudonymous ids only grows
    data_end = int((last + 1).astype("datetime64[D]").astype(np.int64)) - 1
    return Plan(months, counts, _unit_probabilities(months, w), tg_p, years,
                 registrations is None, data_end, counsellors, contact_ratio)


def chunks(plan: Plan) -> list[tuple[int, int]]:
    """Month ranges [a, b) generated together; the calibration period is one range by default."""
    out, a, rows = [], 0, 0
    for m, c in enumerate(plan.counts):
        rows += int(c)
        boundary = plan.calibrated and m == CALIBRATION_MONTHS - 1
        if rows >= CHUNK_REGISTRATIONS or boundary:
            out.append((a, m + 1))
            a, rows = m + 1, 0
    if a < len(plan.counts):
        out.append((a, len(plan.counts)))
    return out
