"""Deterministic demo data for the registration store.

`load_demo` replaces the store's contents with a synthetic but plausible history of the Loket,
from its start in Noord-Nederland (May 2012) to the last complete month before a given date.

By default the history is calibrated to the figures of the 2014 evaluation for May 2012 - March
2014 (429 registrations, about 2,500 phone contacts, 16 survey responses of which 14 graded 7 or
higher, 13,973 website visits, 25% referred back to the unit, ...) and then grows gradually. With
`registrations=N` the same shapes are scaled to N registrations; rows are generated with numpy
and written batch by batch, so memory stays bounded however large N is.

Nothing here describes a real client: every row is drawn from `numpy.random.default_rng(seed)`.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sqlalchemy as sa

from queries.store import codes
from queries.store.schema import (
    Contact, ImportBatch, Registration, RegistrationQuestion, Session, Survey, Unit, WebsiteVisits,
)

START = dt.date(2012, 5, 1)
CALIBRATION_END = dt.date(2014, 3, 31)
CALIBRATION_MONTHS = 23  # May 2012 - March 2014

# The 2014 evaluation's figures for May 2012 - March 2014.
CAL_REGISTRATIONS = 429
CAL_PHONE_CONTACTS = 2_500
CAL_EMAIL_CONTACTS = 400
CAL_WEB_CONTACTS = 100
CAL_SURVEYS = 16
CAL_SURVEYS_7_PLUS = 14
CAL_VISITS = 13_973
CAL_RETURNING_VISITS = 2_601  # 11,372 new

CHUNK_REGISTRATIONS = 20_000  # registrations generated at a time (with their contacts, sessions, ...)
INSERT_ROWS = 25_000          # rows per executemany

# Tables the demo owns, children first (the FK-safe delete order); units are updated in place.
DEMO_TABLES = (Survey, Session, RegistrationQuestion, Contact, Registration, WebsiteVisits, ImportBatch)

# code, headcount, roll-out month. Noord-Nederland first; Amsterdam and Zeeland-West-Brabant last.
UNIT_SETUP = {
    "NN": (4_300, dt.date(2012, 5, 1)),
    "ON": (6_600, dt.date(2013, 9, 1)),
    "MN": (3_900, dt.date(2012, 6, 1)),
    "NH": (3_700, dt.date(2012, 11, 1)),
    "AM": (5_900, dt.date(2013, 11, 1)),
    "DH": (5_200, dt.date(2013, 3, 1)),
    "RT": (6_000, dt.date(2013, 4, 1)),
    "ZWB": (4_600, dt.date(2013, 11, 1)),
    "OB": (3_600, dt.date(2013, 2, 1)),
    "LB": (3_700, dt.date(2012, 9, 1)),
    "LE": (5_000, dt.date(2013, 5, 1)),
    "PDC": (9_000, dt.date(2013, 6, 1)),
    "PA": (1_500, dt.date(2013, 1, 1)),
    "UNK": (None, None),
}
# Share of registrations per unit over the calibration period (the evaluation: 15% Noord-Nederland,
# 3% Oost-Nederland; the rest is a plausible spread given the roll-out).
UNIT_CAL_SHARE = {
    "NN": 15.0, "ON": 3.0, "MN": 10.0, "NH": 8.0, "AM": 4.0, "DH": 9.0, "RT": 9.0, "ZWB": 3.5,
    "OB": 7.0, "LB": 8.0, "LE": 6.0, "PDC": 8.5, "PA": 4.0, "UNK": 5.0,
}
# Long-run propensity relative to headcount (Noord-Nederland stays the best-known, Oost-Nederland
# catches up only partly).
UNIT_LONG_RUN = {"NN": 1.5, "ON": 0.7, "PA": 1.3, "PDC": 0.7}

TG = codes.TARGET_GROUPS.values
TG_P_2014 = np.array([0.71, 0.10, 0.08, 0.06, 0.05, 0.003, 0.003, 0.002])
TG_P_2024 = np.array([0.66, 0.13, 0.08, 0.08, 0.04, 0.004, 0.004, 0.002])

PRODUCTS = codes.PRODUCTS.values
PRODUCT_P = np.array([0.40, 0.35, 0.18, 0.03, 0.015, 0.015, 0.01])
INFO, SHORT, PROCESS, CRISIS, TIME_OUT, CASE_MAN, SUPPL = range(7)

QUESTIONS = codes.QUESTION_TYPES.values
QUESTION_W = np.array([0.18, 0.12, 0.10, 0.09, 0.07, 0.08, 0.04, 0.12, 0.10, 0.10])
# Number of question types (1-4) per product: multi-problem is common, most in process guidance.
N_QUESTIONS_P = np.array([
    [0.60, 0.28, 0.10, 0.02],
    [0.45, 0.35, 0.15, 0.05],
    [0.20, 0.40, 0.28, 0.12],
    [0.45, 0.33, 0.16, 0.06],
    [0.45, 0.33, 0.16, 0.06],
    [0.30, 0.35, 0.25, 0.10],
    [0.60, 0.30, 0.08, 0.02],
])

GENDERS = codes.GENDERS.values
AGE_BANDS = codes.AGE_BANDS.values
CHANNELS = codes.CHANNELS.values
FOUND_VIA = codes.FOUND_VIA.values
REASONS = codes.ANONYMITY_REASONS.values
REFERRALS = codes.REFERRAL_OUTCOMES.values
WORK = codes.WORK_STATUSES.values
MODES = codes.SESSION_MODES.values
GOALS = codes.GOALS_REACHED.values
UNIT_CODES = codes.UNITS.values
UNK = UNIT_CODES.index(codes.UNKNOWN_UNIT)

GRADE_P = np.array([0.005, 0.005, 0.01, 0.02, 0.035, 0.055, 0.20, 0.36, 0.22, 0.09])

# Contact hours: weekday and weekend weights per hour 0-23 (24/7 opening is used: evenings,
# nights and weekends together are about 40% of contacts).
HOUR_W_WEEKDAY = np.array([
    1.2, 0.9, 0.7, 0.6, 0.5, 0.6, 1.0, 1.8, 3.2,
    9.0, 10.0, 9.8, 8.9, 8.4, 9.1, 8.9, 8.2,
    4.2, 3.2, 3.4, 3.6, 3.2, 2.4, 1.7,
])
HOUR_W_WEEKEND = np.array([
    1.6, 1.2, 0.9, 0.7, 0.6, 0.6, 0.8, 1.2, 1.8,
    2.6, 3.2, 3.4, 3.2, 3.0, 3.0, 3.0, 3.0,
    3.0, 2.8, 3.2, 3.6, 3.4, 2.8, 2.2,
])
WEEKEND_DAY_W = 0.45     # contacts on a Saturday or Sunday relative to a weekday
REG_WEEKEND_DAY_W = 0.35  # registrations likewise


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` wrote."""

    registrations: int
    contacts: int
    sessions: int
    surveys: int
    website_months: int
    question_types: int = 0
    first_month: dt.date | None = None
    last_month: dt.date | None = None

    @property
    def rows(self) -> int:
        """Return the number of data rows written (units excluded)."""
        return (self.registrations + self.contacts + self.sessions + self.surveys
                + self.website_months + self.question_types)

    def __str__(self) -> str:
        period = ""
        if self.first_month and self.last_month:
            period = f" ({self.first_month:%Y-%m} to {self.last_month:%Y-%m})"
        return (f"{self.registrations:,} registrations, {self.contacts:,} contacts, "
                f"{self.sessions:,} sessions, {self.surveys:,} survey responses, "
                f"{self.website_months:,} month{'s' if self.website_months != 1 else ''} of website visits{period}")


# --------------------------------------------------------------------------------------------
# small numpy helpers

_EPOCH = dt.date(1970, 1, 1)


def _day(d: dt.date) -> int:
    return (d - _EPOCH).days


def _weekday(days: np.ndarray) -> np.ndarray:
    """Monday=0 for day numbers since 1970-01-01 (a Thursday)."""
    return (days + 3) % 7


def _round_total(rng, x: np.ndarray, total: int | None = None) -> np.ndarray:
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


def _quota(rng, n: int, p: np.ndarray) -> np.ndarray:
    """Return n category indices whose counts follow p as closely as integers allow, shuffled."""
    counts = _round_total(rng, p, n)
    out = np.repeat(np.arange(len(p)), counts)
    rng.shuffle(out)
    return out


def _choice_rows(rng, p_rows: np.ndarray) -> np.ndarray:
    """Draw one category per row from a (rows x categories) probability matrix."""
    cum = np.cumsum(p_rows, axis=1)
    u = rng.random(len(p_rows)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), p_rows.shape[1] - 1)


def _choice(rng, n: int, p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _between(rng, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Uniform integers in [lo, hi] per element."""
    return lo + np.floor(rng.random(len(lo)) * (hi - lo + 1)).astype(np.int64)


def _days_in_month(month: np.datetime64) -> np.ndarray:
    first = month.astype("datetime64[D]").astype(np.int64)
    last = (month + 1).astype("datetime64[D]").astype(np.int64)
    return np.arange(first, last)


def _draw_days(rng, month: np.datetime64, n: int, weekend_w: float) -> np.ndarray:
    days = _days_in_month(month)
    w = np.where(_weekday(days) >= 5, weekend_w, 1.0)
    return rng.choice(days, size=n, p=w / w.sum())


def _draw_seconds(rng, days: np.ndarray) -> np.ndarray:
    """Timestamps (seconds since epoch) on the given days, at plausible hours for a 24/7 desk."""
    weekend = _weekday(days) >= 5
    hours = np.empty(len(days), dtype=np.int64)
    for mask, w in ((~weekend, HOUR_W_WEEKDAY), (weekend, HOUR_W_WEEKEND)):
        k = int(mask.sum())
        if k:
            hours[mask] = rng.choice(24, size=k, p=w / w.sum())
    return days * 86_400 + hours * 3_600 + rng.integers(0, 3_600, size=len(days))


# --------------------------------------------------------------------------------------------
# the timeline


@dataclass
class _Plan:
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


def _season(month_numbers: np.ndarray) -> np.ndarray:
    s = 1 + 0.08 * np.cos(2 * np.pi * (month_numbers - 1) / 12)
    s = s - 0.12 * np.isin(month_numbers, (7, 8)) - 0.05 * (month_numbers == 12)
    return s


def _active(months: np.ndarray) -> np.ndarray:
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
    coverage = (_active(months) * heads).sum(axis=1) / heads.sum()
    month_numbers = months.astype(int) % 12 + 1
    ramp = (0.2 + 0.8 * coverage) * (1 + 0.025 * np.minimum(m, CALIBRATION_MONTHS - 1))
    years = (m - CALIBRATION_MONTHS) / 12
    growth = np.where(years > 0, 1.035 ** np.maximum(years, 0), 1.0)
    # A bump in help-seeking during the pandemic years and a small year-level noise.
    covid = np.where((months >= np.datetime64("2020-04")) & (months <= np.datetime64("2021-12")), 1.12, 1.0)
    year_idx = months.astype("datetime64[Y]").astype(int) - 42  # 2012 -> 0
    year_noise = np.exp(rng.normal(0, 0.05, size=year_idx.max() + 1))[year_idx]
    year_noise[:CALIBRATION_MONTHS] = 1.0
    return ramp * growth * covid * year_noise * _season(month_numbers)


def _unit_probabilities(months: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per-month unit probabilities: fitted to the calibration shares, then towards headcount."""
    active = _active(months).astype(float)
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


def _plan(rng, until: dt.date, registrations: int | None) -> _Plan:
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
        counts[:n_cal] = _round_total(rng, w[:n_cal], cal_total)
        per_weight = CAL_REGISTRATIONS / full_cal.sum()
        counts[n_cal:] = rng.poisson(per_weight * w[n_cal:])
    else:
        if registrations < 0:
            raise ValueError("registrations must be >= 0")
        counts = _round_total(rng, w, registrations)
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
    return _Plan(months, counts, _unit_probabilities(months, w), tg_p, years,
                 registrations is None, data_end, counsellors, contact_ratio)


def _chunks(plan: _Plan) -> list[tuple[int, int]]:
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


# --------------------------------------------------------------------------------------------
# generation of one chunk


@dataclass
class _Ids:
    registration: int = 0
    contact: int = 0
    session: int = 0
    survey: int = 0


def _registrations(rng, plan: _Plan, a: int, b: int, ids: _Ids) -> dict:
    months = plan.months
    parts = {"reg": [], "month": [], "tg": [], "unit": [], "product": []}
    for m in range(a, b):
        n = int(plan.counts[m])
        if n == 0:
            continue
        parts["reg"].append(np.sort(_draw_days(rng, months[m], n, REG_WEEKEND_DAY_W)))
        parts["month"].append(np.full(n, m))
        parts["tg"].append(_quota(rng, n, plan.tg_p[m]))
        parts["unit"].append(_quota(rng, n, plan.unit_p[m]))
        parts["product"].append(_quota(rng, n, PRODUCT_P))
    if not parts["reg"]:
        return {}
    r = {k: np.concatenate(v) for k, v in parts.items()}
    n = len(r["reg"])
    r["id"] = ids.registration + 1 + np.arange(n)
    ids.registration += n
    years = plan.years[r["month"]]
    tg, product, unit = r["tg"], r["product"], r["unit"]
    family = tg == TG.index("family")
    former = tg == TG.index("former_staff")
    trainee = tg == TG.index("trainee")
    manager = tg == TG.index("manager")

    # gender: police staff roughly 60/40; partners and family mostly women
    gp = np.tile([0.58, 0.40, 0.02], (n, 1))
    gp[family] = [0.22, 0.76, 0.02]
    gp[manager] = [0.70, 0.29, 0.01]
    r["gender"] = _choice_rows(rng, gp)
    # age band by target group
    ap = np.tile([0.03, 0.22, 0.30, 0.30, 0.15, 0.00], (n, 1))
    ap[former] = [0.00, 0.03, 0.12, 0.20, 0.40, 0.25]
    ap[trainee] = [0.70, 0.28, 0.02, 0.00, 0.00, 0.00]
    ap[manager] = [0.00, 0.05, 0.30, 0.45, 0.20, 0.00]
    ap[family] = [0.15, 0.20, 0.25, 0.25, 0.10, 0.05]
    r["age"] = _choice_rows(rng, ap)
    # channel: mostly phone; e-mail and web grow
    tw = np.clip(years / 10, 0, 1)
    cp = np.stack([0.85 - 0.12 * tw, 0.12 + 0.02 * tw, 0.03 + 0.10 * tw], axis=1)
    r["channel"] = _choice_rows(rng, cp)
    fp = np.tile([0.22, 0.15, 0.18, 0.14, 0.11, 0.10, 0.06, 0.04], (n, 1))
    fp[:, FOUND_VIA.index("website")] += 0.10 * tw
    fp[:, FOUND_VIA.index("intranet")] -= 0.05 * tw
    r["found"] = _choice_rows(rng, fp)
    # anonymity towards the unit's care line
    anon_p = np.where(unit == UNK, 0.70, np.where(family, 0.15, 0.29))
    r["anon"] = rng.random(n) < anon_p
    reason = _choice(rng, n, [0.35, 0.25, 0.20, 0.12, 0.08])
    r["reason"] = np.where(r["anon"], reason, -1)

    # intake: crisis at once, otherwise about a week with a tail past 14 days
    reg = r["reg"]
    busy = np.where((years >= 6.75) & (years < 8.75), 1.25, 1.0)  # 2021-2022 capacity crunch
    wait = np.rint(np.exp(rng.normal(math.log(7.6), 0.75, n)) * busy).astype(np.int64)
    wait = np.where(product == CRISIS, rng.integers(0, 2, n), wait)
    wait = np.where(product == TIME_OUT, np.rint(np.exp(rng.normal(math.log(5.0), 0.5, n))), wait)
    wait = wait.astype(np.int64)
    no_intake = np.where(product == INFO, rng.random(n) < 0.25, rng.random(n) < 0.02)
    intake = np.where(no_intake, -1, reg + wait)

    # planned sessions per product
    u = rng.random(n)
    planned = np.select(
        [product == INFO, product == SHORT, product == PROCESS, product == CRISIS,
         product == TIME_OUT, product == CASE_MAN],
        [1 + (u < 0.3),
         1 + _choice(rng, n, [0.05, 0.12, 0.20, 0.25, 0.23, 0.15]),
         np.clip(np.rint(np.exp(rng.normal(math.log(15.5), 0.42, n))), 5, 30),
         rng.integers(1, 5, n), rng.integers(2, 5, n), rng.integers(3, 13, n)],
        rng.integers(4, 9, n),
    ).astype(np.int64)
    dropout = no_intake & (product != INFO)
    planned[dropout] = 0
    first_session = np.where(no_intake, reg, intake)

    # sessions, vectorised: one row per planned session
    total = int(planned.sum())
    owner = np.repeat(np.arange(n), planned)
    starts = np.cumsum(planned) - planned
    seq = np.arange(total) - np.repeat(starts, planned)  # 0-based within the registration
    p_s = product[owner]
    gap_lo = np.array([1, 5, 7, 0, 1, 10, 7])[p_s]
    gap_hi = np.array([10, 16, 24, 3, 1, 30, 14])[p_s]
    gap = np.where(seq == 0, 0, _between(rng, gap_lo, gap_hi))
    cum = np.cumsum(gap)
    cum = cum - cum[np.repeat(starts, planned)]
    held = first_session[owner] + cum
    last_session = np.where(planned > 0, first_session, reg)
    has = planned > 0
    last_session[has] = held[starts[has] + planned[has] - 1]

    lag_lo = np.where(dropout, 21, np.where(product == CRISIS, 3, np.where(product == INFO, 14, 7)))
    lag_hi = np.where(dropout, 60, np.where(product == CRISIS, 21, 45))
    closed = last_session + _between(rng, lag_lo, lag_hi)

    # what is known at the end of the data: later dates do not exist yet
    end = plan.data_end
    intake = np.where(intake > end, -1, intake)
    closed = np.where(closed > end, -1, closed)
    is_closed = closed >= 0
    keep = held <= end
    held_count = np.bincount(owner[keep], minlength=n)

    # counsellors: a primary one per registration, rarely a change
    pool = plan.counsellors[r["month"]]
    primary = np.floor(rng.random(n) * pool).astype(np.int64)
    offset = 1 + np.floor(rng.random(n) * np.maximum(pool - 1, 1)).astype(np.int64)
    changes = _choice(rng, n, [0.85, 0.12, 0.03])
    changes = np.minimum(changes, np.maximum(planned - 1, 0))
    change_no = (seq * (changes[owner] + 1)) // np.maximum(planned[owner], 1)
    counsellor = (primary[owner] + change_no * offset[owner]) % pool[owner]
    last_held_change = np.zeros(n, dtype=np.int64)
    hc = held_count > 0
    last_held_change[hc] = change_no[starts[hc] + held_count[hc] - 1]
    r["changes"] = last_held_change

    # evaluation moments every 5-8 sessions in process guidance and case management, not always
    evaluating = np.isin(product, (PROCESS, CASE_MAN)) & (rng.random(n) < 0.75)
    interval = rng.integers(5, 9, n)
    evaluation = (evaluating[owner] & ((seq + 1) % interval[owner] == 0)
                  & (rng.random(total) > 0.12))
    # mode: information and advice by phone; video calls since the pandemic
    covid_on = held >= _day(dt.date(2020, 3, 15))
    mp = np.tile([0.78, 0.19, 0.03], (total, 1))
    mp[covid_on] = [0.52, 0.23, 0.25]
    mp[p_s == INFO] = [0.0, 0.97, 0.03]
    mode = _choice_rows(rng, mp)

    # TCL screening at intake; above cut-off more often with trauma
    r["questions"] = _questions(rng, product)
    ptsd = np.zeros(n, dtype=bool)
    q_owner, q_type = r["questions"]
    ptsd[q_owner[q_type == QUESTIONS.index("ptsd_trauma")]] = True
    tcl_done = (intake >= 0) & (rng.random(n) < 0.67)
    above = rng.random(n) < 0.22 + 0.38 * ptsd
    r["tcl_done"] = tcl_done
    r["tcl_above"] = np.where(tcl_done, above.astype(np.int8), -1)

    r["referral"] = _referrals(rng, is_closed, product, unit, tg, r["anon"], above & tcl_done)
    wp = np.tile([0.66, 0.17, 0.14, 0.03], (n, 1))
    wp[family | former | (tg >= TG.index("volunteer"))] = [0.06, 0.03, 0.03, 0.88]
    r["work"] = np.where(is_closed, _choice_rows(rng, wp), -1)

    r.update(intake=intake, closed=closed, sessions_count=held_count)
    r["sessions"] = {
        "registration_id": r["id"][owner[keep]],
        "held_on": held[keep],
        "mode": mode[keep],
        "counsellor": counsellor[keep],
        "evaluation_moment": evaluation[keep],
    }
    return r


def _questions(rng, product: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-4 distinct question types per registration (Gumbel top-k), as (row, type) pairs."""
    n = len(product)
    k = 1 + _choice_rows(rng, N_QUESTIONS_P[product])
    w = np.tile(QUESTION_W, (n, 1))
    w[product == CRISIS, QUESTIONS.index("suicidal")] *= 6
    w[product == PROCESS, QUESTIONS.index("ptsd_trauma")] *= 1.5
    keys = np.log(w) - np.log(-np.log(rng.random((n, len(QUESTION_W)))))
    order = np.argsort(-keys, axis=1)
    take = np.arange(len(QUESTION_W))[None, :] < k[:, None]
    rows = np.repeat(np.arange(n), k)
    types = order[take]
    return rows, types


def _referrals(rng, is_closed, product, unit, tg, anon, tcl_above) -> np.ndarray:
    """Referral outcome of closed registrations: 25% back to the unit, 30% external, rest none."""
    n = len(product)
    out = np.full(n, -1)
    idx = np.flatnonzero(is_closed)
    c = len(idx)
    if c == 0:
        return out
    n_unit, n_ext = _round_total(rng, np.array([0.25, 0.30, 0.45]), c)[:2]
    # Back to the unit rarely for those who want anonymity, an unknown unit, family or former staff.
    score = (rng.random(c) - 0.7 * anon[idx] - 0.6 * (unit[idx] == UNK)
             - 0.3 * np.isin(tg[idx], (TG.index("family"), TG.index("former_staff"))))
    order = np.argsort(-score, kind="stable")
    to_unit = idx[order[:n_unit]]
    rest = idx[order[n_unit:]]
    score2 = (rng.random(len(rest)) + 0.35 * np.isin(product[rest], (PROCESS, CRISIS, CASE_MAN))
              + 0.3 * tcl_above[rest])
    to_ext = rest[np.argsort(-score2, kind="stable")[:n_ext]]
    out[idx] = REFERRALS.index("none_needed")
    out[to_unit] = REFERRALS.index("back_to_unit")
    ep = np.tile([0.27, 0.40, 0.08, 0.25], (len(to_ext), 1))
    ep[product[to_ext] == CRISIS] = [0.10, 0.25, 0.50, 0.15]
    ext_codes = np.array([REFERRALS.index(c) for c in
                          ("external_gp", "external_mental_health", "external_crisis",
                           "external_police_clinic")])
    out[to_ext] = ext_codes[_choice_rows(rng, ep)]
    return out


def _surveys(rng, plan: _Plan, r: dict, calibration_chunk: bool, ids: _Ids) -> dict:
    closed = r["closed"]
    idx = np.flatnonzero(closed >= 0)
    cal_end = _day(CALIBRATION_END)
    years = plan.years[r["month"][idx]]
    # Response rate: about 4.5% in 2012-2014, improving to about 30%.
    rate = 0.045 + (0.30 - 0.045) * np.clip(years / 7, 0, 1)
    respond = rng.random(len(idx)) < rate
    delay = 1 + np.minimum(rng.geometric(0.1, len(idx)), 60)
    answered = closed[idx] + delay
    grade = 1 + _choice(rng, len(idx), GRADE_P)
    if calibration_chunk:
        # Exactly the evaluation's 16 responses (14 graded 7 or higher) up to March 2014; a store
        # ending inside that period gets its share.
        scale = len(closed) / CAL_REGISTRATIONS
        n_pick = round(CAL_SURVEYS * scale)
        n_high = round(n_pick * CAL_SURVEYS_7_PLUS / CAL_SURVEYS)
        last = min(cal_end, plan.data_end)
        early = closed[idx] <= last - 14
        respond[:] = False
        pick = rng.choice(np.flatnonzero(early), size=min(n_pick, int(early.sum())), replace=False)
        respond[pick] = True
        room = last - closed[idx][pick]
        answered[pick] = closed[idx][pick] + 1 + np.floor(rng.random(len(pick)) * np.minimum(room, 30)).astype(np.int64)
        high = 7 + _choice(rng, len(pick), GRADE_P[6:])
        low = 1 + _choice(rng, len(pick), GRADE_P[:6])
        grade[pick] = np.where(np.arange(len(pick)) < n_high, high, low)
        late = ~early
        respond[late] = rng.random(int(late.sum())) < rate[late]
        answered[late] = np.maximum(answered[late], cal_end + 1)
    respond &= answered <= plan.data_end
    idx, answered, grade = idx[respond], answered[respond], grade[respond]
    order = np.argsort(answered, kind="stable")
    idx, answered, grade = idx[order], answered[order], grade[order]
    k = len(idx)
    gp = np.where((grade >= 8)[:, None], [0.70, 0.27, 0.03],
                  np.where((grade == 7)[:, None], [0.45, 0.45, 0.10], [0.10, 0.40, 0.50]))
    goals = _choice_rows(rng, gp)
    expectations = rng.random(k) < np.where(grade >= 7, 0.9, 0.3)
    work = r["work"][idx]
    working = np.isin(work, (WORK.index("working"), WORK.index("partly")))
    resumed = np.where(work == WORK.index("not_applicable"), -1,
                       (rng.random(k) < np.where(working, 0.95, 0.15)).astype(np.int8))

    def rating(shift):
        v = np.clip(np.rint(grade + shift + rng.normal(0, 1, k)), 1, 10).astype(np.int64)
        return np.where(rng.random(k) < 0.05, -1, v)

    found = np.where(rng.random(k) < 0.9, r["found"][idx], -1)
    sid = ids.survey + 1 + np.arange(k)
    ids.survey += k
    return {
        "id": sid, "registration_id": r["id"][idx], "answered_on": answered, "grade": grade,
        "goals_reached": goals, "expectations_met": expectations, "work_resumed": resumed,
        "rating_reachability": rating(0.6), "rating_waiting_time": rating(-0.8),
        "rating_expertise": rating(0.3), "rating_treatment": rating(0.4), "found_via": found,
    }


def _contacts(rng, plan: _Plan, r: dict, a: int, b: int, calibration_chunk: bool, ids: _Ids) -> dict:
    """The registration contact of each registration plus the other calls, e-mails and web contacts."""
    n = len(r["reg"])
    per_month = np.bincount(r["month"] - a, minlength=b - a)
    if calibration_chunk:
        reg_channel = np.bincount(r["channel"], minlength=3)
        totals = np.array([CAL_PHONE_CONTACTS, CAL_EMAIL_CONTACTS, CAL_WEB_CONTACTS])
        scale = plan.counts[a:b].sum() / CAL_REGISTRATIONS  # < 1 if the store ends early
        others = np.maximum(np.rint(totals * scale).astype(np.int64) - reg_channel, 0)
        other_counts = np.stack([_round_total(rng, per_month, int(o)) for o in others], axis=1)
    else:
        other_counts = np.stack([
            _round_total(rng, per_month * plan.contact_ratio[a:b, c])
            for c in range(3)], axis=1)
    days, months, channel = [r["reg"]], [r["month"]], [r["channel"]]
    for j, m in enumerate(range(a, b)):
        k = int(other_counts[j].sum())
        if k:
            days.append(_draw_days(rng, plan.months[m], k, WEEKEND_DAY_W))
            months.append(np.full(k, m))
            channel.append(np.repeat(np.arange(3), other_counts[j]))
    days, months, channel = map(np.concatenate, (days, months, channel))
    total = len(days)
    ts = _draw_seconds(rng, days)
    led = np.zeros(total, dtype=bool)
    led[:n] = True
    unit = np.full(total, -1)
    # registration contacts: the unit is recorded when the client gave it, most of the time
    reg_unit = r["unit"]
    unit[:n] = np.where((reg_unit != UNK) & (rng.random(n) < 0.72), reg_unit, -1)
    # other contacts: unit recorded for about 60%, from that month's units
    other = slice(n, total)
    up = plan.unit_p[months[other]].copy()
    up[:, UNK] = 0
    known = rng.random(total - n) < 0.60
    unit[other] = np.where(known, _choice_rows(rng, up), -1)
    tg = np.full(total, -1)
    tg[:n] = r["tg"]
    tg[other] = np.where(rng.random(total - n) < 0.6, _choice_rows(rng, plan.tg_p[months[other]]), -1)
    order = np.argsort(ts, kind="stable")
    cid = ids.contact + 1 + np.arange(total)
    ids.contact += total
    return {"id": cid, "contacted_at": ts[order], "channel": channel[order], "unit_code": unit[order],
            "target_group": tg[order], "led_to_registration": led[order]}


# --------------------------------------------------------------------------------------------
# writing


class _Writer:
    """Inserts column arrays in the caller's transaction: raw executemany on SQLite, binary COPY on
    PostgreSQL through psycopg 3, Core insert() executemany elsewhere.

    COPY is given the same Python values the Core path would be (dates as date, timestamps as
    datetime, bools, None), dumped by psycopg in the binary format of the table's own column types.
    """

    use_copy = True  # False: Core insert() on PostgreSQL too (the older, slower path; benchmarks)

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.copy = (self.use_copy and conn.dialect.name == "postgresql"
                     and conn.dialect.driver == "psycopg")
        self._oids: dict[str, dict[str, int]] = {}  # table -> column -> type oid, for binary COPY

    def _date(self, days: np.ndarray) -> list:
        null = days < 0
        d = days.astype("datetime64[D]")
        if self.sqlite:
            out = np.datetime_as_string(d, unit="D").astype(object)
        else:
            out = d.astype(object)
        out[null] = None
        return out.tolist()

    def _timestamp(self, seconds: np.ndarray) -> list:
        t = seconds.astype("datetime64[s]").astype("datetime64[us]")
        if self.sqlite:
            return np.strings.replace(np.datetime_as_string(t, unit="us"), "T", " ").tolist()
        return t.astype(object).tolist()

    @staticmethod
    def _code(values: list[str], idx: np.ndarray) -> list:
        table = np.array(list(values) + [None], dtype=object)
        return table[idx].tolist()  # -1 -> None

    @staticmethod
    def _nullable(values: np.ndarray, as_bool: bool = False) -> list:
        out = (values.astype(bool) if as_bool else values).astype(object)
        out[values < 0] = None
        return out.tolist()

    def insert(self, table: sa.Table, columns: dict[str, Callable[[slice], list]], n: int) -> None:
        names = list(columns)
        for start in range(0, n, INSERT_ROWS):
            s = slice(start, min(n, start + INSERT_ROWS))
            cols = [columns[c](s) for c in names]
            if self.sqlite:
                q = self.conn.dialect.identifier_preparer.quote
                sql = (f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in names)}) "
                       f"VALUES ({', '.join('?' * len(names))})")
                self.conn.exec_driver_sql(sql, list(zip(*cols)))
            elif self.copy:
                self._copy(table, names, cols)
            else:
                self.conn.execute(table.insert(), [dict(zip(names, row)) for row in zip(*cols)])

    def _copy(self, table: sa.Table, names: list[str], cols: list[list]) -> None:
        """COPY ... FROM STDIN (FORMAT BINARY) on the psycopg connection of our transaction."""
        q = self.conn.dialect.identifier_preparer.quote
        sql = f"COPY {q(table.name)} ({', '.join(q(c) for c in names)}) FROM STDIN (FORMAT BINARY)"
        with self.conn.connection.driver_connection.cursor() as cur:
            oids = self._oids.get(table.name)
            if oids is None:  # binary COPY must send each column in the type the database has
                cur.execute("SELECT attname, atttypid::int FROM pg_attribute "
                            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                            (q(table.name),))
                oids = self._oids[table.name] = dict(cur.fetchall())
            with cur.copy(sql) as copy:
                copy.set_types([oids[c] for c in names])
                for row in zip(*cols):
                    copy.write_row(row)


def _source_ids(prefix: str, ids: np.ndarray) -> list[str]:
    return [f"{prefix}{i:07d}" for i in ids.tolist()]


def _write_chunk(w: _Writer, r: dict, contacts: dict, surveys: dict) -> tuple[int, int, int, int, int]:
    n = len(r["id"])
    w.insert(Registration.__table__, {
        "id": lambda s: r["id"][s].tolist(),
        "source_id": lambda s: _source_ids("R", r["id"][s]),
        "registered_on": lambda s: w._date(r["reg"][s]),
        "target_group": lambda s: w._code(TG, r["tg"][s]),
        "unit_code": lambda s: w._code(UNIT_CODES, r["unit"][s]),
        "gender": lambda s: w._code(GENDERS, r["gender"][s]),
        "age_band": lambda s: w._code(AGE_BANDS, r["age"][s]),
        "channel": lambda s: w._code(CHANNELS, r["channel"][s]),
        "found_via": lambda s: w._code(FOUND_VIA, r["found"][s]),
        "anonymity_wish": lambda s: r["anon"][s].tolist(),
        "anonymity_reason": lambda s: w._code(REASONS, r["reason"][s]),
        "product": lambda s: w._code(PRODUCTS, r["product"][s]),
        "first_intake_on": lambda s: w._date(r["intake"][s]),
        "closed_on": lambda s: w._date(r["closed"][s]),
        "sessions_count": lambda s: r["sessions_count"][s].tolist(),
        "counsellor_changes": lambda s: r["changes"][s].tolist(),
        "tcl_done": lambda s: r["tcl_done"][s].tolist(),
        "tcl_above_cutoff": lambda s: w._nullable(r["tcl_above"][s], as_bool=True),
        "referral_outcome": lambda s: w._code(REFERRALS, r["referral"][s]),
        "work_status": lambda s: w._code(WORK, r["work"][s]),
    }, n)
    q_rows, q_types = r["questions"]
    q_ids = r["id"][q_rows]
    w.insert(RegistrationQuestion.__table__, {
        "registration_id": lambda s: q_ids[s].tolist(),
        "question_type": lambda s: w._code(QUESTIONS, q_types[s]),
    }, len(q_rows))
    ss = r["sessions"]
    n_s = len(ss["held_on"])
    s_ids = r["session_id0"] + 1 + np.arange(n_s)
    w.insert(Session.__table__, {
        "id": lambda s: s_ids[s].tolist(),
        "source_id": lambda s: _source_ids("S", s_ids[s]),
        "registration_id": lambda s: ss["registration_id"][s].tolist(),
        "held_on": lambda s: w._date(ss["held_on"][s]),
        "mode": lambda s: w._code(MODES, ss["mode"][s]),
        "counsellor_id": lambda s: [f"C{i + 1:03d}" for i in ss["counsellor"][s].tolist()],
        "evaluation_moment": lambda s: ss["evaluation_moment"][s].tolist(),
    }, n_s)
    c = contacts
    n_c = len(c["id"])
    w.insert(Contact.__table__, {
        "id": lambda s: c["id"][s].tolist(),
        "source_id": lambda s: _source_ids("C", c["id"][s]),
        "contacted_at": lambda s: w._timestamp(c["contacted_at"][s]),
        "channel": lambda s: w._code(CHANNELS, c["channel"][s]),
        "unit_code": lambda s: w._code(UNIT_CODES, c["unit_code"][s]),
        "target_group": lambda s: w._code(TG, c["target_group"][s]),
        "led_to_registration": lambda s: c["led_to_registration"][s].tolist(),
    }, n_c)
    v = surveys
    n_v = len(v["id"])
    w.insert(Survey.__table__, {
        "id": lambda s: v["id"][s].tolist(),
        "source_id": lambda s: _source_ids("Q", v["id"][s]),
        "registration_id": lambda s: v["registration_id"][s].tolist(),
        "answered_on": lambda s: w._date(v["answered_on"][s]),
        "grade": lambda s: v["grade"][s].tolist(),
        "goals_reached": lambda s: w._code(GOALS, v["goals_reached"][s]),
        "expectations_met": lambda s: v["expectations_met"][s].tolist(),
        "work_resumed": lambda s: w._nullable(v["work_resumed"][s], as_bool=True),
        **{col: (lambda s, col=col: w._nullable(v[col][s]))
           for col in ("rating_reachability", "rating_waiting_time", "rating_expertise",
                       "rating_treatment")},
        "found_via": lambda s: w._code(FOUND_VIA, v["found_via"][s]),
    }, n_v)
    return n, n_c, n_s, n_v, len(q_rows)


def _website(rng, plan: _Plan) -> dict:
    """Monthly visits of Blauwe Veerkracht; the calibration period sums to the evaluation's figures."""
    months = plan.months
    n = len(months)
    m = np.arange(n)
    heads = np.array([UNIT_SETUP[u][0] or 0 for u in UNIT_CODES], dtype=float)
    coverage = (_active(months) * heads).sum(axis=1) / heads.sum()
    years = plan.years
    w = ((0.5 + 0.5 * coverage) * np.where(years > 0, 1.11 ** np.maximum(years, 0), 1.0)
         * _season(months.astype(int) % 12 + 1) * np.exp(rng.normal(0, 0.08, n)))
    ret_share = np.where(m < CALIBRATION_MONTHS, 0.12 + 0.12 * m / (CALIBRATION_MONTHS - 1),
                         0.24 + 0.08 * np.clip(years / 10, 0, 1))
    full_cal = CALIBRATION_MONTHS
    per_weight = CAL_VISITS / w[:full_cal].sum() if n >= full_cal else None
    n_cal = min(full_cal, n)
    visits = np.zeros(n, dtype=np.int64)
    returning = np.zeros(n, dtype=np.int64)
    if per_weight is not None:
        visits[:n_cal] = _round_total(rng, w[:n_cal], CAL_VISITS)
        returning[:n_cal] = _round_total(rng, visits[:n_cal] * ret_share[:n_cal], CAL_RETURNING_VISITS)
        visits[n_cal:] = np.rint(per_weight * w[n_cal:])
    else:  # a store ending inside the calibration period: the same level, unrounded totals
        visits[:] = np.rint(CAL_VISITS / CALIBRATION_MONTHS * w / w.mean())
        returning[:n_cal] = np.rint(visits[:n_cal] * ret_share[:n_cal])
    returning[n_cal:] = np.rint(visits[n_cal:] * ret_share[n_cal:])
    returning = np.minimum(returning, visits)
    return {"month": months.astype("datetime64[D]").astype(np.int64), "visits": visits,
            "new_visits": visits - returning, "returning_visits": returning}


def _replace_units(conn: sa.Connection) -> None:
    """Put the code list's units in place, updating rows other tables may still reference."""
    units = Unit.__table__
    existing = set(conn.execute(sa.select(units.c.code)).scalars())
    wanted = list(UNIT_CODES)
    extra = existing - set(wanted)
    if extra:
        conn.execute(units.delete().where(units.c.code.in_(extra)))
    for code in wanted:
        headcount, rollout = UNIT_SETUP[code]
        values = dict(name_nl=codes.UNITS.label(code, "nl"), name_en=codes.UNITS.label(code, "en"),
                      headcount=headcount, rollout_on=rollout)
        if code in existing:
            conn.execute(units.update().where(units.c.code == code).values(**values))
        else:
            conn.execute(units.insert().values(code=code, **values))


def _reset_sequences(conn: sa.Connection) -> None:
    """On PostgreSQL, move id sequences past the explicit ids the demo inserted."""
    if conn.dialect.name != "postgresql":
        return
    for model in DEMO_TABLES:
        table = model.__table__
        col = table.autoincrement_column
        if col is None:
            continue
        conn.execute(
            sa.text("SELECT setval(pg_get_serial_sequence(:t, :c), "
                    f"COALESCE((SELECT MAX({col.name}) FROM {table.name}), 0) + 1, false)"),
            {"t": table.name, "c": col.name},
        )


# --------------------------------------------------------------------------------------------


def load_demo(engine: sa.Engine, *, seed: int = 2014, registrations: int | None = None,
              until: dt.date | None = None,
              progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Replace the store's data with deterministic demo data and return what was written.

    Data runs from May 2012 to the last complete month before `until` (default: today).
    `registrations=None` gives the calibrated history (429 registrations up to March 2014, then
    growth); an integer spreads that many registrations over the same timeline with the same
    shapes. `progress(done, total)` is called after every batch.
    """
    until = until or dt.date.today()
    root = np.random.default_rng(seed)
    plan_rng, web_rng, gen_rng = root.spawn(3)
    plan = _plan(plan_rng, until, registrations)
    total = int(plan.counts.sum())
    ids = _Ids()
    written = np.zeros(5, dtype=np.int64)
    with engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MB page cache while loading
        try:
            for model in DEMO_TABLES:
                conn.execute(model.__table__.delete())
            _replace_units(conn)
            w = _Writer(conn)
            web = _website(web_rng, plan)
            w.insert(WebsiteVisits.__table__, {
                "month": lambda s: w._date(web["month"][s]),
                **{c: (lambda s, c=c: web[c][s].tolist())
                   for c in ("visits", "new_visits", "returning_visits")},
            }, len(web["month"]))
            if progress:
                progress(0, total)
            for a, b in _chunks(plan):
                calibration_chunk = plan.calibrated and a == 0
                r = _registrations(gen_rng, plan, a, b, ids)
                if not r:
                    continue
                r["session_id0"] = ids.session
                ids.session += len(r["sessions"]["held_on"])
                contacts = _contacts(gen_rng, plan, r, a, b, calibration_chunk, ids)
                surveys = _surveys(gen_rng, plan, r, calibration_chunk, ids)
                written += _write_chunk(w, r, contacts, surveys)
                if progress:
                    progress(int(written[0]), total)
            _reset_sequences(conn)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA cache_size=-2000")  # SQLite's default
    return DemoSummary(
        registrations=int(written[0]), contacts=int(written[1]), sessions=int(written[2]),
        surveys=int(written[3]), website_months=len(web["month"]), question_types=int(written[4]),
        first_month=START, last_month=plan.months[-1].astype("datetime64[D]").astype(dt.date),
    )
